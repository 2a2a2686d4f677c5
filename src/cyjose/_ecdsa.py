"""Dispatcher for ECDSA signature conversion: compiled twin or pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._ecdsa_py import der_to_raw, raw_to_der
else:
    from ._native import load_twin

    _twin = load_twin("_ecdsa")
    raw_to_der = _twin.raw_to_der
    der_to_raw = _twin.der_to_raw

__all__ = ["raw_to_der", "der_to_raw"]

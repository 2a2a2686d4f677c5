"""Dispatcher for ECDSA signature conversion: compiled twin or pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ecdsa_py import der_to_raw, raw_to_der
else:
    from . import load_twin

    _twin = load_twin("ecdsa")
    raw_to_der = _twin.raw_to_der
    der_to_raw = _twin.der_to_raw

__all__ = ["raw_to_der", "der_to_raw"]

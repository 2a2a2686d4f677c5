"""Dispatcher for JSON headers and payloads: the compiled twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._json_py import dumps_compact, loads_object
else:
    from ._native import load_twin

    _twin = load_twin("_json")
    loads_object = _twin.loads_object
    dumps_compact = _twin.dumps_compact

__all__ = ["loads_object", "dumps_compact"]

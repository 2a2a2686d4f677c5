"""Dispatcher for JSON headers and payloads: the compiled twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .json_py import MAX_DEPTH, check_depth, dumps_compact, loads_object, loads_unique
else:
    from . import load_twin

    _twin = load_twin("json")
    loads_object = _twin.loads_object
    loads_unique = _twin.loads_unique
    check_depth = _twin.check_depth
    dumps_compact = _twin.dumps_compact
    MAX_DEPTH = _twin.MAX_DEPTH

__all__ = ["loads_object", "loads_unique", "check_depth", "dumps_compact", "MAX_DEPTH"]

# cython: language_level=3, boundscheck=False, wraparound=False
"""JSON objects for headers and payloads -- compiled twin of :mod:`cyjose._speedups.json_py`.

A flat object of plain strings, short integers, booleans and nulls (nearly
every JWT payload and header) is parsed here in C; anything else goes to the
reference, which decides the result and names the error.
"""

from . import json_py as _reference

__all__ = ["loads_object", "loads_unique", "check_depth", "dumps_compact", "MAX_DEPTH"]

include "json_core.pxi"

dumps_compact = _reference.dumps_compact
MAX_DEPTH = _reference.MAX_DEPTH


def check_depth(data, what, max_depth):
    """See :func:`cyjose._speedups.json_py.check_depth`."""
    if type(data) is bytes and type(what) is str:
        _check_depth(<bytes>data, <str>what, max_depth)
    else:
        _reference.check_depth(data, what, max_depth)


def loads_object(data, what, max_depth=MAX_DEPTH):
    """See :func:`cyjose._speedups.json_py.loads_object`."""
    if type(data) is bytes and type(what) is str:
        return _load_object(<bytes>data, <str>what, max_depth)
    return _reference.loads_object(data, what, max_depth)


def loads_unique(data, what, max_depth=MAX_DEPTH):
    """See :func:`cyjose._speedups.json_py.loads_unique`: a flat object here, anything else there."""
    cdef dict flat
    if type(data) is bytes and type(what) is str:
        flat = _flat_object(<const unsigned char *>PyBytes_AS_STRING(data), len(<bytes>data))
        if flat is not None:  # the flat parser gives up on repeated names
            return flat
        _check_depth(<bytes>data, <str>what, max_depth)
        return _reference.parse_unique(data, what)
    return _reference.loads_unique(data, what, max_depth)


# cython: language_level=3, boundscheck=False, wraparound=False
"""JSON objects for headers and payloads -- compiled twin of :mod:`cyjose._json_py`.

A flat object of plain strings, short integers, booleans and nulls (nearly
every JWT payload and header) is parsed here in C; anything else goes to the
reference, which decides the result and names the error.
"""

from . import _json_py as _reference

__all__ = ["loads_object", "dumps_compact"]

include "_json_core.pxi"

dumps_compact = _reference.dumps_compact


def loads_object(data, what):
    """See :func:`cyjose._json_py.loads_object`."""
    if type(data) is bytes and type(what) is str:
        return _load_object(<bytes>data, <str>what)
    return _reference.loads_object(data, what)


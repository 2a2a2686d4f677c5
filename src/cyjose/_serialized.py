"""Reading a JOSE JSON serialization (JWS RFC 7515 §7.2, JWE RFC 7516 §7.2) given as a dict or JSON text."""

from __future__ import annotations

from typing import Any, Dict

from ._compact import MAX_TOKEN_BYTES
from ._json import loads_object
from .exceptions import DecodeError

__all__ = ["load_serialized"]


def load_serialized(data: Any, what: str) -> Dict[str, Any]:
    """``data`` (a dict, or JSON text as str/bytes) as a JSON object; ``what`` ("JWS"/"JWE") names it.

    Text is bounded by the compact token limit (1 MiB). Raises
    :class:`DecodeError` for another type, oversized or invalid text.
    """
    if isinstance(data, dict):
        return data
    if isinstance(data, str):
        if len(data) > MAX_TOKEN_BYTES:
            raise DecodeError(f"{what} is too large (more than {MAX_TOKEN_BYTES} bytes)")
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            raise DecodeError(f"Invalid {what} string: not valid UTF-8 text") from None
    if not isinstance(data, bytes):
        raise DecodeError(f"Invalid {what} type: expected a dict, str or bytes, got {type(data).__name__}")
    if len(data) > MAX_TOKEN_BYTES:
        raise DecodeError(f"{what} is too large (more than {MAX_TOKEN_BYTES} bytes)")
    return loads_object(data, what)

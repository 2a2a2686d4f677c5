"""What cyjose tells its callers: warnings attributed to their line, and values shown safely in messages.

One home for both, used from every layer: it imports nothing of cyjose but the warning classes.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Any, Dict, Optional, Type

from .warnings import RemovedInPyjwt3Warning

__all__ = ["warn_at_caller", "warn_extra_kwargs", "shown", "shown_name"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep  # cyjose/ and every subpackage


def warn_at_caller(message: str, category: Type[Warning]) -> None:
    """``warnings.warn`` with the first frame outside the cyjose package as its location."""
    level = 2  # stacklevel 2 is the frame that called us
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)


def warn_extra_kwargs(function: str, kwargs: Dict[str, Any]) -> None:
    """PyJWT 2's deprecation warning for keyword arguments ``function`` does not know."""
    if kwargs:
        warn_at_caller(
            f"passing additional kwargs to {function}() is deprecated and will be removed in "
            f"pyjwt version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
        )


def shown(value: Any) -> str:
    """A public value (a ``kid``, a header name) for an error message, cut short."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: Longest JWK name (``kty``, ``crv``, ``alg``, ``use`` value) an error message repeats; registered
#: names have at most 18 characters.
_MAX_NAME_SHOWN = 20


def shown_name(value: Any) -> str:
    """A JWK's ``kty``/``crv``/``alg``/``use`` value for an error message, or only its type and size.

    A long or non-string value may be key material put in the wrong member
    (a private JWK with shifted members), so no part of it is repeated.
    """
    if value is None or (isinstance(value, str) and len(value) <= _MAX_NAME_SHOWN and value.isprintable()):
        return str(value)
    if isinstance(value, str):
        return f"<str of {len(value)} characters>"
    return f"<{type(value).__name__}>"

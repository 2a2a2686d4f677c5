"""Warnings attributed to the caller's line, however deep inside cyjose they arise."""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Optional, Type

__all__ = ["warn_at_caller"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_at_caller(message: str, category: Type[Warning]) -> None:
    """``warnings.warn`` with the first frame outside the cyjose package as its location."""
    level = 2  # stacklevel 2 is the frame that called us
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)

"""Warnings attributed to the caller's line, however deep inside cyjose they arise."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Type

__all__ = ["warn_at_caller"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_at_caller(message: str, category: Type[Warning]) -> None:
    """``warnings.warn`` with the first frame outside the cyjose package as its location."""
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the frame that called us
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)

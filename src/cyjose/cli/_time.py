"""NumericDate claims shown to people: ISO-8601 UTC and a rough distance from now."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Optional

__all__ = ["iso_utc", "distance", "describe_time"]

_UNITS = ((86400, "d"), (3600, "h"), (60, "min"), (1, "s"))


def iso_utc(timestamp: float) -> Optional[str]:
    """``timestamp`` as ``YYYY-MM-DDTHH:MM:SSZ``; None when no calendar date has it."""
    try:
        moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def distance(seconds: float) -> str:
    """``seconds`` (>= 0) in the largest whole unit: ``"14 min"``, ``"3 h"``, ``"0 s"``."""
    for size, unit in _UNITS:
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "0 s"


_PHRASES = {
    # claim: (in the future, in the past)
    "exp": ("expires in {}", "expired {} ago"),
    "nbf": ("not valid for another {}", "valid since {} ago"),
    "iat": ("issued in {} (in the future)", "issued {} ago"),
}


def describe_time(claim: str, value: Any, now: float) -> str:
    """One line for the ``exp``/``nbf``/``iat`` claim ``value``: the date and how far from ``now``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{claim}: {repr(value)[:80]} (not a NumericDate)"
    iso = iso_utc(value)
    if iso is None:
        return f"{claim}: {value} (out of the calendar's range)"
    ahead, past = _PHRASES[claim]
    delta = value - now
    relative = ahead.format(distance(delta)) if delta > 0 else past.format(distance(-delta))
    return f"{claim}: {iso} ({relative})"

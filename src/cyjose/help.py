"""``python -m cyjose.help``: facts for a bug report, printed as JSON.

The shape follows ``python -m jwt.help`` (``platform``, ``implementation``,
``cryptography`` and the library's own entry), with ``cyjose`` in place of
``pyjwt``; the ``cyjose`` entry also says which twin each hot module uses and
which libcrypto the compiled twins call. This module is the one home of these
facts: ``python -m cyjose --version`` prints :func:`info` as text.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from typing import Dict, Union

import cryptography

import cyjose
from cyjose._speedups import TWINS
from cyjose._speedups import hmac as _hmac

__all__ = ["info", "version_report", "main", "cryptography_version", "cyjose_version", "DEPENDENCIES"]

#: The runtime dependencies whose versions a report includes.
DEPENDENCIES = ("cryptography", "orjson")

#: The installed ``cryptography`` (always present: cyjose depends on it).
cryptography_version: str = cryptography.__version__
#: This cyjose's version (``jwt.help`` has ``pyjwt_version`` here).
cyjose_version: str = cyjose.__version__

Section = Dict[str, Union[str, bool, Dict[str, str]]]


def _platform() -> Section:
    try:
        return {"system": platform.system(), "release": platform.release()}
    except OSError:  # platform probes the OS; a locked-down sandbox can refuse
        return {"system": "Unknown", "release": "Unknown"}


def _implementation_version() -> str:
    name = platform.python_implementation()
    if name == "CPython":
        return platform.python_version()
    if name == "PyPy":
        # the PyPy release, not the Python language level it implements
        release = sys.pypy_version_info  # type: ignore[attr-defined]
        suffix = "" if release.releaselevel == "final" else release.releaselevel
        return f"{release.major}.{release.minor}.{release.micro}{suffix}"
    return "Unknown"


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def _cyjose() -> Section:
    libcrypto = _hmac.OPENSSL_VERSION
    return {
        "version": cyjose_version,
        "native": cyjose.NATIVE,
        "twins": dict(sorted(TWINS.items())),
        # "" when the Python twins of _hmac/_pkey are in use
        "libcrypto": libcrypto if isinstance(libcrypto, str) else "",
    }


def info() -> Dict[str, Section]:
    """Platform, interpreter, cyjose and dependency versions for a bug report.

    Keys: ``platform``, ``implementation``, ``cyjose`` (version, native,
    twins, libcrypto) and one ``{"version": ...}`` per :data:`DEPENDENCIES`
    entry. Never raises: a fact that cannot be read is reported as ``"Unknown"`` or ``""``.
    """
    report: Dict[str, Section] = {
        "platform": _platform(),
        "implementation": {"name": platform.python_implementation(), "version": _implementation_version()},
        "cyjose": _cyjose(),
    }
    for distribution in DEPENDENCIES:
        report[distribution] = {"version": _installed_version(distribution)}
    return report


def version_report() -> str:
    """A few lines for bug reports (``python -m cyjose --version``): :func:`info` as text."""
    facts = info()
    own = facts["cyjose"]
    twins = ", ".join(f"{name}={kind}" for name, kind in own["twins"].items())  # type: ignore[union-attr]
    implementation = facts["implementation"]
    lines = [
        f"cyjose {own['version']}",
        f"native: {own['native']} ({twins})",
        f"python: {implementation['name']} {implementation['version']}",
        f"libcrypto (called directly): {own['libcrypto'] or 'no (Python twins of hmac/pkey)'}",
    ]
    for name in DEPENDENCIES:
        lines.append(f"{name}: {facts[name]['version'] or 'not installed'}")
    return "\n".join(lines)


def main() -> None:
    """Print :func:`info` as indented JSON with sorted keys."""
    print(json.dumps(info(), sort_keys=True, indent=2))


if __name__ == "__main__":
    main()

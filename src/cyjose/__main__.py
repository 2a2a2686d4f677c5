"""``python -m cyjose --version``: the version, which twins are live, the dependencies."""

from __future__ import annotations

import argparse
import platform
import sys
from importlib import metadata
from typing import List, Optional

import cyjose
from cyjose import _hmac
from cyjose._native import TWINS

_DEPENDENCIES = ("cryptography", "orjson")


def version_report() -> str:
    """A few lines for bug reports: versions, native or pure, per-module twins."""
    lines = [
        f"cyjose {cyjose.__version__}",
        f"native: {cyjose.NATIVE} ({', '.join(f'{name}={kind}' for name, kind in sorted(TWINS.items()))})",
        f"python: {platform.python_implementation()} {platform.python_version()}",
        f"libcrypto (called directly): {_hmac.OPENSSL_VERSION or 'no (Python twins of _hmac/_pkey)'}",
    ]
    for name in _DEPENDENCIES:
        try:
            lines.append(f"{name}: {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name}: not installed")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cyjose", description=__doc__)
    parser.add_argument("--version", action="store_true", help="print versions and whether native code is active")
    args = parser.parse_args(argv)
    if args.version:
        print(version_report())
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())

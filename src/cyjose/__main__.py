"""``python -m cyjose --version``: the version, which twins are live, the dependencies."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from cyjose import help as _help


def version_report() -> str:
    """A few lines for bug reports: :func:`cyjose.help.info` as text."""
    facts = _help.info()
    own = facts["cyjose"]
    twins = ", ".join(f"{name}={kind}" for name, kind in own["twins"].items())  # type: ignore[union-attr]
    implementation = facts["implementation"]
    lines = [
        f"cyjose {own['version']}",
        f"native: {own['native']} ({twins})",
        f"python: {implementation['name']} {implementation['version']}",
        f"libcrypto (called directly): {own['libcrypto'] or 'no (Python twins of _hmac/_pkey)'}",
    ]
    for name in _help.DEPENDENCIES:
        lines.append(f"{name}: {facts[name]['version'] or 'not installed'}")
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

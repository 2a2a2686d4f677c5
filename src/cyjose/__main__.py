"""``python -m cyjose``: the ``cyjose`` command line (:mod:`cyjose.cli`); ``--version`` reports the
version, which twins are live and the dependencies."""

from __future__ import annotations

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
    """The ``cyjose`` console script's :func:`cyjose.cli.main`, as ``python -m cyjose``."""
    from cyjose.cli import main as cli_main

    return cli_main(argv, prog="python -m cyjose")


if __name__ == "__main__":
    sys.exit(main())

"""``python -m cyjose``: the ``cyjose`` command line (:mod:`cyjose.cli`); ``--version`` prints
:func:`cyjose.help.version_report`."""

from __future__ import annotations

import sys
from typing import List, Optional

from cyjose.cli import main as cli_main


def main(argv: Optional[List[str]] = None) -> int:
    """The ``cyjose`` console script's :func:`cyjose.cli.main`, as ``python -m cyjose``."""
    return cli_main(argv, prog="python -m cyjose")


if __name__ == "__main__":
    sys.exit(main())

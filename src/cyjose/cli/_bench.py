"""``cyjose bench``: run the benchmark suite of a source checkout, or say how to get it."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Optional

__all__ = ["add_parser", "find_runner"]

README_COMMAND = 'python -m pip install ".[bench]" && python benchmarks/run.py'


def add_parser(commands: Any) -> None:
    """Register ``bench`` on the ``commands`` subparsers."""
    parser = commands.add_parser(
        "bench", help="run the benchmark suite (source checkouts only)",
        description="Run benchmarks/run.py of the source checkout cyjose is imported from (or, for an "
                    "installed cyjose, of the checkout in the current directory). Installed packages do not "
                    "ship the suite: elsewhere the command to run it from a checkout is printed.")
    parser.add_argument("--quick", action="store_true", help="rough numbers in a minute or two")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    parser.set_defaults(run=run_bench)


def find_runner() -> Optional[Path]:
    """``benchmarks/run.py`` of a cyjose source checkout, if there is one.

    The checkout holding this package (an editable install, src layout) comes
    first, then the current directory (a checkout the package was installed
    from, as CI does). The latter must look like cyjose's: its pyproject names it.
    """
    for root in (Path(__file__).resolve().parents[3], Path.cwd()):
        runner = root / "benchmarks" / "run.py"
        if runner.is_file() and _is_cyjose_checkout(root):
            return runner
    return None


def _is_cyjose_checkout(root: Path) -> bool:
    try:
        return 'name = "cyjose"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False


def run_bench(args: argparse.Namespace) -> int:
    """Run the suite (its exit status is ours) or print how to run it (exit 0)."""
    runner = find_runner()
    if runner is None:
        print("The benchmark suite is not installed with cyjose. From a source checkout run:")
        print("    " + README_COMMAND + (" --quick" if args.quick else ""))
        return 0
    command: List[str] = [sys.executable, str(runner)] + (["--quick"] if args.quick else [])
    if args.dry_run:
        print(shlex.join(command))
        return 0
    return subprocess.run(command, cwd=runner.parent.parent, check=False).returncode

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
        description="Run benchmarks/run.py of the source checkout cyjose is imported from. Installed "
                    "packages do not ship the suite: then the command to run it from a checkout is printed.")
    parser.add_argument("--quick", action="store_true", help="rough numbers in a minute or two")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    parser.set_defaults(run=run_bench)


def find_runner() -> Optional[Path]:
    """``benchmarks/run.py`` of the checkout holding this package (src layout), if there is one."""
    runner = Path(__file__).resolve().parents[3] / "benchmarks" / "run.py"
    return runner if runner.is_file() else None


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

"""The tree is clean under ``ruff check`` with the configuration in pyproject.toml.

ruff is in the ``test`` extra (pinned to the release the tree is checked clean
with: each release adds rules), so a missing ruff fails here rather than skipping.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_check_is_clean() -> None:
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("not run from a checkout")
    if importlib.util.find_spec("ruff") is None:
        pytest.fail(f"ruff is not importable by {sys.executable}: it is in the test extra", pytrace=False)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "fuzz", "benchmarks"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""The package type-checks under ``mypy --strict`` and ships its PEP 561 marker.

mypy is in the ``test`` extra, so a missing mypy fails here rather than
skipping: a typing regression must never pass CI unnoticed. The one exception
is Python 3.9, where the extra cannot install mypy (2.x runs on 3.10+).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"

needs_mypy_python = pytest.mark.skipif(
    sys.version_info < (3, 10),
    reason="mypy>=2.4 runs on Python 3.10+ only; the test extra does not install it on 3.9",
)


@needs_mypy_python
def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail(
            f"mypy is not importable by {sys.executable}: it is in the test extra, "
            "install it with `pip install -e '.[test]'`",
            pytrace=False,
        )
    # cwd=REPO picks up [tool.mypy] from pyproject.toml; the cache goes to a
    # fresh temp dir so every run checks from scratch and leaves the tree alone.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy_cache"), str(SRC)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"mypy --strict src exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def test_py_typed_marker_is_in_the_source_tree() -> None:
    marker = SRC / "cyjose" / "py.typed"
    assert marker.is_file(), f"{marker} is missing: type checkers would ignore cyjose's hints"


def test_py_typed_marker_is_in_the_installed_package() -> None:
    # files() reads the package the tests import: the installed wheel (or the
    # editable install), not necessarily the source tree.
    marker = files("cyjose") / "py.typed"
    assert marker.is_file(), "the installed cyjose package lacks py.typed"
    # A "partial" marker would tell type checkers to fall back to other stubs.
    assert marker.read_text(encoding="utf-8").strip() != "partial"

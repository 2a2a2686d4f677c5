"""A short bounded run of every fuzz target in ``fuzz/`` (atheris), failing on any finding.

The deep run is ``python fuzz/run.py`` (see its docstring); here each target
gets a few thousand executions, two targets at a time, on the twins this
process would use (``CYJOSE_NO_EXTENSIONS`` passes through). The contract
checks themselves (``fuzz/harness.py``) are tested directly below, so a
harness that could no longer notice a finding fails here too.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

FUZZ_DIR = Path(__file__).resolve().parent.parent / "fuzz"
RUNS = 2000

sys.path.insert(0, str(FUZZ_DIR))
import harness  # noqa: E402  (fuzz/ is not a package)
from harness import Finding, flip, outcome, same  # noqa: E402

import cyjose  # noqa: E402
from cyjose import DecodeError  # noqa: E402


def _target_names() -> list:
    listed = subprocess.run([sys.executable, str(FUZZ_DIR / "run.py"), "--list"],
                            capture_output=True, text=True, check=True)
    return listed.stdout.split()


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Every target for RUNS executions; ``{target: its report line and traceback}``."""
    if importlib.util.find_spec("atheris") is None:
        pytest.skip("atheris is not installed (it is in the 'test' extra)")
    work = tmp_path_factory.mktemp("fuzz")
    done = subprocess.run(
        [sys.executable, str(FUZZ_DIR / "run.py"), "--runs", str(RUNS), "--jobs", "2",
         "--corpus", str(work / "corpus"), "--findings", str(work / "findings")],
        capture_output=True, text=True, timeout=600,
    )
    reports: Dict[str, str] = {}
    current = None
    for line in done.stdout.splitlines():
        name = line.split(" ", 1)[0]
        if not line.startswith(" ") and name not in ("target", "total"):
            current = name
            reports[current] = ""
        if current is not None:
            reports[current] += line + "\n"
    reports["_status"] = str(done.returncode)
    return reports


@pytest.mark.parametrize("target", _target_names())
def test_target_runs_without_finding(short_run: Dict[str, str], target: str) -> None:
    report = short_run.get(target)
    assert report is not None, f"{target} did not report; exit status {short_run['_status']}"
    first = report.splitlines()[0]
    assert first.endswith(" ok"), report
    executions = int(first.split()[1].replace(",", ""))
    assert executions >= RUNS


def test_every_target_reported_and_run_succeeded(short_run: Dict[str, str]) -> None:
    assert short_run["_status"] == "0"
    assert set(short_run) - {"_status"} == set(_target_names())


# --- the contract checks the targets rely on ---------------------------------------------------


def test_outcome_lets_only_cyjose_exceptions_through_as_results() -> None:
    assert outcome(lambda: 5) == ("ok", 5)
    assert outcome(cyjose.decode, "not a token", "k", algorithms=["HS256"])[:2] == ("raise", DecodeError)
    with pytest.raises(KeyError):
        outcome(lambda: {}["missing"])


class _Twin:
    def __init__(self, value: object) -> None:
        self.value = value

    def call(self) -> object:
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


def test_same_flags_twins_that_disagree() -> None:
    assert same(lambda t: t.call(), _Twin(1), _Twin(1)) == ("ok", int, 1)
    with pytest.raises(Finding, match="twins disagree"):
        same(lambda t: t.call(), _Twin(1), _Twin(1.0))  # equal values of another type
    with pytest.raises(Finding, match="twins disagree"):
        same(lambda t: t.call(), _Twin(DecodeError("a")), _Twin(DecodeError("b")))
    with pytest.raises(ValueError):  # agreed, but not a cyjose exception
        same(lambda t: t.call(), _Twin(ValueError("x")), _Twin(ValueError("x")))
    assert same(lambda t: t.call(), _Twin(DecodeError("a")), None)[:2] == ("raise", DecodeError)


def test_forged_token_shape_changes_exactly_one_byte() -> None:
    token = harness.jws_token(harness.canonical_header("HS256"), b'{"a":1}', "HS256")
    for position in (0, 7, len(token) - 1, len(token) + 3):
        forged = flip(token, position, 0)
        assert len(forged) == len(token)
        assert sum(a != b for a, b in zip(forged, token)) == 1


def test_harness_signed_token_verifies_and_forgery_check_fires() -> None:
    sys.path.insert(0, str(FUZZ_DIR))
    import targets

    targets.fuzz_decode(bytes((targets.TOKEN_MODES.index("canonical"),)) + b'{"sub":"x"}')
    forged = targets.TokenCase(b"", "HS256", "forged")
    with pytest.raises(Finding, match="forged token verified"):
        targets.check_case(forged, ("ok", {}))

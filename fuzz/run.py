"""Run the cyjose fuzz targets with atheris: ``python fuzz/run.py [--seconds N] [--target NAME ...]``.

Each target runs in its own process (libFuzzer runs once per process) for
``--seconds`` (default 60) or ``--runs`` executions, on a seed corpus made on
the fly under ``--corpus`` (default ``fuzz/corpus/<target>``). For each target
one line reports the executions, the time and the outcome; a finding (an input
that broke a contract: see ``fuzz/targets.py``) is saved under ``--findings``
(default ``fuzz/findings/``) with the traceback printed below the line.
Exits 1 when any target has a finding. ``--list`` names the targets;
``--jobs N`` runs N targets at once. Replay a saved input with
``python fuzz/run.py --target NAME --replay FILE``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import List, NamedTuple, Optional

HERE = Path(__file__).resolve().parent


class Result(NamedTuple):
    target: str
    executions: Optional[int]
    seconds: float
    finding: Optional[str]  # the saved input's path, or a reason
    log: str


# --- the child: one target under atheris ------------------------------------------------------


def _load_targets() -> dict:
    """Import cyjose and the targets with coverage instrumentation of every cyjose function.

    ``instrument_imports`` covers a regular install; an editable install's
    import hook hides the modules from it, so every cyjose function still
    uninstrumented afterwards is instrumented in place (atheris skips code it
    has instrumented already). The compiled twins are C: their coverage is not
    seen, their Python twins' is.
    """
    import gc
    import types

    import atheris

    with atheris.instrument_imports(include=["cyjose"]):
        import targets

        import cyjose  # noqa: F401
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and str(obj.__module__).startswith("cyjose"):
            atheris.instrument_func(obj)
    return targets.TARGETS


def _write_seeds(corpus: Path, seeds: List[bytes]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)


def child(args: argparse.Namespace) -> None:
    """Fuzz one target in this process (atheris.Fuzz exits the process when done)."""
    import warnings

    import atheris

    warnings.simplefilter("ignore")  # short-key and similar warnings are expected for fuzzed keys
    target, seeds = _load_targets()[args.child]
    corpus = Path(args.corpus) / args.child
    _write_seeds(corpus, seeds())
    findings = Path(args.findings)
    findings.mkdir(parents=True, exist_ok=True)
    budget = f"-runs={args.runs}" if args.runs else f"-max_total_time={args.seconds}"
    atheris.Setup([sys.argv[0], str(corpus), budget, f"-artifact_prefix={findings}/{args.child}-",
                   "-print_final_stats=1", f"-timeout={args.timeout}", "-rss_limit_mb=2048",
                   "-max_len=4096", f"-dict={HERE / 'cyjose.dict'}"], target)
    atheris.Fuzz()


def replay(args: argparse.Namespace) -> None:
    """Run one target on one saved input, uninstrumented, and let any exception show."""
    sys.path.insert(0, str(HERE))
    import targets

    targets.TARGETS[args.target[0]][0](Path(args.replay).read_bytes())
    print("no finding")


# --- the parent: one child per target, then a summary ------------------------------------------


def _run_target(name: str, args: argparse.Namespace) -> Result:
    command = [sys.executable, str(HERE / "run.py"), "--child", name, "--corpus", args.corpus,
               "--findings", args.findings, "--timeout", str(args.timeout)]
    command += ["--runs", str(args.runs)] if args.runs else ["--seconds", str(args.seconds)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    elapsed = time.monotonic() - started
    log = done.stderr + done.stdout  # atheris prints the traceback on stdout
    executions = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    finding = None
    if done.returncode != 0:
        saved = re.search(r"Test unit written to (\S+)", log)
        finding = saved.group(1) if saved else f"exit status {done.returncode}"
    return Result(name, int(executions.group(1)) if executions else None, elapsed, finding, log)


def _report(result: Result) -> None:
    executions = "?" if result.executions is None else f"{result.executions:,}"
    status = f"FINDING {result.finding}" if result.finding else "ok"
    print(f"{result.target:<14} {executions:>12} execs {result.seconds:8.1f} s  {status}", flush=True)
    if result.finding:
        print(_excerpt(result.log), flush=True)


def _excerpt(log: str) -> str:
    """What went wrong: atheris's traceback when there is one, else the log's last lines."""
    start = log.find("=== Uncaught Python exception")
    lines = log[start:].splitlines() if start >= 0 else log.splitlines()[-40:]
    return "\n".join("    " + line for line in lines[:80])


def parent(args: argparse.Namespace, names: List[str]) -> int:
    print(f"{'target':<14} {'executions':>12}       {'time':>8}", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_run_target, name, args) for name in names]
        results = []
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
            _report(results[-1])
    total = sum(result.executions or 0 for result in results)
    print(f"{'total':<14} {total:>12,} execs, {sum(r.finding is not None for r in results)} finding(s)")
    return 1 if any(result.finding for result in results) else 0


def _target_names() -> List[str]:
    sys.path.insert(0, str(HERE))
    import targets

    return list(targets.TARGETS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--seconds", type=int, default=60, help="time per target (default 60)")
    parser.add_argument("--runs", type=int, default=0, help="executions per target instead of a time")
    parser.add_argument("--target", action="append", default=[], help="a target to run (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="targets run at once (default 1)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take (default 10)")
    parser.add_argument("--corpus", default=str(HERE / "corpus"), help="corpus folder, one subfolder a target")
    parser.add_argument("--findings", default=str(HERE / "findings"), help="where inputs that broke a contract go")
    parser.add_argument("--list", action="store_true", help="print the target names")
    parser.add_argument("--replay", help="run --target on this saved input once")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    names = _target_names()
    if args.list:
        print("\n".join(names))
        return 0
    unknown = sorted(set(args.target) - set(names))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; --list names them")
    if args.replay:
        if len(args.target) != 1:
            parser.error("--replay needs exactly one --target")
        replay(args)
        return 0
    return parent(args, args.target or names)


if __name__ == "__main__":
    sys.exit(main())

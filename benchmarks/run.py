"""Run the whole benchmark suite: cyjose against the peers, same tokens, same keys, one run.

    python benchmarks/run.py             # full run, writes benchmarks/results/benchmarks.md + *.png
    python benchmarks/run.py --quick     # rough numbers in under two minutes -> benchmarks/results/quick/
    python benchmarks/run.py --memory    # 10 million verifications: memory growth -> results/memory.md
    python benchmarks/run.py --sections jwe --out /tmp/jwe   # one section, results elsewhere

What happens:

1. ``_common.make_fixture`` makes the keys and tokens (results/fixture.json).
2. ``suite.py --probe`` builds every contender once and checks that it rejects
   a bad signature, a wrong audience, a wrong issuer and an expired token.
3. ``suite.py`` (pyperf) times every (section, case, contender). Contenders
   needing the pure-Python twins run in their own pyperf invocation with
   ``CYJOSE_NO_EXTENSIONS=1`` (inherited by its workers); the choice of twin is
   made at import. The full run repeats all of it for several rounds, case by
   case, so the contenders of one case run minutes, not an hour, apart and
   noise from a shared machine hits them alike; pyperf appends every round's
   values, and the tables report medians.
4. ``threads.py`` measures 1, 2 and N threads, contenders round-robin.
5. ``report.py`` writes the Markdown tables and the charts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ALGORITHMS,
    HERE,
    JWE_CASES,
    PEM_ALGORITHMS,
    RESULTS,
    SIZES,
    THREAD_ALGORITHMS,
    load_average,
    machine_info,
    make_fixture,
    python_env,
)

SECTIONS = ("verify", "sign", "size", "pem", "jwe", "threads")

T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:6.0f}s] {message}", file=sys.stderr, flush=True)


FAILURES: List[str] = []


def run(cmd: List[str], pure: bool = False, capture: bool = False, fatal: bool = True) -> str:
    """Run ``cmd``; a failure stops the run, or (``fatal=False``) is logged and reported."""
    proc = subprocess.run(
        cmd, env=python_env(pure), cwd=HERE.parent, text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        if fatal:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        selected = " ".join(a for a in cmd if a.startswith(tuple(f"{s}/" for s in SECTIONS)))
        FAILURES.append(f"{selected}: {last}")
        log(f"FAILED, carrying on: {last}")
    return proc.stdout if capture else ""


def suite_cmd(fixture: Path, group: str, *extra: str) -> List[str]:
    return [sys.executable, str(HERE / "suite.py"), "--fixture", str(fixture), "--group", group, *extra]


def cases(section: str) -> List[str]:
    if section in ("verify", "sign"):
        return list(ALGORITHMS)
    if section == "size":
        return [str(s) for s in SIZES]
    if section == "pem":
        return list(PEM_ALGORITHMS)
    if section == "jwe":
        return list(JWE_CASES)
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="rough numbers in under two minutes")
    parser.add_argument("--memory", action="store_true", help="only the memory check")
    parser.add_argument("--count", type=int, help="tokens per memory scenario (default 10M; --quick 200k)")
    parser.add_argument("--out", type=Path, help="results folder (default benchmarks/results[/quick])")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"subset of {','.join(SECTIONS)}")
    parser.add_argument("--rounds", type=int, help="rounds of the pyperf part (default 3; --quick 1)")
    parser.add_argument("--processes", type=int, default=2, help="pyperf worker processes per round")
    parser.add_argument("--thread-runs", type=int, help="runs of the threads part (default 5; --quick 2)")
    args = parser.parse_args()
    sections = [s for s in args.sections.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {','.join(SECTIONS)}")
    out: Path = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    fixture = out / "fixture.json"
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])

    fx = make_fixture(fixture)
    machine = machine_info()
    machine.update(command=command.strip(), quick=args.quick)
    if not machine["cyjose_native"]:
        raise SystemExit("cyjose's compiled twins are not in use: install the compiled build (pip install .)")

    if args.memory:
        count = args.count or (200_000 if args.quick else 10_000_000)
        log(f"memory: {count:,} tokens per scenario")
        report = json.loads(run([sys.executable, str(HERE / "memory.py"), "--fixture", str(fixture),
                                 "--count", str(count)], capture=True))
        report["count"] = count
        (out / "memory.json").write_text(json.dumps(report, indent=1))
        machine["elapsed"] = f"{time.perf_counter() - T0:.0f} s"
        machine["load_end"] = load_average()
        (out / "machine-memory.json").write_text(json.dumps(machine, indent=1))
        render(out)
        print((out / "memory.md").read_text())
        return 0

    for stale in ("pyperf-native.json", "pyperf-pure.json", "threads.json", "probe.json"):
        (out / stale).unlink(missing_ok=True)
    payload_sizes = {str(s): len(json.dumps(fx["sizes"][str(s)]["claims"], separators=(",", ":"))) for s in SIZES}
    payload_sizes["jwe_plaintext"] = len(next(iter(fx["jwe"].values()))["plaintext"])
    (out / "sizes.json").write_text(json.dumps(payload_sizes))

    log("probing every contender (builds it, checks it rejects hostile tokens)")
    probe: Dict[str, Dict] = {}
    for group in ("native", "pure"):
        probe.update(json.loads(run(suite_cmd(fixture, group, "--probe"), pure=group == "pure", capture=True)))
    probe_file = out / "probe.json"
    probe_file.write_text(json.dumps(probe, indent=1))
    for name, r in sorted(probe.items()):
        if not r["ok"] or r["note"]:
            log(f"  {name}: {r['note']}")

    bench_sections = [s for s in sections if s != "threads"]
    if bench_sections:
        if args.quick:
            timing = ["--in-process", "-p", "1", "--values", "3", "--warmups", "1", "--min-time", "0.01"]
            rounds = args.rounds or 1
        else:
            timing = ["-p", str(args.processes), "--values", "3", "--warmups", "1", "--min-time", "0.05"]
            rounds = args.rounds or 3
        work = [(s, c) for s in bench_sections for c in cases(s)]
        for rnd in range(rounds):
            groups = ("native", "pure") if rnd % 2 == 0 else ("pure", "native")
            batches = [[f"{s}/" for s in bench_sections]] if args.quick else [[f"{s}/{c}/"] for s, c in work]
            for prefixes in batches:
                for group in groups:
                    names = [n for n, r in probe.items() if r["ok"] and any(n.startswith(p) for p in prefixes)
                             and _group_of(n) == group]
                    if not names:
                        continue
                    log(f"round {rnd + 1}/{rounds} {group:6} {' '.join(prefixes)} ({len(names)} benchmarks)")
                    cmd = suite_cmd(fixture, group, "--probe-file", str(probe_file), "--quiet",
                                    "--append", str(out / f"pyperf-{group}.json"), *timing)
                    for p in prefixes:
                        cmd += ["--select", p]
                    if group == "pure":
                        cmd += ["--inherit-environ", "CYJOSE_NO_EXTENSIONS"]
                    run(cmd, pure=group == "pure", fatal=False)

    if "threads" in sections:
        run_threads(fixture, out, args)

    machine["elapsed"] = f"{time.perf_counter() - T0:.0f} s"
    machine["failures"] = FAILURES
    machine["load_end"] = load_average()
    machine["method"] = (
        "pyperf in-process, 1 round × 3 values (rough)" if args.quick else
        f"pyperf, {args.rounds or 3} rounds × {args.processes} worker processes × 3 values "
        "(+1 warm-up), case by case, native and pure-Python groups alternating"
    )
    (out / "machine.json").write_text(json.dumps(machine, indent=1))
    render(out)
    log(f"done: {out / 'benchmarks.md'}" + (f" ({len(FAILURES)} failed invocations)" if FAILURES else ""))
    return 1 if FAILURES else 0


def _group_of(name: str) -> str:
    return "pure" if name.endswith("-pure") else "native"


def run_threads(fixture: Path, out: Path, args) -> None:
    from threads import THREAD_KEYS

    counts = sorted({1, 2, os.cpu_count() or 1})
    runs = args.thread_runs or (2 if args.quick else 5)
    duration = 0.15 if args.quick else 1.0
    results: Dict[str, Dict[str, List[Dict[str, float]]]] = {k: {} for k in THREAD_KEYS}
    for rnd in range(runs):
        order = counts if rnd % 2 == 0 else counts[::-1]  # alternate so drift does not favour one count
        for key in THREAD_KEYS:
            log(f"threads run {rnd + 1}/{runs}: {key}")
            res = run([sys.executable, str(HERE / "threads.py"), "--fixture", str(fixture),
                       "--contender", key, "--threads", ",".join(map(str, order)),
                       "--duration", str(duration)], capture=True, fatal=False)
            for alg, by_count in (json.loads(res) if res else {}).items():
                results[key].setdefault(alg, []).append(by_count)
    (out / "threads.json").write_text(json.dumps({
        "thread_counts": counts, "cpu_count": os.cpu_count(), "runs": runs, "duration": duration,
        "algorithms": list(THREAD_ALGORITHMS), "contenders": list(THREAD_KEYS), "results": results,
    }, indent=1))


def render(out: Path) -> None:
    from report import Report

    Report(out).write()


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of one contender from 1, 2 and N threads (a plain timed loop).

pyperf's model is one thread, so this is a separate, simple harness: T threads
wait on a barrier, each verifies the same token in a loop until the main
thread raises a flag after ``--duration`` seconds, and the total number of
verifications over the elapsed time is the throughput. One process measures
one contender; run.py runs the processes round-robin and takes medians.

    python benchmarks/threads.py --fixture F --contender pyjwt --threads 1,2 --duration 1

prints JSON: {"ALG": {"T": ops_per_second}}.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import warnings
from typing import Any, Callable, Dict, List

import contenders as C
from _common import THREAD_ALGORITHMS, check_twin, load_fixture

warnings.simplefilter("ignore")

#: Contenders of the threads section, by key in contenders.VERIFY.
THREAD_KEYS = ("cyjose-verifier", "pyjwt", "oxyjwt", "webtoken", "floor")


def throughput(f: Callable[[Any], Any], token: Any, threads: int, duration: float) -> float:
    """Verifications per second from ``threads`` threads over ``duration`` seconds."""
    stop = [False]
    counts: List[int] = [0] * threads
    barrier = threading.Barrier(threads + 1)

    def work(slot: int) -> None:
        n = 0
        barrier.wait()
        while not stop[0]:
            f(token)
            f(token)
            f(token)
            f(token)
            n += 4
        counts[slot] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(duration)
    stop[0] = True
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    return sum(counts) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--contender", required=True, choices=THREAD_KEYS)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--algorithms", default=",".join(THREAD_ALGORITHMS))
    args = parser.parse_args()
    check_twin(pure=False)
    fx = load_fixture(args.fixture)
    counts = [int(t) for t in args.threads.split(",")]
    contender = C.BY_KEY[args.contender]
    sys.setswitchinterval(0.005)  # the interpreter default, stated so every process has the same
    result: Dict[str, Dict[str, float]] = {}
    for alg in args.algorithms.split(","):
        case = fx["verify"][alg]
        try:
            f = contender.make(case, fx)
        except (C.Unsupported, ImportError):
            continue
        token = case["token"]
        f(token)
        throughput(f, token, 1, min(0.1, args.duration))  # warm-up
        result[alg] = {str(t): throughput(f, token, t, args.duration) for t in counts}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory over many verifications: does a cyjose Verifier's process grow?

Each scenario verifies ``count`` tokens in a loop (asymmetric ones
``count // 100``) after a warm-up of a tenth of that, and reports

- RSS growth: resident set size after the loop minus after the warm-up
  (``/proc/self/statm``), and the growth of the peak (``ru_maxrss``);
- tracemalloc growth: Python-heap bytes still allocated after a further
  ``count // 20`` verifications with tracemalloc on, minus before them.

The target is no growth: a few hundred KiB of RSS noise (allocator arenas) is
not a leak, a figure that scales with the count is. Scenarios cover the error
path (a bad signature raises every time) and the verified-token cache both
hitting and evicting.

    python benchmarks/memory.py --fixture F --count 10000000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
import tracemalloc
import warnings
from typing import Any, Callable, Dict, List, Tuple

from _common import AUDIENCE, ISSUER, check_twin, has_cache_api, load_fixture

warnings.simplefilter("ignore")

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def loop(f: Callable[[Any], Any], tokens: List[Any], count: int, raises: bool) -> None:
    n = len(tokens)
    if raises:
        for i in range(count):
            try:
                f(tokens[i % n])
            except Exception:  # noqa: BLE001 - the error path is what is measured
                pass
    else:
        for i in range(count):
            f(tokens[i % n])


def scenarios(fx: Dict[str, Any]) -> List[Tuple[str, str, Callable[[Any], Any], List[Any], bool]]:
    """(name, algorithm, verify, tokens, raises)."""
    import cyjose

    now = int(time.time())
    out = []
    secret = fx["secret"]
    hs = dict(algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    signer = cyjose.Signer(secret, algorithm="HS256")
    base = {"sub": "user-42", "aud": AUDIENCE, "iss": ISSUER, "iat": now, "exp": now + 86400}
    distinct_1k = [signer.sign({**base, "jti": str(i)}) for i in range(1000)]
    distinct_4k = [signer.sign({**base, "jti": str(i)}) for i in range(4096)]
    bad = [fx["verify"]["HS256"]["bad_signature"]]
    verifier = cyjose.Verifier(secret, **hs)
    out.append(("Verifier, 1,000 distinct valid tokens", "HS256", verifier.verify, distinct_1k, False))
    out.append(("Verifier, bad signature (raises every time)", "HS256", verifier.verify, bad, True))
    if has_cache_api():
        hits = cyjose.Verifier(secret, cache_size=1024, cache_ttl=60, **hs)
        out.append(("Verifier + cache, one token (hits)", "HS256", hits.verify, distinct_1k[:1], False))
        evict = cyjose.Verifier(secret, cache_size=1024, cache_ttl=60, **hs)
        out.append(("Verifier + cache (1,024), 4,096 distinct tokens (misses, evictions)", "HS256",
                    evict.verify, distinct_4k, False))
        out.append(("Verifier + cache, bad signature (errors are not cached)", "HS256",
                    cyjose.Verifier(secret, cache_size=1024, cache_ttl=60, **hs).verify, bad, True))
    for alg in ("RS256", "ES256", "EdDSA"):
        case = fx["verify"][alg]
        pem = fx["keys"][case["family"]]["public_pem"]
        v = cyjose.Verifier(pem, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        out.append(("Verifier, valid token", alg, v.verify, [case["token"]], False))
    return out


def measure(name, alg, f, tokens, raises, count) -> Dict[str, Any]:
    if alg != "HS256":
        count = max(count // 100, 1000)
    warm = max(count // 10, 1000)
    loop(f, tokens, warm, raises)
    gc.collect()
    rss0, peak0 = rss(), peak_rss()
    start = time.perf_counter()
    loop(f, tokens, count, raises)
    elapsed = time.perf_counter() - start
    gc.collect()
    rss1, peak1 = rss(), peak_rss()
    traced = max(count // 20, 1000)
    tracemalloc.start()
    loop(f, tokens, warm // 10 or 1, raises)
    gc.collect()
    t0, _ = tracemalloc.get_traced_memory()
    loop(f, tokens, traced, raises)
    gc.collect()
    t1, tpeak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "scenario": name,
        "alg": alg,
        "count": count,
        "us_per_token": elapsed / count * 1e6,
        "rss_start": rss0,
        "rss_growth": rss1 - rss0,
        "peak_growth": peak1 - peak0,
        "traced_count": traced,
        "tracemalloc_growth": t1 - t0,
        "tracemalloc_peak_over_start": tpeak - t0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--count", type=int, default=10_000_000)
    args = parser.parse_args()
    check_twin(pure=False)
    fx = load_fixture(args.fixture)
    results = []
    for name, alg, f, tokens, raises in scenarios(fx):
        r = measure(name, alg, f, tokens, raises, args.count)
        results.append(r)
        print(f"{alg} {name}: {r['count']:,} tokens, RSS {r['rss_growth'] / 1024:+.0f} KiB, "
              f"tracemalloc {r['tracemalloc_growth']:+,} B", file=sys.stderr)
    json.dump({"cache_api": has_cache_api(), "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The pyperf part of the suite: one benchmark per (section, case, contender).

Run by ``run.py``; by hand it is an ordinary pyperf script::

    python benchmarks/suite.py --fixture F --probe-file P --group native --select verify/HS256/ -o out.json

Benchmark names are ``SECTION/CASE/CONTENDER``:

- ``verify/ALG/...`` decode + signature + exp/aud/iss of one token;
- ``sign/ALG/...``   encode (sign) one claim set;
- ``size/BYTES/...`` HS256 verification of tokens with BYTES of payload;
- ``pem/ALG/...``    a key passed as a PEM string on every call vs prepared;
- ``jwe/CASE/...``   decrypt one compact JWE (CASE: ``dir``, ``RSA-OAEP-256``,
  ``ECDH-ES+A256KW``, all with A256GCM content encryption).

``--group pure`` holds the contenders that need ``CYJOSE_NO_EXTENSIONS=1``
(the choice of twin is made at import), ``--group native`` all the others;
run.py starts the pure group with that variable set and
``--inherit-environ CYJOSE_NO_EXTENSIONS`` so pyperf's workers get it too.
``--probe`` builds every contender of the group once, checks it against the
hostile tokens and prints what it can do (JSON) instead of timing anything.
"""

from __future__ import annotations

import json
import sys
import warnings
from typing import Any, Callable, Dict, Iterator, List, Tuple

import contenders as C
import pyperf
from _common import ALGORITHMS, JWE_CASES, PEM_ALGORITHMS, SIZES, check_twin, load_fixture

warnings.simplefilter("ignore")  # deprecation noise of the peers (authlib.jose, ...)

def matrix(fx: Dict[str, Any], group: str) -> Iterator[Tuple[str, Callable[[], Any], Any]]:
    """(name, build, spec) for every benchmark of ``group``; build() -> (callable, its argument)."""
    pure = group == "pure"

    def token_builder(contender_make, case, **options):
        def build():
            f = contender_make(case, fx, **options)
            token = case["token"]
            f(token)  # fill caches the way a running service would have them
            return f, token

        return build

    def sign_builder(contender_make, case):
        def build():
            return contender_make(case, fx), _NO_ARG

        return build

    for alg in ALGORITHMS:
        case = fx["verify"][alg]
        for c in C.VERIFY:
            if c.pure == pure:
                yield f"verify/{alg}/{c.key}", token_builder(c.make, case), ("verify", c, case, False)
    for alg in ALGORITHMS:
        case = fx["verify"][alg]
        for c in C.SIGN:
            if c.pure == pure:
                yield f"sign/{alg}/{c.key}", sign_builder(c.make, case), ("sign", c, case, False)
    for size in SIZES:
        case = fx["sizes"][str(size)]
        for key in C.SIZE_KEYS:
            c = C.BY_KEY[key]
            if c.pure == pure:
                yield f"size/{size}/{c.key}", token_builder(c.make, case), ("verify", c, case, False)
    if not pure:
        for alg in PEM_ALGORITHMS:
            case = fx["verify"][alg]
            for key, _label, make, pem in C.PEM_ROWS:
                yield f"pem/{alg}/{key}", token_builder(make, case, pem=pem), ("pem", make, case, pem)
    for name in JWE_CASES:
        case = fx["jwe"][name]
        for c in C.JWE:
            if c.pure == pure:
                yield f"jwe/{name}/{c.key}", token_builder(c.make, case), ("jwe", c, case, False)


def probe(fx: Dict[str, Any], group: str) -> Dict[str, Dict[str, Any]]:
    """Build and sanity-check every contender once: {name: {"ok", "note"}}."""
    report: Dict[str, Dict[str, Any]] = {}
    for name, _build, (kind, contender, case, pem) in matrix(fx, group):
        try:
            if kind == "sign":
                g = contender.make(case, fx)
                token = g()
                note = None
                if not contender.floor:
                    if isinstance(token, bytes):
                        token = token.decode()
                    # every signed token must verify with an independent verifier
                    import jwt

                    key = fx["secret"] if case["family"] == "oct" else fx["keys"][case["family"]]["public_pem"]
                    claims = jwt.decode(token, key, algorithms=[case["alg"]], audience=C.AUDIENCE)
                    assert claims["sub"] == C.SUBJECT
            elif kind == "jwe":
                f = contender.make(case, fx)
                if contender.floor:
                    assert f(case["token"]) == case["plaintext"].encode(), "floor: the token does not decrypt"
                    note = None
                else:
                    note = C.jwe_sanity_check(f, case)
            else:
                make = contender if kind == "pem" else contender.make
                f = make(case, fx, pem=pem)
                floor = kind != "pem" and contender.floor
                if floor:
                    # the primitive raises (cryptography) or returns False (hmac) on a bad signature
                    assert f(case["token"]) is not False, "floor: the signature does not verify"
                    note = None
                else:
                    note = C.sanity_check(f, case)
            report[name] = {"ok": True, "note": note}
        except C.Unsupported as exc:
            report[name] = {"ok": False, "note": str(exc)}
        except ImportError as exc:
            report[name] = {"ok": False, "note": f"not installed ({exc.name})"}
        except Exception as exc:  # noqa: BLE001 - report, never hide, a contender that fails
            report[name] = {"ok": False, "note": f"failed: {type(exc).__name__}: {exc}"[:200]}
    return report


def add_cmdline_args(cmd: List[str], args) -> None:
    cmd.extend(["--fixture", args.fixture, "--group", args.group])
    if args.probe_file:
        cmd.extend(["--probe-file", args.probe_file])
    for prefix in args.select or ():
        cmd.extend(["--select", prefix])


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args)
    parser = runner.argparser
    parser.add_argument("--fixture", required=True, help="fixture JSON written by run.py")
    parser.add_argument("--group", choices=("native", "pure"), default="native")
    parser.add_argument("--select", action="append", help="only benchmarks whose name starts with this")
    parser.add_argument("--probe-file", help="probe JSON: benchmarks marked not ok are skipped")
    parser.add_argument("--probe", action="store_true", help="print what each contender can do, time nothing")
    args = runner.parse_args()
    check_twin(pure=args.group == "pure")
    fx = load_fixture(args.fixture)

    if args.probe:
        json.dump(probe(fx, args.group), sys.stdout)
        return

    allowed = None
    if args.probe_file:
        with open(args.probe_file) as fh:
            allowed = {name for name, r in json.load(fh).items() if r["ok"]}

    for name, build, _ in matrix(fx, args.group):
        if args.select and not any(name.startswith(prefix) for prefix in args.select):
            continue
        if allowed is not None and name not in allowed:
            continue
        runner.bench_time_func(name, _timer(build))


_NO_ARG = object()


def _timer(build: Callable[[], Tuple[Callable[..., Any], Any]]) -> Callable[[int], float]:
    """pyperf time function: the contender is built (untimed) on first use.

    ``f(token)`` (or ``g()`` when signing) is called directly in the loop, with
    no wrapper in between, so sub-microsecond rows are not inflated.
    """
    state: Dict[str, Tuple[Callable[..., Any], Any]] = {}

    def time_func(loops: int) -> float:
        built = state.get("built")
        if built is None:
            built = state["built"] = build()
        f, arg = built
        timer = pyperf.perf_counter
        it = range(loops)
        if arg is _NO_ARG:
            t0 = timer()
            for _ in it:
                f()
            return timer() - t0
        t0 = timer()
        for _ in it:
            f(arg)
        return timer() - t0

    return time_func


if __name__ == "__main__":
    main()

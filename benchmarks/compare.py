"""First benchmark: cyjose (native, pure Python) against PyJWT, HS256 and RS256.

Measures one full verification per token -- split, base64url, JSON, signature,
``exp``/``aud``/``iss`` checks -- on the same tokens and keys for every
contender. Each contender runs in its own subprocess (so
``CYJOSE_NO_EXTENSIONS`` can select the pure-Python twins), rounds are
interleaved so machine noise hits everyone alike, and the table reports
medians over rounds.

    python benchmarks/compare.py            # full run (~1 minute on 2 cores)
    python benchmarks/compare.py --quick    # a few seconds

Writes benchmarks/results/compare.md (and prints it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALGORITHMS = ("HS256", "RS256")
AUDIENCE, ISSUER = "https://api.example.com", "https://issuer.example.com"

# name -> (library, API, environment overrides)
CONTENDERS = {
    "cyjose Verifier (native)": ("cyjose", "verifier", {}),
    "cyjose decode() (native)": ("cyjose", "decode", {}),
    "cyjose Verifier (pure Python)": ("cyjose", "verifier", {"CYJOSE_NO_EXTENSIONS": "1"}),
    "cyjose decode() (pure Python)": ("cyjose", "decode", {"CYJOSE_NO_EXTENSIONS": "1"}),
    "PyJWT 2.x decode()": ("jwt", "decode", {}),
}


def make_fixture(path: Path) -> None:
    """Keys and one token per algorithm, shared by every contender."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    import jwt  # PyJWT makes the tokens: no contender verifies its own output

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    secret = "s" * 32
    claims = {"sub": "user-42", "aud": AUDIENCE, "iss": ISSUER, "exp": int(time.time()) + 86400, "iat": int(time.time())}
    fixture = {
        "HS256": {"token": jwt.encode(claims, secret, algorithm="HS256"), "key": secret},
        "RS256": {"token": jwt.encode(claims, private, algorithm="RS256"), "key": public_pem},
    }
    path.write_text(json.dumps(fixture))


def worker(library: str, api: str, alg: str, fixture_path: str, loops: int) -> float:
    """µs per verification for one contender (runs inside the subprocess)."""
    case = json.loads(Path(fixture_path).read_text())[alg]
    token, key = case["token"], case["key"]
    lib = __import__(library)
    if library == "cyjose" and api == "verifier":
        verifier = lib.Verifier(key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        call = lambda: verifier.verify(token)  # noqa: E731
    else:
        decode = lib.decode
        call = lambda: decode(token, key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)  # noqa: E731
    assert call()["sub"] == "user-42"
    for _ in range(max(loops // 10, 10)):  # warm-up
        call()
    start = time.perf_counter()
    for _ in range(loops):
        call()
    return (time.perf_counter() - start) / loops * 1e6


def run_one(name: str, alg: str, fixture: Path, loops: int) -> float:
    library, api, env_overrides = CONTENDERS[name]
    env = {**os.environ, **env_overrides}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", library, api, alg, str(fixture), str(loops)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    result = json.loads(out)
    if library == "cyjose" and result["native"] != ("CYJOSE_NO_EXTENSIONS" not in env_overrides):
        sys.exit(f"{name}: cyjose.NATIVE is {result['native']}; install the compiled build "
                 f"(pip install .) and run from outside src/ so the contender is what it says")
    return result["us"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and loops")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, api, alg, fixture_path, loops = args.worker
        micros = worker(library, api, alg, fixture_path, int(loops))
        native = getattr(sys.modules.get("cyjose"), "NATIVE", None)
        print(json.dumps({"us": micros, "native": native}))
        return 0

    rounds = 3 if args.quick else 7
    loops = {"HS256": 5000 if args.quick else 30000, "RS256": 1000 if args.quick else 5000}
    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "fixture.json"
        make_fixture(fixture)
        samples = {(name, alg): [] for name in CONTENDERS for alg in ALGORITHMS}
        for round_no in range(rounds):
            for alg in ALGORITHMS:
                for name in CONTENDERS:
                    samples[name, alg].append(run_one(name, alg, fixture, loops[alg]))
            print(f"round {round_no + 1}/{rounds} done", file=sys.stderr)
    table = render(samples, rounds)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "compare.md").write_text(table)
    print(table)
    return 0


def render(samples: dict, rounds: int) -> str:
    import cyjose

    lines = [
        f"Verification of one token (decode + signature + exp/aud/iss), median of {rounds} rounds.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, cyjose {cyjose.__version__}.",
        "",
        "| algorithm | contender | µs/token | tokens/s | speed-up vs PyJWT |",
        "|---|---|---:|---:|---:|",
    ]
    for alg in ALGORITHMS:
        baseline = statistics.median(samples["PyJWT 2.x decode()", alg])
        for name in CONTENDERS:
            median = statistics.median(samples[name, alg])
            lines.append(f"| {alg} | {name} | {median:.2f} | {1e6 / median:,.0f} | {baseline / median:.1f}× |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

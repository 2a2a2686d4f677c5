"""Shared pieces of the benchmark suite: constants, the fixture, the machine.

The fixture (keys and tokens) is made once per run by :func:`make_fixture`
and written as JSON; every contender in every process reads the same file,
so all of them verify the very same tokens with the very same keys.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

AUDIENCE = "https://api.example.com"
ISSUER = "https://issuer.example.com"
SUBJECT = "user-42"

#: Algorithms of the main verification table.
ALGORITHMS = ("HS256", "HS512", "RS256", "PS256", "ES256", "EdDSA")
#: Payload sizes of the size-scaling section (bytes of payload JSON, approximately).
SIZES = (100, 1024, 10 * 1024, 100 * 1024)
#: Algorithms of the PEM-vs-prepared-key section.
PEM_ALGORITHMS = ("RS256", "ES256", "EdDSA")
#: Algorithms of the threads section.
THREAD_ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA")
#: Cases of the JWE decrypt section: case name -> (alg, enc, key family).
JWE_CASES = {
    "dir": ("dir", "A256GCM", "oct"),
    "RSA-OAEP-256": ("RSA-OAEP-256", "A256GCM", "rsa"),
    "ECDH-ES+A256KW": ("ECDH-ES+A256KW", "A256GCM", "ec"),
}
#: Per JWE case, an (alg, enc) pair the same key also fits but the decrypting side does not allow.
JWE_OTHER_ALGORITHM = {
    "dir": ("dir", "A128CBC-HS256"),  # a 32-byte key is also an A128CBC-HS256 key
    "RSA-OAEP-256": ("RSA-OAEP", "A256GCM"),
    "ECDH-ES+A256KW": ("ECDH-ES+A128KW", "A256GCM"),
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def claims_of_size(size: int, now: int) -> Dict[str, Any]:
    """The benchmark claims, padded with a ``data`` claim to ~``size`` bytes of JSON."""
    claims: Dict[str, Any] = {
        "sub": SUBJECT,
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": now,
        "exp": now + 7 * 86400,
    }
    base = len(json.dumps(claims, separators=(",", ":")))
    if size > base:
        filler = max(size - base - len(',"data":""'), 0)
        claims["data"] = ("lorem ipsum dolor sit amet " * (filler // 27 + 1))[:filler]
    return claims


def jwe_claims(now: int) -> bytes:
    """The JWE plaintext: a typical access-token claims set, about 200 bytes of JSON."""
    claims = {
        "sub": SUBJECT, "aud": AUDIENCE, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 7 * 86400,
        "jti": os.urandom(16).hex(), "scope": "profile email orders:read",
    }  # fmt: skip
    return json.dumps(claims, separators=(",", ":")).encode()


def make_jwe_cases(keys: Dict[str, Any], now: int) -> Dict[str, Dict[str, Any]]:
    """The JWE section's tokens, all encrypted by cyjose to the keys of ``keys`` (family -> key).

    Besides the good token, each case has a tampered one (a changed tag) and
    one made with an ``alg``/``enc`` pair outside the case's allow-list, which
    every contender is checked against before it is timed.
    """
    from cyjose import jwe

    plaintext = jwe_claims(now)
    cases = {}
    for name, (alg, enc, family) in JWE_CASES.items():
        key = keys[family]
        encrypt_to = key if family == "oct" else key.public_key()
        token = jwe.encrypt(plaintext, encrypt_to, alg=alg, enc=enc)
        head, encrypted_key, iv, ciphertext, tag = token.split(".")
        tampered_tag = ("A" if tag[0] != "A" else "B") + tag[1:]
        other_alg, other_enc = JWE_OTHER_ALGORITHM[name]
        cases[name] = {
            "alg": alg,
            "enc": enc,
            "family": family,
            "plaintext": plaintext.decode(),
            "token": token,
            "tampered": ".".join((head, encrypted_key, iv, ciphertext, tampered_tag)),
            "other_algorithm": jwe.encrypt(plaintext, encrypt_to, alg=other_alg, enc=other_enc),
        }
    return cases


def make_fixture(path: Path) -> Dict[str, Any]:
    """Generate keys and tokens for every case and write them to ``path``.

    PyJWT makes the signed tokens (it is the reference every peer interoperates
    with), cyjose the JWE tokens (PyJWT has no JWE). For each algorithm there
    is a good token plus hostile variants (bad signature, wrong audience, wrong
    issuer, expired) that every contender is checked against before it is
    timed, so a row can only be fast because it does the work, not because it
    skips a check.
    """
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    now = int(time.time())
    secret = b64url(os.urandom(48))  # 64 ASCII characters: long enough for HS512
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    dir_key = os.urandom(32)  # the A256GCM content key of the JWE "dir" case

    def pems(private):
        priv = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        pub = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        return priv, pub

    keys = {"rsa": pems(rsa_key), "ec": pems(ec_key), "ed": pems(ed_key)}
    family = {"HS256": "oct", "HS512": "oct", "RS256": "rsa", "PS256": "rsa", "ES256": "ec", "EdDSA": "ed"}
    signing = {"oct": secret, "rsa": rsa_key, "ec": ec_key, "ed": ed_key}

    def case(alg: str, claims: Dict[str, Any]) -> Dict[str, Any]:
        fam = family[alg]
        sign_key = signing[fam]
        token = jwt.encode(claims, sign_key, algorithm=alg)
        head, body, sig = token.split(".")
        bad_sig = head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        return {
            "alg": alg,
            "family": fam,
            "claims": claims,
            "token": token,
            "bad_signature": bad_sig,
            "wrong_audience": jwt.encode({**claims, "aud": "https://other.example.com"}, sign_key, algorithm=alg),
            "wrong_issuer": jwt.encode({**claims, "iss": "https://evil.example.com"}, sign_key, algorithm=alg),
            "expired": jwt.encode({**claims, "exp": now - 3600, "iat": now - 7200}, sign_key, algorithm=alg),
        }

    fixture = {
        "created": now,
        "secret": secret,
        "keys": {fam: {"private_pem": priv, "public_pem": pub} for fam, (priv, pub) in keys.items()},
        "verify": {alg: case(alg, claims_of_size(0, now)) for alg in ALGORITHMS},
        "sizes": {str(size): case("HS256", claims_of_size(size, now)) for size in SIZES},
        "jwe_dir_key": b64url(dir_key),
        "jwe": make_jwe_cases({"oct": dir_key, "rsa": rsa_key, "ec": ec_key}, now),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fixture))
    return fixture


_FIXTURE_CACHE: Dict[str, Dict[str, Any]] = {}


def load_fixture(path: str) -> Dict[str, Any]:
    if path not in _FIXTURE_CACHE:
        _FIXTURE_CACHE[path] = json.loads(Path(path).read_text())
    return _FIXTURE_CACHE[path]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


LIBRARIES = {
    # distribution name -> import name
    "cyjose": "cyjose",
    "PyJWT": "jwt",
    "python-jose": "jose",
    "joserfc": "joserfc",
    "Authlib": "authlib",
    "jwcrypto": "jwcrypto",
    "oxyjwt": "oxyjwt",
    "webtoken": "webtoken",
    "cryptography": "cryptography",
    "orjson": "orjson",
    "pyperf": "pyperf",
}


def library_versions() -> Dict[str, str]:
    from importlib import metadata

    versions = {}
    for dist in LIBRARIES:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def machine_info() -> Dict[str, Any]:
    import cyjose

    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cyjose_native": cyjose.NATIVE,
        "libraries": library_versions(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_start": load_average(),
    }
    info["cyjose_location"] = str(Path(cyjose.__file__).parent)
    if not Path(cyjose.__file__).resolve().is_relative_to(HERE.parent / "src"):
        # an installed copy, not this work tree: say which commit it was built from, if told
        info["cyjose_commit"] = os.environ.get("CYJOSE_BENCH_COMMIT", "installed copy (commit unknown)")
        return info
    try:
        info["cyjose_commit"] = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(HERE), "status", "--porcelain", "--", "../src"], capture_output=True, text=True
        ).stdout.strip()
        if dirty:
            info["cyjose_commit"] += " (+ uncommitted changes in src/)"
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def load_average() -> str:
    """The 1/5/15-minute load averages: how busy the (possibly shared) machine was."""
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def has_cache_api() -> bool:
    """True when this cyjose build has the verified-token cache (``Verifier(cache_size=...)``)."""
    import inspect

    import cyjose

    return "cache_size" in inspect.signature(cyjose.Verifier).parameters


def python_env(pure: bool) -> Dict[str, str]:
    """The environment for a subprocess running native or pure-Python cyjose."""
    env = dict(os.environ)
    env.pop("CYJOSE_NO_EXTENSIONS", None)
    if pure:
        env["CYJOSE_NO_EXTENSIONS"] = "1"
    return env


def check_twin(pure: bool) -> None:
    """Exit if the live cyjose twin is not the one this process is meant to measure."""
    import cyjose

    if cyjose.NATIVE == pure:
        sys.exit(
            f"cyjose.NATIVE is {cyjose.NATIVE} but this process should measure the "
            f"{'pure-Python' if pure else 'compiled'} twins: install the compiled build "
            "(pip install .) and run from the repository root, not from src/"
        )

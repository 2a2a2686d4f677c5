"""pytest-benchmark smoke runs of JWE decryption (review-time regression check).

Deselected in the normal test run; run with ``python -m pytest -m bench``
(and once more with ``CYJOSE_NO_EXTENSIONS=1`` for the pure-Python twins of
the public API). The cases are those of the ``jwe`` section of
``benchmarks/run.py``: ``dir``, ``RSA-OAEP-256`` and ``ECDH-ES+A256KW``, all
with A256GCM, on a claims-sized plaintext. Each test checks the result once,
outside the timing, and asserts nothing about time.
"""

from __future__ import annotations

import json
import os
import time

import pytest

pytest.importorskip("pytest_benchmark")

import sample_keys as keys  # noqa: E402

from cyjose import jwe  # noqa: E402

pytestmark = pytest.mark.bench

NOW = int(time.time())
#: A typical access-token claims set, about 200 bytes of JSON.
PLAINTEXT = json.dumps(
    {
        "sub": "user-42", "aud": "https://api.example.com", "iss": "https://issuer.example.com",
        "iat": NOW, "nbf": NOW, "exp": NOW + 86400, "jti": os.urandom(16).hex(),
        "scope": "profile email orders:read",
    },  # fmt: skip
    separators=(",", ":"),
).encode()

DIR_KEY = os.urandom(32)
#: case -> (alg, enc, the decrypting key, the encrypting key)
CASES = {
    "dir": ("dir", "A256GCM", DIR_KEY, DIR_KEY),
    "RSA-OAEP-256": ("RSA-OAEP-256", "A256GCM", keys.private("RS256"), keys.public("RS256")),
    "ECDH-ES+A256KW": ("ECDH-ES+A256KW", "A256GCM", keys.private("ES256"), keys.public("ES256")),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    alg, enc, private, public = CASES[request.param]
    token = jwe.encrypt(PLAINTEXT, public, alg=alg, enc=enc)
    return token, private, [alg], [enc]


def test_jwe_decrypt(benchmark, case):
    token, key, algorithms, encryptions = case

    def decrypt() -> bytes:
        return jwe.decrypt(token, key, algorithms=algorithms, encryptions=encryptions)

    assert decrypt() == PLAINTEXT
    benchmark(decrypt)


def test_split_jwe(benchmark, compact, case):
    token = case[0]
    parts = compact.split_jwe(token)
    assert b".".join(parts) == token.encode()
    benchmark(compact.split_jwe, token)

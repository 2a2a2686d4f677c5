"""A Verifier whose key source is a JWK set: a JWKS dict, a PyJWKSet or a PyJWKClient.

The key is chosen per token by ``kid`` (or, without ``kid``, the set's only
key for the token's algorithm); once chosen, the token takes the same fast
path and cache as with a single key. A client-backed set is asked again at
most every RECHECK_SECONDS, so a withdrawn key stops verifying.

Key-set policy (issue 7): a set with duplicate ``kid``s or with symmetric and
asymmetric keys together is refused with PyJWKSetError -- a fixed set when the
Verifier is built, a client's set whenever a new one is taken (every token
then fails until the endpoint serves a good set again). PyJWKSet itself
accepts such sets, as PyJWT's does.
"""

from __future__ import annotations

import time
from typing import Any, Dict

import jwt as pyjwt
import pytest
import sample_keys as keys
from jwks_server import JWKSServer, Reply

import cyjose
from cyjose import PyJWKClient, PyJWKSet
from cyjose._keyset import RECHECK_SECONDS
from cyjose.exceptions import (
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWKClientConnectionError,
    PyJWKSetError,
    UnknownKeyError,
)

# kid -> (algorithm, variant of the test key): distinct keys, so a wrong pick cannot verify.
KIDS = {"rsa-a": ("RS256", ""), "rsa-b": ("RS256", "other"), "ec-c": ("ES256", ""), "ed-d": ("EdDSA", "")}


def public_jwk(kid: str, **members: Any) -> Dict[str, Any]:
    alg, variant = KIDS[kid]
    jwk = cyjose.get_algorithm_by_name(alg).to_jwk(keys.public(alg, variant), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, **members}


def jwks(*kids: str, **members: Any) -> Dict[str, Any]:
    return {"keys": [public_jwk(kid, **members) for kid in kids]}


def token(kid: str, signer: str = "", headers: Any = None, **claims: Any) -> str:
    """A token naming ``kid``, signed with ``signer``'s key (default: kid's own)."""
    alg, variant = KIDS[signer or kid]
    header = {"kid": kid} if headers is None else headers
    return cyjose.encode({"sub": kid, **claims}, keys.private(alg, variant), algorithm=alg, headers=header)


SOURCES = {
    "dict": lambda data: data,
    "PyJWKSet": PyJWKSet.from_dict,
}


@pytest.fixture(params=sorted(SOURCES))
def make_source(request):
    return SOURCES[request.param]


ALGS = ["RS256", "ES256", "EdDSA"]


def test_each_token_gets_its_own_key(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "rsa-b", "ec-c", "ed-d")), algorithms=ALGS)
    for _ in range(3):  # the first round resolves, then the fast path answers
        for kid in KIDS:
            assert v.verify(token(kid)) == {"sub": kid}


def test_a_token_signed_by_another_key_of_the_set_is_refused(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "rsa-b")), algorithms=["RS256"])
    forged = token("rsa-a", signer="rsa-b")
    for _ in range(2):
        assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}
        with pytest.raises(InvalidSignatureError):
            v.verify(forged)


def test_unknown_kid_is_an_invalid_token(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a")), algorithms=["RS256"])
    stranger = token("rsa-b", headers={"kid": "nobody"})
    for _ in range(2):
        with pytest.raises(UnknownKeyError, match='Unable to find a signing key that matches: "nobody"'):
            v.verify(stranger)
    assert issubclass(UnknownKeyError, InvalidTokenError)


def test_unknown_kid_is_cut_short_in_the_message(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a")), algorithms=["RS256"])
    with pytest.raises(UnknownKeyError) as raised:
        v.verify(token("rsa-a", headers={"kid": "k" * 100_000}))
    assert len(str(raised.value)) < 100


@pytest.mark.parametrize("kid", [1, ["rsa-a"], {"k": 1}, True])
def test_kid_that_is_not_a_string(make_source, kid):
    v = cyjose.Verifier(make_source(jwks("rsa-a")), algorithms=["RS256"])
    with pytest.raises(InvalidTokenError, match="Key ID header parameter must be a string"):
        v.verify(token("rsa-a", headers={"kid": kid}))


def test_algorithm_of_the_token_must_be_the_keys(make_source):
    # kid names an RSA key, the token says ES256 (signed by an EC key): refused before any signature check.
    v = cyjose.Verifier(make_source(jwks("rsa-a", "ec-c")), algorithms=["RS256", "ES256"])
    with pytest.raises(InvalidAlgorithmError):
        v.verify(token("rsa-a", signer="ec-c"))


def test_algorithm_outside_the_allow_list(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "ec-c")), algorithms=["RS256"])
    with pytest.raises(InvalidAlgorithmError):
        v.verify(token("ec-c"))


def test_key_published_for_encryption_never_verifies(make_source):
    data = {"keys": [public_jwk("rsa-a"), public_jwk("rsa-b", use="enc")]}
    v = cyjose.Verifier(make_source(data), algorithms=["RS256"])
    assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}
    with pytest.raises(InvalidKeyError, match='"use": "enc"'):
        v.verify(token("rsa-b"))


def test_no_kid_uses_the_only_key_for_the_algorithm(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "ec-c")), algorithms=["RS256", "ES256"])
    for _ in range(2):
        assert v.verify(token("rsa-a", headers={})) == {"sub": "rsa-a"}
        assert v.verify(token("ec-c", headers={})) == {"sub": "ec-c"}


def test_no_kid_with_several_candidates_is_refused(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "rsa-b")), algorithms=["RS256"])
    with pytest.raises(UnknownKeyError, match='no "kid" and the key set has 2 keys'):
        v.verify(token("rsa-a", headers={}))


def test_hmac_keys_in_a_set_take_the_hmac_fast_path(make_source):
    secret_a, secret_b = b"a" * 32, b"b" * 32
    data = {"keys": [{"kty": "oct", "kid": "a", "alg": "HS256", "k": cyjose.utils.base64url_encode(secret_a).decode()},
                     {"kty": "oct", "kid": "b", "alg": "HS256", "k": cyjose.utils.base64url_encode(secret_b).decode()}]}
    v = cyjose.Verifier(make_source(data), algorithms=["HS256"], audience="api")
    for _ in range(3):
        for kid, secret in (("a", secret_a), ("b", secret_b)):
            good = cyjose.encode({"aud": "api", "k": kid}, secret, algorithm="HS256", headers={"kid": kid})
            assert v.verify(good) == {"aud": "api", "k": kid}
            bad = cyjose.encode({"aud": "api"}, secret_b if kid == "a" else secret_a, algorithm="HS256",
                                headers={"kid": kid})
            with pytest.raises(InvalidSignatureError):
                v.verify(bad)


def test_a_set_without_a_key_for_the_algorithms_fails_at_construction(make_source):
    with pytest.raises(InvalidKeyError, match="no key that can verify"):
        cyjose.Verifier(make_source(jwks("ec-c")), algorithms=["RS256"])


@pytest.mark.parametrize("bad", [{"keys": []}, {"keys": "x"}, {"keys": [{"kty": "nope"}]}])
def test_unusable_jwks_dict(bad):
    with pytest.raises(PyJWKSetError):
        cyjose.Verifier(bad, algorithms=["RS256"])


def test_cache_with_a_set(make_source):
    v = cyjose.Verifier(make_source(jwks("rsa-a", "ec-c")), algorithms=ALGS, cache_size=8)
    for kid in ("rsa-a", "ec-c"):
        t = token(kid)
        assert v.verify(t) == v.verify(t) == {"sub": kid}
    assert v.cache_info().hits == 2


def test_replace_key_with_another_set_drops_withdrawn_keys():
    v = cyjose.Verifier(jwks("rsa-a", "rsa-b"), algorithms=["RS256"], cache_size=8)
    t = token("rsa-a")
    assert v.verify(t) == v.verify(t) == {"sub": "rsa-a"}
    v.replace_key(jwks("rsa-b"))
    with pytest.raises(UnknownKeyError):
        v.verify(t)
    assert v.verify(token("rsa-b")) == {"sub": "rsa-b"}


def test_a_single_pyjwk_without_algorithms_uses_its_own():
    jwk = cyjose.PyJWK(public_jwk("ec-c"))
    v = cyjose.Verifier(jwk)
    assert v.algorithms == ("ES256",)
    assert v.verify(token("ec-c")) == {"sub": "ec-c"}
    with pytest.raises(InvalidAlgorithmError):
        v.verify(token("rsa-a"))
    with pytest.raises(InvalidAlgorithmError, match="algorithms"):
        cyjose.Verifier(keys.public("ES256"))  # any other key still needs them


# --- key-set policy --------------------------------------------------------------------------

SECRET = b"s" * 32


def oct_jwk(kid: str) -> Dict[str, Any]:
    return {"kty": "oct", "kid": kid, "alg": "HS256", "k": cyjose.utils.base64url_encode(SECRET).decode()}


def with_duplicate_kid() -> Dict[str, Any]:
    """rsa-a's key and rsa-b's key, both published as "rsa-a"."""
    return {"keys": [public_jwk("rsa-a"), {**public_jwk("rsa-b"), "kid": "rsa-a"}]}


def mixed() -> Dict[str, Any]:
    return {"keys": [public_jwk("rsa-a"), oct_jwk("hmac")]}


BAD_SETS = {
    "duplicate kid": (with_duplicate_kid, 'more than one key with "kid" "rsa-a"'),
    "oct and RSA": (mixed, r"mixes symmetric \(oct\) and asymmetric keys"),
}


@pytest.mark.parametrize("bad", sorted(BAD_SETS))
def test_bad_set_refused_at_construction(make_source, bad):
    build, message = BAD_SETS[bad]
    with pytest.raises(PyJWKSetError, match=message):
        cyjose.Verifier(make_source(build()), algorithms=["RS256", "HS256"])


def test_duplicate_kid_refused_even_for_one_key_twice(make_source):
    data = {"keys": [public_jwk("rsa-a"), public_jwk("rsa-a")]}
    with pytest.raises(PyJWKSetError, match='"rsa-a"'):
        cyjose.Verifier(make_source(data), algorithms=["RS256"])


def test_keys_without_kid_are_not_duplicates(make_source):
    data = {"keys": [{k: v for k, v in public_jwk(kid).items() if k != "kid"} for kid in ("rsa-a", "ec-c")]}
    v = cyjose.Verifier(make_source(data), algorithms=["RS256", "ES256"])
    assert v.verify(token("rsa-a", headers={})) == {"sub": "rsa-a"}


def test_one_kind_of_key_passes(make_source):
    assert cyjose.Verifier(make_source({"keys": [oct_jwk("a"), oct_jwk("b")]}), algorithms=["HS256"])
    assert cyjose.Verifier(make_source(jwks("rsa-a", "ec-c", "ed-d")), algorithms=ALGS)


def test_pyjwkset_itself_accepts_bad_sets_as_pyjwt_does():
    """The policy is the Verifier's: PyJWKSet stays a drop-in for PyJWT's."""
    for build in (with_duplicate_kid, mixed):
        data = build()
        mine, theirs = PyJWKSet.from_dict(data), pyjwt.PyJWKSet.from_dict(data)
        assert [k.key_id for k in mine] == [k.key_id for k in theirs] == [k["kid"] for k in data["keys"]]
    first = PyJWKSet.from_dict(with_duplicate_kid())["rsa-a"]
    assert first.key.public_numbers() == keys.public("RS256").public_numbers()  # the first wins, as in PyJWT


def test_replace_key_with_a_bad_set_keeps_the_old_one():
    v = cyjose.Verifier(jwks("rsa-a"), algorithms=["RS256"])
    with pytest.raises(PyJWKSetError):
        v.replace_key(with_duplicate_kid())
    assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}


def test_a_jwks_dict_is_loaded_without_its_private_members():
    """A Verifier never parses private material: a private JWK whose "d" is bogus still verifies."""
    private = cyjose.get_algorithm_by_name("RS256").to_jwk(keys.private("RS256"), as_dict=True)
    bogus = {**private, "kid": "rsa-a", "d": private["n"], "key_ops": ["sign", "verify"]}
    with pytest.raises(PyJWKSetError, match="did not contain any usable keys"):
        PyJWKSet([bogus])  # loading it in full refuses it (drop-in default: private members are loaded)
    loaded = PyJWKSet([bogus], load_private=False)["rsa-a"]
    assert "d" not in loaded.to_dict(private=True) and not hasattr(loaded.key, "private_numbers")
    assert cyjose.Verifier({"keys": [bogus]}, algorithms=["RS256"]).verify(token("rsa-a")) == {"sub": "rsa-a"}


def test_load_private_keeps_oct_keys():
    data = [oct_jwk("h")]
    assert PyJWKSet(data, load_private=False)["h"].key == PyJWKSet(data)["h"].key == SECRET


# --- a PyJWKClient as the source ----------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server():
    with JWKSServer() as srv:
        yield srv


@pytest.fixture
def clocks(monkeypatch):
    """(wall clock of the claims, monotonic clock of the client and the Verifier's re-checks), moved together."""
    wall, mono = Clock(time.time()), Clock(time.monotonic())
    monkeypatch.setattr(time, "time", wall)
    monkeypatch.setattr(time, "monotonic", mono)

    def advance(seconds: float) -> None:
        wall.now += seconds
        mono.now += seconds

    return wall, mono, advance


def client(server, mono, **kwargs):
    return PyJWKClient(server.url(), clock=mono, timeout=2, **kwargs)


def test_client_is_not_called_at_construction(server, clocks):
    server.serve_json(jwks("rsa-a"))
    v = cyjose.Verifier(client(server, clocks[1]), algorithms=["RS256"])
    assert server.hits() == 0
    for _ in range(3):
        assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}
    assert server.hits() == 1


def test_client_rotation_new_kid_is_picked_up(server, clocks):
    server.serve_json(jwks("rsa-a"))
    v = cyjose.Verifier(client(server, clocks[1], cooldown_duration=0), algorithms=["RS256"])
    assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}
    server.serve_json(jwks("rsa-a", "rsa-b"))
    assert v.verify(token("rsa-b")) == {"sub": "rsa-b"}  # unknown kid: the client refetches
    assert v.verify(token("rsa-a")) == {"sub": "rsa-a"}


@pytest.mark.parametrize("cache_size", [0, 8])
def test_client_withdrawn_key_stops_verifying(server, clocks, cache_size):
    wall, mono, advance = clocks
    server.serve_json(jwks("rsa-a", "rsa-b"), headers={"Cache-Control": "max-age=5"})
    v = cyjose.Verifier(client(server, mono), algorithms=["RS256"], cache_size=cache_size)
    t = token("rsa-a")
    for _ in range(3):
        assert v.verify(t) == {"sub": "rsa-a"}
    server.serve_json(jwks("rsa-b"), headers={"Cache-Control": "max-age=5"})
    advance(RECHECK_SECONDS + 1)  # past the client's max-age and the Verifier's recheck
    with pytest.raises(UnknownKeyError):
        v.verify(t)
    assert v.verify(token("rsa-b")) == {"sub": "rsa-b"}


def test_client_unchanged_set_keeps_serving(server, clocks):
    wall, mono, advance = clocks
    server.serve_json(jwks("rsa-a"), headers={"Cache-Control": "max-age=5"})
    v = cyjose.Verifier(client(server, mono), algorithms=["RS256"])
    t = token("rsa-a")
    for _ in range(4):
        assert v.verify(t) == {"sub": "rsa-a"}
        advance(RECHECK_SECONDS + 1)
    assert server.hits() >= 2  # the set was fetched again, the same keys came back


def test_client_outage_without_any_set(server, clocks):
    server.reply(Reply(status=500))
    v = cyjose.Verifier(client(server, clocks[1]), algorithms=["RS256"])
    with pytest.raises(PyJWKClientConnectionError):
        v.verify(token("rsa-a"))


def serve(server, data):
    server.serve_json(data, headers={"Cache-Control": "max-age=5"})


@pytest.mark.parametrize("bad", sorted(BAD_SETS))
def test_client_set_turning_bad_after_a_refresh_fails_every_token(server, clocks, bad):
    wall, mono, advance = clocks
    build, message = BAD_SETS[bad]
    serve(server, jwks("rsa-a", "rsa-b"))
    v = cyjose.Verifier(client(server, mono), algorithms=["RS256"], cache_size=8)
    known = token("rsa-a")
    assert v.verify(known) == v.verify(known) == {"sub": "rsa-a"}
    serve(server, build())
    advance(RECHECK_SECONDS + 1)  # the client refetches, the Verifier rechecks
    for t in (known, token("rsa-b")):  # a bound key, a cached token and a key not yet bound
        with pytest.raises(PyJWKSetError, match=message):
            v.verify(t)
    serve(server, jwks("rsa-a", "rsa-b"))
    advance(RECHECK_SECONDS + 1)
    assert v.verify(known) == {"sub": "rsa-a"}
    assert v.verify(token("rsa-b")) == {"sub": "rsa-b"}


@pytest.mark.parametrize("bad", sorted(BAD_SETS))
def test_client_whose_first_set_is_bad(server, clocks, bad):
    build, message = BAD_SETS[bad]
    serve(server, build())
    v = cyjose.Verifier(client(server, clocks[1]), algorithms=["RS256"])
    for headers in ({"kid": "rsa-a"}, {}):  # chosen by kid, or the only RS256 key
        with pytest.raises(PyJWKSetError, match=message):
            v.verify(token("rsa-a", headers=headers))


def test_client_serving_an_oct_key_verifies_nothing(server, clocks):
    """A key fetched from a URL is public: as an HMAC secret it would let anyone mint
    tokens. A Verifier backed by a PyJWKClient refuses a set holding one, even an
    all-oct set (a fixed set of oct keys stays the caller's own secret)."""
    serve(server, {"keys": [oct_jwk("hmac")]})
    forged = cyjose.encode({"sub": "admin"}, SECRET, algorithm="HS256", headers={"kid": "hmac"})
    v = cyjose.Verifier(client(server, clocks[1]), algorithms=["HS256"])
    with pytest.raises(PyJWKSetError, match=r"serves a symmetric \(oct\) key"):
        v.verify(forged)
    assert cyjose.Verifier({"keys": [oct_jwk("hmac")]}, algorithms=["HS256"]).verify(forged) == {"sub": "admin"}

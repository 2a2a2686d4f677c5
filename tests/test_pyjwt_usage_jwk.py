"""PyJWT's documented JWK / JWKS usage, written as a PyJWT user writes it, run against cyjose.

``PyJWK``, ``PyJWKSet``, the algorithms' ``to_jwk`` / ``from_jwk`` and
``PyJWKClient`` (fetching from a JWKS endpoint this module starts on 127.0.0.1),
with ``import cyjose as jwt``. Expected values come from the JWK itself, the
``cryptography`` key it was made from, or PyJWT run side by side (``pyjwt``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import jwt as pyjwt
import pytest
import sample_keys as keys

import cyjose as jwt  # noqa: F811 - PyJWT code, cyjose underneath
from cyjose import PyJWK, PyJWKClient, PyJWKSet
from cyjose.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm

SECRET = b"a-32-byte-long-secret-for-hs256!"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raised(call: Any) -> Tuple[str, str]:
    with pytest.raises(Exception) as info:
        call()
    return type(info.value).__name__, str(info.value)


def public_jwk(alg: str, kid: str, variant: str = "") -> Dict[str, Any]:
    """The public JWK of ``keys.public(alg)``, made by PyJWT (the reference)."""
    algorithm = pyjwt.get_algorithm_by_name(alg)
    jwk = algorithm.to_jwk(keys.public(alg, variant), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": alg}


# --- to_jwk / from_jwk -------------------------------------------------------------------


@pytest.mark.parametrize("alg, cls", [("RS256", RSAAlgorithm), ("ES256", ECAlgorithm), ("ES384", ECAlgorithm),
                                      ("ES512", ECAlgorithm), ("ES256K", ECAlgorithm), ("EdDSA", OKPAlgorithm)])
def test_to_jwk_like_pyjwt_and_back(alg, cls):
    for key in (keys.public(alg), keys.private(alg)):
        as_json = cls.to_jwk(key)
        assert isinstance(as_json, str)
        reference = type(pyjwt.get_algorithm_by_name(alg)).to_jwk(key, as_dict=True)
        assert json.loads(as_json) == reference
        assert cls.to_jwk(key, as_dict=True) == reference
        loaded = cls.from_jwk(as_json)
        assert type(loaded).__name__ == type(key).__name__
        assert cls.to_jwk(loaded, as_dict=True) == reference  # nothing lost on the way


def test_hmac_to_jwk_and_from_jwk():
    jwk = HMACAlgorithm.to_jwk(SECRET, as_dict=True)
    assert jwk == {"kty": "oct", "k": b64url(SECRET)}
    assert json.loads(HMACAlgorithm.to_jwk(SECRET)) == jwk
    assert HMACAlgorithm.from_jwk(jwk) == SECRET
    assert HMACAlgorithm.from_jwk(json.dumps(jwk)) == SECRET


def test_from_jwk_of_the_wrong_kind():
    with pytest.raises(jwt.InvalidKeyError):
        RSAAlgorithm.from_jwk({"kty": "oct", "k": b64url(SECRET)})
    with pytest.raises(jwt.InvalidKeyError):
        HMACAlgorithm.from_jwk(json.dumps(public_jwk("RS256", "k1")))
    with pytest.raises(jwt.InvalidKeyError):
        ECAlgorithm.from_jwk("this is not JSON")


# --- PyJWK --------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "PS384", "ES256", "ES256K", "ES384", "ES512", "EdDSA"])
def test_pyjwk_verifies_and_signs(alg):
    jwk = PyJWK(public_jwk(alg, "k1"))
    assert (jwk.key_type, jwk.key_id, jwk.public_key_use, jwk.algorithm_name) == (
        jwk.Algorithm.to_jwk(jwk.key, as_dict=True)["kty"], "k1", "sig", alg)
    token = jwt.encode({"sub": "1"}, keys.private(alg), algorithm=alg, headers={"kid": "k1"})
    assert jwt.decode(token, jwk, algorithms=[alg]) == {"sub": "1"}
    assert jwt.decode(token, jwk.key, algorithms=[alg]) == {"sub": "1"}


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_decode_with_a_pyjwk_needs_no_algorithms(alg):
    """PyJWT 2.15: "If key is a PyJWK object, allowed algorithms will default to the key algorithm"."""
    token = jwt.encode({"sub": "1"}, keys.private(alg), algorithm=alg)
    assert jwt.decode(token, PyJWK(public_jwk(alg, "k1"))) == {"sub": "1"}
    assert pyjwt.decode(token, pyjwt.PyJWK(public_jwk(alg, "k1"))) == {"sub": "1"}
    foreign = jwt.encode({"sub": "1"}, keys.secret("HS256"), algorithm="HS256")
    mine = raised(lambda: jwt.decode(foreign, PyJWK(public_jwk(alg, "k1"))))
    assert mine == raised(lambda: pyjwt.decode(foreign, pyjwt.PyJWK(public_jwk(alg, "k1"))))
    assert mine[0] == "InvalidAlgorithmError"


@pytest.mark.parametrize("jwk, expected_alg", [
    ({"kty": "oct", "k": b64url(SECRET)}, "HS256"),
    (lambda: {k: v for k, v in public_jwk("RS256", "x").items() if k != "alg"}, "RS256"),
    (lambda: {k: v for k, v in public_jwk("ES256", "x").items() if k != "alg"}, "ES256"),
    (lambda: {k: v for k, v in public_jwk("ES384", "x").items() if k != "alg"}, "ES384"),
    (lambda: {k: v for k, v in public_jwk("ES512", "x").items() if k != "alg"}, "ES512"),
    (lambda: {k: v for k, v in public_jwk("ES256K", "x").items() if k != "alg"}, "ES256K"),
    (lambda: {k: v for k, v in public_jwk("EdDSA", "x").items() if k != "alg"}, "EdDSA"),
], ids=["oct", "RSA", "P-256", "P-384", "P-521", "secp256k1", "Ed25519"])
def test_pyjwk_algorithm_from_the_key_type(jwk, expected_alg):
    data = jwk() if callable(jwk) else jwk
    assert PyJWK(data).algorithm_name == expected_alg == pyjwt.PyJWK(data).algorithm_name


def test_pyjwk_constructors_and_explicit_algorithm():
    data = {"kty": "oct", "k": b64url(SECRET), "kid": "hmac-1"}
    for jwk in (PyJWK(data, algorithm="HS512"), PyJWK.from_dict(data, algorithm="HS512"),
                PyJWK.from_json(json.dumps(data), algorithm="HS512")):
        assert jwk.key == SECRET and jwk.algorithm_name == "HS512" and jwk.key_id == "hmac-1"


def test_encode_with_a_pyjwk_uses_its_algorithm():
    """PyJWT 2.15: "If key is a PyJWK object, by default the key algorithm will be used"."""
    data = {"kty": "oct", "k": b64url(keys.secret("HS384")), "alg": "HS384"}
    token = jwt.encode({"a": 1}, PyJWK(data))
    assert jwt.get_unverified_header(token)["alg"] == "HS384"
    assert pyjwt.decode(token, keys.secret("HS384"), algorithms=["HS384"]) == {"a": 1}
    assert token == pyjwt.encode({"a": 1}, pyjwt.PyJWK(data))  # HMAC is deterministic: the same bytes


def test_pyjwk_binds_its_algorithm():
    """A token naming another algorithm than the key's is refused, as PyJWT 2.15 does."""
    hs256 = PyJWK({"kty": "oct", "k": b64url(SECRET), "alg": "HS256"})
    hs512 = jwt.encode({"a": 1}, keys.secret("HS512"), algorithm="HS512")
    mine = raised(lambda: jwt.decode(hs512, hs256, algorithms=["HS256", "HS512"]))
    reference = pyjwt.PyJWK({"kty": "oct", "k": b64url(SECRET), "alg": "HS256"})
    assert mine == raised(lambda: pyjwt.decode(hs512, reference, algorithms=["HS256", "HS512"]))
    assert mine[0] == "InvalidAlgorithmError"


def test_bad_jwks_raise_pyjwt_classes_without_leaking_secrets():
    secret_b64 = b64url(SECRET)
    cases = [{"k": secret_b64}, {"kty": "XYZ"}, {"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"},
             {"kty": "oct", "k": secret_b64, "alg": "FOO"}]
    for data in cases:
        mine = raised(lambda: PyJWK(data))
        assert mine[0] == raised(lambda: pyjwt.PyJWK(data))[0]
        assert secret_b64 not in mine[1]  # PyJWT prints the whole JWK here; cyjose never shows key material


# --- PyJWKSet ------------------------------------------------------------------------------


def test_pyjwkset_lookup_and_iteration():
    data = {"keys": [public_jwk("RS256", "rsa-1"), public_jwk("ES256", "ec-1"),
                     {"kty": "oct", "k": b64url(SECRET), "kid": "hmac-1"}]}
    for jwk_set in (PyJWKSet.from_dict(data), PyJWKSet.from_json(json.dumps(data)), PyJWKSet(data["keys"])):
        assert [k.key_id for k in jwk_set] == ["rsa-1", "ec-1", "hmac-1"]
        assert [k.key_id for k in jwk_set.keys] == ["rsa-1", "ec-1", "hmac-1"]
        assert jwk_set["ec-1"].algorithm_name == "ES256"
        with pytest.raises(KeyError):
            jwk_set["nope"]


def test_pyjwkset_errors_like_pyjwt():
    for data in ({"keys": []}, {"keys": "x"}, {}, {"keys": [{"kty": "XYZ"}]}):
        assert raised(lambda: PyJWKSet.from_dict(data)) == raised(lambda: pyjwt.PyJWKSet.from_dict(data))


# --- PyJWKClient against a local JWKS endpoint ---------------------------------------------------


class JWKSEndpoint:
    """A JWKS endpoint on 127.0.0.1: serves ``self.document`` at /jwks.json, 404 elsewhere."""

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.requests: List[Message] = []  # the headers of each request
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                endpoint.requests.append(self.headers)
                body = json.dumps(endpoint.document).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[JWKSEndpoint]:
    server = JWKSEndpoint()
    server.document = {"keys": [public_jwk("RS256", "rsa-1"), public_jwk("ES256", "ec-1")]}
    yield server
    server.close()


def test_retrieve_rsa_signing_key_from_a_jwks_endpoint(endpoint):
    """The "Retrieve RSA signing keys from a JWKS endpoint" example."""
    token = jwt.encode({"iss": "https://idp", "aud": "https://expenses-api", "exp": 1572006964},
                       keys.private("RS256"), algorithm="RS256", headers={"kid": "rsa-1"})
    optional_custom_headers = {"User-agent": "custom-user-agent"}
    jwks_client = PyJWKClient(endpoint.url, headers=optional_custom_headers)
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key, audience="https://expenses-api", options={"verify_exp": False},
                        algorithms=["RS256"])
    assert claims["iss"] == "https://idp"
    assert jwt.decode(token, signing_key.key, audience="https://expenses-api", options={"verify_exp": False},
                      algorithms=["RS256"]) == claims
    assert endpoint.requests[0].get("User-Agent") == "custom-user-agent"


def test_jwks_client_caches_the_set(endpoint):
    client = PyJWKClient(endpoint.url)
    assert [k.key_id for k in client.get_signing_keys()] == ["rsa-1", "ec-1"]
    assert client.get_signing_key("ec-1").algorithm_name == "ES256"
    assert client.get_jwk_set()["rsa-1"].key_type == "RSA"
    assert len(endpoint.requests) == 1  # one fetch; the rest from the cached set
    client.get_jwk_set(refresh=True)
    assert len(endpoint.requests) == 2


def test_jwks_client_unknown_kid_and_rotation(endpoint):
    client = PyJWKClient(endpoint.url, cooldown_duration=0)
    with pytest.raises(jwt.PyJWKClientError, match='Unable to find a signing key that matches: "new"'):
        client.get_signing_key("new")
    endpoint.document = {"keys": [public_jwk("RS256", "new")]}
    assert client.get_signing_key("new").key_id == "new"  # an unknown kid refreshes the set


def test_jwks_client_errors():
    with pytest.raises(jwt.PyJWKClientError):
        PyJWKClient("file:///etc/passwd")
    closed = JWKSEndpoint()
    url = closed.url
    closed.close()
    with pytest.raises(jwt.PyJWKClientConnectionError):
        PyJWKClient(url).get_signing_keys()


def test_oidc_login_flow_with_jwks_client(endpoint):
    """The "OIDC Login Flow" example, with the at_hash check."""
    client_id, access_token = "client-1", "access-token-value"
    at_hash = b64url(hashlib.sha256(access_token.encode()).digest()[:16])
    id_token = jwt.encode({"aud": client_id, "at_hash": at_hash}, keys.private("RS256"), algorithm="RS256",
                          headers={"kid": "rsa-1"})
    jwks_client = jwt.PyJWKClient(endpoint.url)
    signing_key = jwks_client.get_signing_key_from_jwt(id_token)
    data = jwt.decode_complete(id_token, key=signing_key, audience=client_id, algorithms=["RS256", "ES256"])
    payload, header = data["payload"], data["header"]
    alg_obj = jwt.get_algorithm_by_name(header["alg"])
    digest = alg_obj.compute_hash_digest(access_token.encode())
    assert base64.urlsafe_b64encode(digest[: (len(digest) // 2)]).rstrip(b"=").decode() == payload["at_hash"]

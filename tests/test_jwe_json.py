"""JWE JSON serialization (RFC 7516 §7.2): cyjose.jwe.encrypt_json / decrypt_json.

Round trips in both forms with one to three recipients of different key
management algorithms, checked by hand with ``cryptography`` (CEK unwrap and
the RFC 7516 §5.1 step 14 AAD); the header placement and duplication rules on
both sides; tampering with every member; wrong keys and key selection;
malformed objects; interop with jwcrypto and joserfc both ways; and every
RFC 7520 §5 example (plus §6 and the X25519 one) in its JSON forms, read from
``../shared/vectors`` (skipped when that folder is absent).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import random
from typing import Any, Dict, List

import pytest
import sample_keys as keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from test_jwe_vectors import COMPACT_EXAMPLES, JSON_ONLY_EXAMPLES, load

import cyjose
from cyjose import jwe
from cyjose.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidTokenError,
    JWEDecryptionError,
    LimitExceededError,
    PyJWTError,
    UnknownKeyError,
)
from cyjose.jwe import JWERecipient

PLAINTEXT = b"Three recipients, one secret."
ALL_ALGS = ["A128KW", "A256GCMKW", "RSA-OAEP-256", "ECDH-ES+A128KW", "ECDH-ES", "dir", "PBES2-HS256+A128KW"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def flip(text: str) -> str:
    """``text`` (base64url) with the top bit of its first byte flipped."""
    data = bytearray(unb64(text))
    data[0] ^= 0x80
    return b64(bytes(data))


KW_KEY = os.urandom(16)
GCMKW_KEY = os.urandom(32)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_KEY = keys.private("RS256")


def three_recipients() -> List[JWERecipient]:
    return [
        JWERecipient(KW_KEY, "A128KW", {"kid": "kw"}),
        JWERecipient(RSA_KEY.public_key(), "RSA-OAEP-256", {"kid": "rsa"}),
        JWERecipient(EC_KEY.public_key(), "ECDH-ES+A128KW", {"kid": "ec", "apu": b64(b"Alice")}),
    ]


def decrypt(obj: Any, key: Any, **kwargs: Any) -> Dict[str, Any]:
    options = {"algorithms": ALL_ALGS, "encryptions": ["A128GCM", "A256GCM", "A128CBC-HS256"], **kwargs}
    return jwe.decrypt_json(obj, key, **options)


def assert_decryption_failed(excinfo: pytest.ExceptionInfo) -> None:
    assert excinfo.type is JWEDecryptionError
    assert str(excinfo.value) == "Decryption failed"


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3])
def test_general_round_trip_each_recipient_decrypts(count: int) -> None:
    recipients = three_recipients()[:count]
    obj = jwe.encrypt_json(PLAINTEXT, recipients, "A128GCM", unprotected={"cty": "text/plain"})
    assert len(obj["recipients"]) == count and "encrypted_key" not in obj
    for index, key in enumerate([KW_KEY, RSA_KEY, EC_KEY][:count]):
        result = decrypt(json.dumps(obj), key)
        assert result["plaintext"] == PLAINTEXT
        assert result["recipient"] == index
        assert result["header"]["kid"] == recipients[index].header["kid"]  # type: ignore[index]
        assert result["header"]["cty"] == "text/plain" and result["unprotected"] == {"cty": "text/plain"}


def test_several_recipients_carry_alg_per_recipient_one_recipient_protects_it() -> None:
    several = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    assert json.loads(unb64(several["protected"])) == {"enc": "A128GCM"}
    assert [r["header"]["alg"] for r in several["recipients"]] == ["A128KW", "RSA-OAEP-256", "ECDH-ES+A128KW"]
    assert "epk" in several["recipients"][2]["header"]
    lone = jwe.encrypt_json(PLAINTEXT, three_recipients()[2], "A128GCM")
    protected = json.loads(unb64(lone["protected"]))
    assert protected["alg"] == "ECDH-ES+A128KW" and "epk" in protected
    assert lone["recipients"][0]["header"] == {"kid": "ec", "apu": b64(b"Alice")}


def test_flattened_round_trip_and_layout() -> None:
    obj = jwe.encrypt_json("text is UTF-8 ✓", JWERecipient(GCMKW_KEY, "A256GCMKW", {"kid": "g"}), "A256GCM",
                           flattened=True)
    assert set(obj) == {"protected", "header", "encrypted_key", "iv", "ciphertext", "tag"}
    protected = json.loads(unb64(obj["protected"]))
    assert protected["alg"] == "A256GCMKW" and {"iv", "tag"} <= set(protected)
    assert decrypt(obj, GCMKW_KEY)["plaintext"] == "text is UTF-8 ✓".encode()


@pytest.mark.parametrize("alg, key", [("dir", os.urandom(16)), ("ECDH-ES", EC_KEY)])
def test_key_agreement_and_dir_serve_one_recipient(alg: str, key: Any) -> None:
    public = key.public_key() if alg == "ECDH-ES" else key
    obj = jwe.encrypt_json(PLAINTEXT, [JWERecipient(public, alg)], "A128GCM", flattened=True)
    assert "encrypted_key" not in obj  # empty, so absent (RFC 7516 §7.2.1)
    assert decrypt(obj, key)["plaintext"] == PLAINTEXT
    with pytest.raises(InvalidAlgorithmError, match="lone recipient"):
        jwe.encrypt_json(PLAINTEXT, [JWERecipient(public, alg), JWERecipient(KW_KEY, "A128KW")], "A128GCM")


def test_aad_is_authenticated_and_follows_rfc7516_step_14() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, [JWERecipient(KW_KEY, "A128KW")], "A128GCM", aad=b"\x00extra\xff")
    assert unb64(obj["aad"]) == b"\x00extra\xff"
    # By hand: unwrap the CEK, then AES-GCM with ASCII(protected) '.' BASE64URL(aad).
    cek = aes_key_unwrap(KW_KEY, unb64(obj["recipients"][0]["encrypted_key"]))
    aad = (obj["protected"] + "." + obj["aad"]).encode("ascii")
    sealed = unb64(obj["ciphertext"]) + unb64(obj["tag"])
    assert AESGCM(cek).decrypt(unb64(obj["iv"]), sealed, aad) == PLAINTEXT
    assert decrypt(obj, KW_KEY)["aad"] == b"\x00extra\xff"
    with pytest.raises(JWEDecryptionError) as excinfo:
        decrypt({**obj, "aad": b64(b"other")}, KW_KEY)
    assert_decryption_failed(excinfo)
    without = {name: value for name, value in obj.items() if name != "aad"}
    with pytest.raises(JWEDecryptionError):
        decrypt(without, KW_KEY)


def test_without_aad_the_protected_segment_alone_is_authenticated() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, [JWERecipient(KW_KEY, "A128KW"), JWERecipient(GCMKW_KEY, "A256GCMKW")],
                           "A128GCM")
    cek = aes_key_unwrap(KW_KEY, unb64(obj["recipients"][0]["encrypted_key"]))
    sealed = unb64(obj["ciphertext"]) + unb64(obj["tag"])
    assert AESGCM(cek).decrypt(unb64(obj["iv"]), sealed, obj["protected"].encode("ascii")) == PLAINTEXT
    assert decrypt(obj, KW_KEY)["aad"] is None


def test_zip_round_trip_needs_an_allow_list() -> None:
    plaintext = b"squeeze " * 500
    obj = jwe.encrypt_json(plaintext, three_recipients()[:2], "A128GCM", zip="DEF")
    assert json.loads(unb64(obj["protected"]))["zip"] == "DEF"
    assert len(unb64(obj["ciphertext"])) < len(plaintext) // 10
    with pytest.raises(InvalidAlgorithmError):
        decrypt(obj, KW_KEY)
    assert decrypt(obj, KW_KEY, zips=["DEF"])["plaintext"] == plaintext


def test_pbes2_recipient_keeps_the_callers_p2c_where_it_was_given() -> None:
    recipients = [JWERecipient("pass phrase", "PBES2-HS256+A128KW", {"p2c": 1000}), JWERecipient(KW_KEY, "A128KW")]
    obj = jwe.encrypt_json(PLAINTEXT, recipients, "A128GCM")
    header = obj["recipients"][0]["header"]
    assert header["p2c"] == 1000 and len(unb64(header["p2s"])) == 16
    assert decrypt(obj, "pass phrase")["plaintext"] == PLAINTEXT


# -- decryption: keys and recipients ------------------------------------------------------------


def test_wrong_keys_fail_with_the_one_error() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    for wrong in (os.urandom(16), keys.private("RS256", "other"), ec.generate_private_key(ec.SECP256R1())):
        with pytest.raises(JWEDecryptionError) as excinfo:
            decrypt(obj, wrong)
        assert_decryption_failed(excinfo)


def test_a_key_that_suits_no_recipient_says_so() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients()[:1], "A128GCM")
    with pytest.raises(InvalidKeyError):
        decrypt(obj, os.urandom(24))  # A128KW needs 16 bytes
    with pytest.raises(InvalidKeyError):
        decrypt(obj, x25519.X25519PrivateKey.generate())


def test_only_allowed_algorithms_are_tried() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    with pytest.raises(InvalidAlgorithmError, match="alg value is not allowed"):
        jwe.decrypt_json(obj, KW_KEY, ["A256KW"], ["A128GCM"])
    # The A128KW recipient is not allowed: the same key is never tried on another recipient's alg.
    with pytest.raises(InvalidKeyError):
        jwe.decrypt_json(obj, KW_KEY, ["RSA-OAEP-256"], ["A128GCM"])
    with pytest.raises(InvalidAlgorithmError, match="enc value is not allowed"):
        jwe.decrypt_json(obj, KW_KEY, ["A128KW"], ["A256GCM"])


def test_rsa1_5_needs_the_opt_in() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    with pytest.raises(InvalidAlgorithmError, match="allow_rsa1_5"):
        jwe.decrypt_json(obj, KW_KEY, ["RSA1_5", "A128KW"], ["A128GCM"])
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt_json(PLAINTEXT, JWERecipient(RSA_KEY.public_key(), "RSA1_5"), "A128GCM")


def _jwk_set() -> Dict[str, Any]:
    ec_jwk = json.loads(cyjose.algorithms.ECAlgorithm.to_jwk(EC_KEY))
    return {"keys": [
        {"kty": "oct", "kid": "kw", "k": b64(KW_KEY), "alg": "A128KW"},
        {**ec_jwk, "kid": "ec", "use": "enc"},
    ]}


def test_a_jwk_set_chooses_by_kid() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    result = decrypt(obj, _jwk_set())
    assert result["recipient"] == 0 and result["plaintext"] == PLAINTEXT
    ec_only = {"keys": _jwk_set()["keys"][1:]}
    assert decrypt(obj, cyjose.PyJWKSet.from_dict(ec_only))["recipient"] == 2
    with pytest.raises(UnknownKeyError):
        decrypt(obj, {"keys": [{"kty": "oct", "kid": "nobody", "k": b64(KW_KEY)}]})


def test_a_jwk_set_key_under_the_right_kid_but_wrong_secret_fails_generically() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    with pytest.raises(JWEDecryptionError) as excinfo:
        decrypt(obj, {"keys": [{"kty": "oct", "kid": "kw", "k": b64(os.urandom(16))}]})
    assert_decryption_failed(excinfo)


def test_a_lone_pyjwk_with_a_kid_serves_only_its_recipient() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, [JWERecipient(KW_KEY, "A128KW", {"kid": "kw"})], "A128GCM")
    with pytest.raises(UnknownKeyError):
        decrypt(obj, cyjose.PyJWK({"kty": "oct", "kid": "someone-else", "k": b64(KW_KEY)}))
    assert decrypt(obj, cyjose.PyJWK({"kty": "oct", "kid": "kw", "k": b64(KW_KEY)}))["plaintext"] == PLAINTEXT
    assert decrypt(obj, cyjose.PyJWK({"kty": "oct", "k": b64(KW_KEY)}))["plaintext"] == PLAINTEXT


def test_too_many_pairs_to_try_are_refused_before_any_work() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, [JWERecipient(os.urandom(16), "A128KW") for _ in range(4)], "A128GCM")
    many = {"keys": [{"kty": "oct", "k": b64(os.urandom(16))} for _ in range(5)]}
    with pytest.raises(LimitExceededError, match="pairs to try") as caught:
        decrypt(obj, many)
    assert caught.value.limit == "max_recipients"


# -- tampering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["iv", "ciphertext", "tag", "encrypted_key", "protected-value"])
@pytest.mark.parametrize("flattened", [False, True])
def test_tampering_any_member_fails_with_the_one_error(member: str, flattened: bool) -> None:
    recipient = JWERecipient(KW_KEY, "A128KW")
    obj = jwe.encrypt_json(PLAINTEXT, recipient, "A128CBC-HS256", flattened=flattened,
                           protected={"x": "y"})
    tampered = copy.deepcopy(obj)
    holder = tampered if flattened or member != "encrypted_key" else tampered["recipients"][0]
    if member == "protected-value":
        tampered["protected"] = b64(json.dumps({**json.loads(unb64(obj["protected"])), "x": "z"}).encode())
    else:
        holder[member] = flip(holder[member])
    with pytest.raises(JWEDecryptionError) as excinfo:
        decrypt(tampered, KW_KEY)
    assert_decryption_failed(excinfo)


def test_a_tampered_recipient_header_fails() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM")
    tampered = copy.deepcopy(obj)
    tampered["recipients"][2]["header"]["epk"] = json.loads(
        cyjose.algorithms.ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    with pytest.raises(JWEDecryptionError):
        decrypt(tampered, EC_KEY)
    tampered["recipients"][2]["header"]["epk"] = {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}
    with pytest.raises(InvalidTokenError, match="epk"):
        decrypt(tampered, EC_KEY)


def test_unprotected_members_are_not_authenticated_but_are_reported() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients()[:1], "A128GCM", unprotected={"cty": "a"})
    result = decrypt({**obj, "unprotected": {"cty": "b"}}, KW_KEY)
    assert result["header"]["cty"] == "b" and result["protected"] == {"enc": "A128GCM", "alg": "A128KW"}


# -- header rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("protected, unprotected, own", [
    ({"kid": "a"}, {"kid": "b"}, None),
    ({"kid": "a"}, None, {"kid": "a"}),
    (None, {"typ": "x"}, {"typ": "x"}),
])
def test_encrypt_refuses_a_name_in_two_headers(protected: Any, unprotected: Any, own: Any) -> None:
    with pytest.raises(DecodeError, match="more than one header"):
        jwe.encrypt_json(PLAINTEXT, JWERecipient(KW_KEY, "A128KW", own), "A128GCM", protected=protected,
                         unprotected=unprotected)


@pytest.mark.parametrize("where", ["protected", "unprotected", "header"])
@pytest.mark.parametrize("name", ["alg", "enc", "zip", "epk", "iv", "tag", "p2s", "crit"])
def test_encrypt_refuses_computed_members_and_crit(where: str, name: str) -> None:
    headers = {where: {name: "x"}}
    recipient = JWERecipient(KW_KEY, "A128KW", headers.get("header"))
    with pytest.raises(InvalidTokenError, match=f'"{name}"'):
        jwe.encrypt_json(PLAINTEXT, recipient, "A128GCM", protected=headers.get("protected"),
                         unprotected=headers.get("unprotected"))


def _valid_general() -> Dict[str, Any]:
    return jwe.encrypt_json(PLAINTEXT, three_recipients()[:2], "A128GCM", unprotected={"cty": "c"})


@pytest.mark.parametrize("change, error, message", [
    (lambda o: o["recipients"][0]["header"].update(cty="again"), DecodeError, "more than one header"),
    (lambda o: o["unprotected"].update(enc="A128GCM"), DecodeError, "more than one header"),
    (lambda o: o["unprotected"].update(zip="DEF"), InvalidTokenError, '"zip".*protected header'),
    (lambda o: o["recipients"][1]["header"].update(zip="DEF"), InvalidTokenError, '"zip".*protected header'),
    (lambda o: o["unprotected"].update(crit=["exp"], exp=1), InvalidTokenError, '"crit".*protected header'),
    (lambda o: o["recipients"][0]["header"].update(crit=["x"]), InvalidTokenError, '"crit"'),
    (lambda o: o["recipients"][0]["header"].update(kid=7), InvalidTokenError, "Key ID"),
    (lambda o: o["recipients"][0]["header"].pop("alg"), InvalidAlgorithmError, 'no "alg"'),
])
def test_decrypt_header_rules(change: Any, error: type, message: str) -> None:
    obj = _valid_general()
    change(obj)
    with pytest.raises(error, match=message):
        decrypt(obj, KW_KEY)


def test_enc_per_recipient_is_refused() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients()[:1], "A128GCM", flattened=True, protected=None)
    moved = {**obj, "protected": b64(b'{"alg":"A128KW"}'), "header": {"enc": "A128GCM"}}
    with pytest.raises(InvalidTokenError, match='"enc".*shared header'):
        decrypt(moved, KW_KEY)


def test_crit_in_the_protected_header_is_refused() -> None:
    obj = jwe.encrypt_json(PLAINTEXT, three_recipients()[:1], "A128GCM", flattened=True)
    protected = {**json.loads(unb64(obj["protected"])), "crit": ["exp"], "exp": 1}
    with pytest.raises(InvalidTokenError, match="critical extension"):
        decrypt({**obj, "protected": b64(json.dumps(protected).encode())}, KW_KEY)


# -- malformed objects --------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    (lambda o: o.pop("iv"), "no 'iv'"),
    (lambda o: o.pop("ciphertext"), "no 'ciphertext'"),
    (lambda o: o.update(tag=5), "'tag' must be a string"),
    (lambda o: o.update(recipients=[]), "non-empty array"),
    (lambda o: o.update(recipients={"a": 1}), "non-empty array"),
    (lambda o: o.update(recipients=[1]), "JSON object"),
    (lambda o: o.update(encrypted_key="AAAA"), "mixes the general and the flattened form"),
    (lambda o: o.update(unprotected=[1]), "must be a JSON object"),
    (lambda o: o["recipients"][0].update(header="x"), "must be a JSON object"),
    (lambda o: o["recipients"][0].update(encrypted_key=["x"]), "must be a string"),
    (lambda o: o.update(protected="e30======"), "padding|base64|Invalid"),
    (lambda o: o.update(protected=b64(b"[1]")), "header"),
    (lambda o: o.update(iv="ü"), "padding"),
    (lambda o: o.update(recipients=[o["recipients"][0]] * (jwe.MAX_RECIPIENTS + 1)), r"recipients \(17\) exceeds the max_recipients limit \(16\)"),
])
def test_malformed_objects_are_decode_errors(change: Any, message: str) -> None:
    obj = _valid_general()
    change(obj)
    with pytest.raises(DecodeError, match=message):
        decrypt(obj, KW_KEY)


@pytest.mark.parametrize("data", [None, 5, [1], "not json", b"\xff\xfe", "[]", "x" * (1024 * 1024 + 1)])
def test_non_objects_are_decode_errors(data: Any) -> None:
    with pytest.raises(DecodeError):
        decrypt(data, KW_KEY)


def test_random_damage_raises_only_cyjose_errors() -> None:
    rng = random.Random(7519)
    text = json.dumps(_valid_general())
    for _ in range(300):
        chars = list(text)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice('{}[]":,0aZ_-. ')
        try:
            decrypt("".join(chars), KW_KEY)
        except PyJWTError:
            pass


def test_encrypt_argument_checks() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM", flattened=True)
    with pytest.raises(ValueError, match="1 to 16"):
        jwe.encrypt_json(PLAINTEXT, [], "A128GCM")
    with pytest.raises(TypeError):
        jwe.encrypt_json(PLAINTEXT, [("key", "A128KW")], "A128GCM")  # type: ignore[list-item]
    with pytest.raises(TypeError):
        jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM", aad="text")  # type: ignore[arg-type]
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt_json(PLAINTEXT, three_recipients(), "A128GCM", zip="GZIP")
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt_json(PLAINTEXT, three_recipients(), "A999GCM")
    with pytest.raises(InvalidKeyError):
        jwe.encrypt_json(PLAINTEXT, JWERecipient(os.urandom(8), "A128KW"), "A128GCM")


def test_the_recipient_repr_hides_the_key() -> None:
    secret = b"do-not-show-this-secret!"
    assert "do-not-show" not in repr(JWERecipient(secret, "A128KW"))
    with pytest.raises(InvalidKeyError) as excinfo:
        jwe.encrypt_json(PLAINTEXT, JWERecipient(secret, "A128KW"), "A128GCM")
    assert "do-not-show" not in str(excinfo.value)


def test_exported_from_cyjose_jwe() -> None:
    for name in ("JWERecipient", "encrypt_json", "decrypt_json", "MAX_RECIPIENTS"):
        assert name in jwe.__all__ and hasattr(jwe, name)


# -- interop ------------------------------------------------------------------------------------


def _pem(private_key: Any) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def test_jwcrypto_interop_general_and_flattened() -> None:
    jwcrypto_jwe = pytest.importorskip("jwcrypto.jwe")
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    kw = jwcrypto_jwk.JWK(kty="oct", k=b64(KW_KEY), kid="kw")
    rsa_jwk = jwcrypto_jwk.JWK.from_pem(_pem(RSA_KEY))
    ec_jwk = jwcrypto_jwk.JWK.from_pem(_pem(EC_KEY))
    algs = ["A128KW", "RSA-OAEP-256", "ECDH-ES+A128KW", "A128CBC-HS256"]
    # From jwcrypto: three recipients, a shared unprotected header and AAD.
    theirs = jwcrypto_jwe.JWE(PLAINTEXT, protected=json.dumps({"enc": "A128CBC-HS256"}),
                              unprotected=json.dumps({"cty": "text/plain"}), aad=b"their aad", algs=algs)
    theirs.add_recipient(kw, header=json.dumps({"alg": "A128KW", "kid": "kw"}))
    theirs.add_recipient(rsa_jwk, header=json.dumps({"alg": "RSA-OAEP-256"}))
    theirs.add_recipient(ec_jwk, header=json.dumps({"alg": "ECDH-ES+A128KW"}))
    serialized = theirs.serialize()
    for index, key in enumerate((KW_KEY, RSA_KEY, EC_KEY)):
        result = decrypt(serialized, key)
        assert (result["plaintext"], result["recipient"], result["aad"]) == (PLAINTEXT, index, b"their aad")
    # From cyjose: general with three recipients, then flattened.
    ours = jwe.encrypt_json(b"from cyjose", three_recipients(), "A128GCM", unprotected={"cty": "text/plain"},
                            aad=b"our aad")
    for their_key in (kw, rsa_jwk, ec_jwk):
        opened = jwcrypto_jwe.JWE(algs=algs[:3] + ["A128GCM"])
        opened.deserialize(json.dumps(ours), key=their_key)
        assert opened.payload == b"from cyjose"
    flat = jwe.encrypt_json(b"flat", JWERecipient(RSA_KEY.public_key(), "RSA-OAEP-256"), "A128GCM", flattened=True)
    opened = jwcrypto_jwe.JWE(algs=["RSA-OAEP-256", "A128GCM"])
    opened.deserialize(json.dumps(flat), key=rsa_jwk)
    assert opened.payload == b"flat"


def test_joserfc_interop_general_and_flattened() -> None:
    joserfc_jwe = pytest.importorskip("joserfc.jwe")
    joserfc_jwk = pytest.importorskip("joserfc.jwk")
    kw = joserfc_jwk.OctKey.import_key(KW_KEY, {"kid": "kw"})
    rsa_jwk = joserfc_jwk.RSAKey.import_key(_pem(RSA_KEY), {"kid": "rsa"})
    ec_jwk = joserfc_jwk.ECKey.import_key(_pem(EC_KEY), {"kid": "ec"})
    algs = ["A128KW", "RSA-OAEP-256", "ECDH-ES+A128KW", "A128GCM"]
    # From joserfc.
    general = joserfc_jwe.GeneralJSONEncryption({"enc": "A128GCM"}, PLAINTEXT, {"cty": "text/plain"}, b"aad")
    general.add_recipient({"alg": "A128KW"}, kw)
    general.add_recipient({"alg": "ECDH-ES+A128KW"}, ec_jwk)
    serialized = joserfc_jwe.encrypt_json(general, None, algorithms=algs)
    assert decrypt(serialized, KW_KEY)["recipient"] == 0
    result = decrypt(serialized, EC_KEY)
    assert (result["plaintext"], result["recipient"], result["aad"]) == (PLAINTEXT, 1, b"aad")
    flat = joserfc_jwe.FlattenedJSONEncryption({"enc": "A128GCM", "alg": "RSA-OAEP-256"}, PLAINTEXT)
    flat.add_recipient(None, rsa_jwk)
    assert decrypt(joserfc_jwe.encrypt_json(flat, None, algorithms=algs), RSA_KEY)["plaintext"] == PLAINTEXT
    # From cyjose (joserfc wants a key for every recipient: a key set, chosen by kid).
    ours = jwe.encrypt_json(b"from cyjose", three_recipients(), "A128GCM", aad=b"ours")
    key_set = joserfc_jwk.KeySet([kw, rsa_jwk, ec_jwk])
    opened = joserfc_jwe.decrypt_json(ours, key_set, algorithms=algs)
    assert (opened.plaintext, opened.aad) == (b"from cyjose", b"ours")
    ours_flat = jwe.encrypt_json(b"flat", JWERecipient(EC_KEY.public_key(), "ECDH-ES"), "A128GCM", flattened=True)
    assert joserfc_jwe.decrypt_json(ours_flat, ec_jwk, algorithms=["ECDH-ES", "A128GCM"]).plaintext == b"flat"


# -- RFC 7520 examples --------------------------------------------------------------------------

JWE_EXAMPLES = COMPACT_EXAMPLES + JSON_ONLY_EXAMPLES  # every RFC 7520 section 5 example, and RFC 8037's


def example_keys(example: Dict[str, Any]) -> List[Any]:
    data = example["input"]
    if "pwd" in data:
        return [data["pwd"]]
    return [cyjose.PyJWK(key) for key in (data["key"] if isinstance(data["key"], list) else [data["key"]])]


def example_algs(example: Dict[str, Any]) -> List[str]:
    alg = example["input"]["alg"]
    return alg if isinstance(alg, list) else [alg]


def _forms(example: Dict[str, Any]) -> List[str]:
    return [form for form in ("json", "json_flat") if form in example["output"]]


@pytest.mark.parametrize("relative", JWE_EXAMPLES)
def test_rfc7520_json_examples_decrypt_for_every_recipient(relative: str) -> None:
    example = load(relative)
    plaintext = example["input"]["plaintext"].encode("utf-8")
    for form in _forms(example):
        serialized = example["output"][form]
        for index, (key, alg) in enumerate(zip(example_keys(example), example_algs(example))):
            content = example["encrypting_content"]
            enc = content.get("protected", {}).get("enc") or content["unprotected"]["enc"]
            result = jwe.decrypt_json(json.dumps(serialized), key, [alg], [enc], zips=["DEF"],
                                      allow_rsa1_5=alg == "RSA1_5")
            assert result["plaintext"] == plaintext
            assert result["recipient"] == index
            assert result["header"]["alg"] == alg
            if "aad" in example["input"]:
                assert result["aad"] == example["input"]["aad"].encode("utf-8")


@pytest.mark.parametrize("relative", JWE_EXAMPLES)
def test_rfc7520_json_examples_refuse_a_flipped_tag(relative: str) -> None:
    example = load(relative)
    alg, key = example_algs(example)[0], example_keys(example)[0]
    for form in _forms(example):
        serialized = dict(example["output"][form], tag=flip(example["output"][form]["tag"]))
        with pytest.raises(JWEDecryptionError) as excinfo:
            jwe.decrypt_json(serialized, key, [alg], ["A128CBC-HS256", "A128GCM", "A256GCM"], zips=["DEF"],
                             allow_rsa1_5=alg == "RSA1_5")
        assert_decryption_failed(excinfo)


def test_rfc7520_multiple_recipients_with_the_whole_key_set() -> None:
    example = load("jwe/5_13.encrypting_to_multiple_recipients.json")
    key_set = {"keys": example["input"]["key"]}
    serialized = example["output"]["json"]
    result = jwe.decrypt_json(serialized, key_set, ["ECDH-ES+A256KW", "A256GCMKW"], ["A128CBC-HS256"])
    assert result["recipient"] == 1 and result["header"]["cty"] == "text/plain"
    result = jwe.decrypt_json(serialized, {"keys": example["input"]["key"][2:]}, ["ECDH-ES+A256KW", "A256GCMKW"],
                              ["A128CBC-HS256"])
    assert result["recipient"] == 2


def test_rfc7520_nested_example_json_forms() -> None:
    example = load("6.nesting_signatures_and_encryption.json")["encrypt"]
    key = cyjose.PyJWK(example["input"]["key"])
    for form in ("json", "json_flat"):
        result = jwe.decrypt_json(example["output"][form], key, [example["input"]["alg"]], [example["input"]["enc"]])
        assert result["plaintext"].decode("ascii") == example["input"]["plaintext"]
        assert result["header"]["cty"] == "JWT"

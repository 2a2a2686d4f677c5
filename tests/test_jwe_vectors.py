"""Published JWE examples: RFC 7520 §5 (and §6, and the X25519 cookbook extra), RFC 7516 Appendix A.

Read from ``../shared/vectors``; every test skips when that folder is absent.
Compact examples go through the public :func:`cyjose.jwe.decrypt_complete`.
The CEK each key management step recovers is compared with the published
one through the internal layers (a failed unwrap would otherwise go on with
a random CEK). RFC 7520 §5.10-5.13 exist only in the JWE JSON serialization:
here their recipients and content are checked layer by layer, and
tests/test_jwe_json.py decrypts them (and every other §5 example) whole
through :func:`cyjose.jwe.decrypt_json`.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import cyjose
from cyjose import jwe
from cyjose.exceptions import JWEDecryptionError
from cyjose.jwe._content import CONTENT_ENCRYPTIONS
from cyjose.jwe._keys import KEY_MANAGEMENTS, unwrap_cek
from cyjose.limits import DEFAULT_LIMITS

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors"
COOKBOOK = VECTORS / "rfc7520"

COMPACT_EXAMPLES = [
    "jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json",
    "jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json",
    "jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json",
    "jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json",
    "jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json",
    "jwe/5_6.direct_encryption_using_aes-gcm.json",
    "jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json",
    "jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json",
    "jwe/5_9.compressed_content.json",
    "curve25519/ecdh-es.json",
]
JSON_ONLY_EXAMPLES = [
    "jwe/5_10.including_additional_authentication_data.json",
    "jwe/5_11.protecting_specific_header_fields.json",
    "jwe/5_12.protecting_content_only.json",
    "jwe/5_13.encrypting_to_multiple_recipients.json",
]
RFC7516_CASES = ["a.1", "a.2", "a.3"]


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load(relative: str, root: Path = COOKBOOK) -> Dict[str, Any]:
    path = root / relative
    if not path.is_file():
        pytest.skip(f"published vectors not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def cookbook_key(example: Dict[str, Any], index: int = 0) -> Any:
    """The example's decryption key: a PyJWK, or the password for PBES2."""
    data = example["input"]
    if "pwd" in data:
        return data["pwd"]
    key = data["key"]
    return cyjose.PyJWK(key[index] if isinstance(key, list) else key)


def options_for(header: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "algorithms": [header["alg"]],
        "encryptions": [header["enc"]],
        "zips": ["DEF"] if "zip" in header else [],
        "allow_rsa1_5": header["alg"] == "RSA1_5",
    }


def recovered_cek(key: Any, header: Dict[str, Any], encrypted_key: bytes) -> bytes:
    management, content = KEY_MANAGEMENTS[header["alg"]], CONTENT_ENCRYPTIONS[header["enc"]]
    raw = key.key if isinstance(key, cyjose.PyJWK) else key
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return unwrap_cek(management, management.decryption_key(raw, content), encrypted_key, header, content, DEFAULT_LIMITS)


@pytest.mark.parametrize("relative", COMPACT_EXAMPLES)
def test_rfc7520_compact_examples_decrypt(relative: str) -> None:
    example = load(relative)
    token = example["output"]["compact"]
    header = example["encrypting_content"]["protected"]
    key = cookbook_key(example)
    result = jwe.decrypt_complete(token, key, **options_for(header))
    assert result["plaintext"] == example["input"]["plaintext"].encode("utf-8")
    assert result["header"] == header
    if "cek" in example["generated"]:  # ECDH-ES derives it; the cookbook does not list it there
        assert recovered_cek(key, header, unb64(token.split(".")[1])) == unb64(example["generated"]["cek"])


@pytest.mark.parametrize("relative", COMPACT_EXAMPLES)
def test_rfc7520_compact_examples_refuse_a_flipped_tag(relative: str) -> None:
    example = load(relative)
    parts = example["output"]["compact"].split(".")
    tag = bytearray(unb64(parts[4]))
    tag[0] ^= 0x80
    parts[4] = base64.urlsafe_b64encode(bytes(tag)).rstrip(b"=").decode("ascii")
    header = example["encrypting_content"]["protected"]
    with pytest.raises(JWEDecryptionError, match="^Decryption failed$"):
        jwe.decrypt(".".join(parts), cookbook_key(example), **options_for(header))


def test_rfc7520_nested_jwt_decrypts() -> None:
    example = load("6.nesting_signatures_and_encryption.json")["encrypt"]
    header = example["encrypting_content"]["protected"]
    result = jwe.decrypt_complete(example["output"]["compact"], cookbook_key(example), **options_for(header))
    assert result["plaintext"].decode("ascii") == example["input"]["plaintext"]
    assert result["header"]["cty"] == "JWT"


def _recipients(serialized: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "recipients" in serialized:
        return serialized["recipients"]
    return [{"encrypted_key": serialized.get("encrypted_key", ""), "header": serialized.get("header", {})}]


@pytest.mark.parametrize("relative", JSON_ONLY_EXAMPLES)
def test_rfc7520_json_only_examples_through_the_same_layers(relative: str) -> None:
    example = load(relative)
    serialized = example["output"]["json"]
    protected_b64 = serialized.get("protected", "")
    shared = {**(json.loads(unb64(protected_b64)) if protected_b64 else {}), **serialized.get("unprotected", {})}
    aad = protected_b64.encode("ascii")
    if "aad" in serialized:
        aad += b"." + serialized["aad"].encode("ascii")
    content = CONTENT_ENCRYPTIONS[shared["enc"]]
    for index, recipient in enumerate(_recipients(serialized)):
        header = {**shared, **recipient.get("header", {})}
        cek = recovered_cek(cookbook_key(example, index), header, unb64(recipient["encrypted_key"]))
        assert cek == unb64(example["generated"]["cek"])
        plaintext = content.decrypt(cek, unb64(serialized["iv"]), unb64(serialized["ciphertext"]),
                                    unb64(serialized["tag"]), aad)
        assert plaintext == example["input"]["plaintext"].encode("utf-8")


def _rfc7516_value(case: Dict[str, Any], name: str) -> bytes:
    value = case[name]
    return bytes.fromhex(value["hex"]) if "hex" in value else value["text"].encode("utf-8")


@pytest.mark.parametrize("name", RFC7516_CASES)
def test_rfc7516_appendix_a(name: str) -> None:
    case = load("rfc7516_appendix_A.json", VECTORS / "rfc")["cases"][f"jwe/{name}.config"]
    token = case[f"{name}.7.jwe+compact"]["text"]
    header = json.loads(case[f"{name}.1.jwe+json"]["text"])
    key = cyjose.PyJWK.from_json(case[f"{name}.3.jwk+json"]["text"])
    result = jwe.decrypt_complete(token, key, **options_for(header))
    assert result == {"header": header, "plaintext": _rfc7516_value(case, f"{name}.txt")}
    encrypted_key = _rfc7516_value(case, f"{name}.3.cek.encrypted")
    assert recovered_cek(key, header, encrypted_key) == _rfc7516_value(case, f"{name}.2.cek")


def test_rfc7516_a2_needs_the_rsa1_5_opt_in() -> None:
    case = load("rfc7516_appendix_A.json", VECTORS / "rfc")["cases"]["jwe/a.2.config"]
    key = cyjose.PyJWK.from_json(case["a.2.3.jwk+json"]["text"])
    with pytest.raises(cyjose.InvalidAlgorithmError, match="allow_rsa1_5"):
        jwe.decrypt(case["a.2.7.jwe+compact"]["text"], key, ["RSA1_5"], ["A128CBC-HS256"])

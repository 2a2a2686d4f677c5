"""HMAC-SHA-2 with precomputed per-key state: behaviour of each twin."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from cyjose.exceptions import InvalidKeyError

HASHES = ("sha256", "sha384", "sha512")

# RFC 4231 §4 test cases 1-7: (key, data).
RFC4231 = {
    1: (b"\x0b" * 20, b"Hi There"),
    2: (b"Jefe", b"what do ya want for nothing?"),
    3: (b"\xaa" * 20, b"\xdd" * 50),
    4: (bytes(range(1, 26)), b"\xcd" * 50),
    5: (b"\x0c" * 20, b"Test With Truncation"),
    6: (b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First"),
    7: (
        b"\xaa" * 131,
        b"This is a test using a larger than block-size key and a larger than block-size data."
        b" The key needs to be hashed before being used by the HMAC algorithm.",
    ),
}

# A few results copied from RFC 4231, as a check on the computed ones.
RFC4231_PUBLISHED = {
    (1, "sha256"): "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    (1, "sha384"): "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec6"
                   "82aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
    (1, "sha512"): "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                   "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
    (2, "sha256"): "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    (2, "sha384"): "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47"
                   "e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
    (2, "sha512"): "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                   "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    (6, "sha256"): "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    (7, "sha256"): "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
}


def test_digest_sizes(hmac_twin):
    assert hmac_twin.DIGEST_SIZES == {"sha256": 32, "sha384": 48, "sha512": 64}


@pytest.mark.parametrize("case", sorted(RFC4231))
@pytest.mark.parametrize("hash_name", HASHES)
def test_rfc4231(hmac_twin, case, hash_name):
    key, data = RFC4231[case]
    expected = hmac.new(key, data, getattr(hashlib, hash_name)).digest()
    if (case, hash_name) in RFC4231_PUBLISHED:
        assert expected.hex() == RFC4231_PUBLISHED[(case, hash_name)]
    mac_key = hmac_twin.HmacKey(key, hash_name)
    mac = mac_key.sign(data)
    if case == 5:  # the RFC publishes only the first 128 bits; the full MAC still verifies
        assert mac[:16] == expected[:16]
    assert mac == expected
    assert mac_key.verify(data, expected)


@pytest.mark.parametrize("hash_name", HASHES)
@pytest.mark.parametrize("secret", [b"", b"k", b"\x00" * 64, b"\xff" * 127, b"s" * 128, b"x" * 1000])
def test_sign_matches_stdlib(hmac_twin, hash_name, secret):
    key = hmac_twin.HmacKey(secret, hash_name)
    assert key.hash_name == hash_name
    assert key.digest_size == hmac_twin.DIGEST_SIZES[hash_name]
    for msg in (b"", b"a", b"header.payload", bytes(range(256)) * 9, b"m" * (1 << 20)):
        mac = key.sign(msg)
        assert type(mac) is bytes
        assert len(mac) == key.digest_size
        assert mac == hmac.new(secret, msg, getattr(hashlib, hash_name)).digest()


def test_key_state_is_reusable(hmac_twin):
    key = hmac_twin.HmacKey(b"secret", "sha256")
    first = key.sign(b"one")
    key.sign(b"two" * 1000)
    key.verify(b"three", b"x" * 32)
    assert key.sign(b"one") == first
    assert key.verify(b"one", first)


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_bytes_like_secret(hmac_twin, kind):
    expected = hmac.new(b"secret", b"msg", hashlib.sha256).digest()
    assert hmac_twin.HmacKey(kind(b"secret"), "sha256").sign(b"msg") == expected


def test_secret_is_copied(hmac_twin):
    secret = bytearray(b"secret")
    key = hmac_twin.HmacKey(secret, "sha256")
    secret[:] = b"XXXXXX"
    assert key.sign(b"msg") == hmac.new(b"secret", b"msg", hashlib.sha256).digest()


@pytest.mark.parametrize("hash_name", HASHES)
def test_verify(hmac_twin, hash_name):
    key = hmac_twin.HmacKey(b"secret", hash_name)
    mac = key.sign(b"msg")
    assert key.verify(b"msg", mac) is True
    assert key.verify(b"msG", mac) is False
    assert key.verify(b"msg", mac[:-1]) is False
    assert key.verify(b"msg", mac + b"\x00") is False
    assert key.verify(b"msg", b"") is False
    assert key.verify(b"msg", bytes((mac[0] ^ 1,)) + mac[1:]) is False
    assert key.verify(b"msg", mac[:-1] + bytes((mac[-1] ^ 0x80,))) is False
    assert hmac_twin.HmacKey(b"secreT", hash_name).verify(b"msg", mac) is False
    other = next(h for h in HASHES if h != hash_name)
    assert hmac_twin.HmacKey(b"secret", other).verify(b"msg", mac) is False


@pytest.mark.parametrize("hash_name", ["sha1", "md5", "SHA256", "sha-256", "sha224", "HS256", "", "sha256 "])
def test_unsupported_hash(hmac_twin, hash_name):
    with pytest.raises(InvalidKeyError) as info:
        hmac_twin.HmacKey(b"secret", hash_name)
    assert type(info.value) is InvalidKeyError
    assert str(info.value) == f"Unsupported HMAC hash: {hash_name!r}"


def test_unsupported_hash_message_hides_secret(hmac_twin):
    with pytest.raises(InvalidKeyError) as info:
        hmac_twin.HmacKey(b"topsecretvalue", "sha1")
    assert "topsecretvalue" not in str(info.value)
    assert "topsecretvalue" not in repr(info.value)


@pytest.mark.parametrize("hash_name", HASHES)
def test_repr_hides_secret(hmac_twin, hash_name):
    secret = b"hunter2-very-secret-value"
    key = hmac_twin.HmacKey(secret, hash_name)
    assert repr(key) == f"<HmacKey {hash_name}>"
    for text in (repr(key), str(key), f"{key!r}"):
        assert "hunter2" not in text
        assert secret.hex() not in text
        assert base64.b64encode(secret).decode() not in text


@pytest.mark.parametrize(
    "a, b, equal",
    [
        (b"", b"", True),
        (b"abc", b"abc", True),
        (b"\x00" * 64, b"\x00" * 64, True),
        (b"abc", b"abd", False),
        (b"abc", b"ab", False),
        (b"ab", b"abc", False),
        (b"", b"\x00", False),
        (b"\x00", b"", False),
        (b"x" * 64, b"x" * 63 + b"y", False),
        (b"y" + b"x" * 63, b"x" * 64, False),
    ],
)
def test_constant_time_equal(hmac_twin, a, b, equal):
    assert hmac_twin.constant_time_equal(a, b) is equal
    assert hmac_twin.constant_time_equal(b, a) is equal


def _b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_rfc7515_a1_hs256(hmac_twin, vectors_dir):
    jwk = json.loads((vectors_dir / "rfc" / "rfc7515_A.1.jwk").read_text())
    token = (vectors_dir / "rfc" / "rfc7515_A.1.jwsc").read_text().strip()
    signing_input, _, signature = token.rpartition(".")
    key = hmac_twin.HmacKey(_b64url(jwk["k"]), "sha256")
    assert key.sign(signing_input.encode()) == _b64url(signature)
    assert key.verify(signing_input.encode(), _b64url(signature))
    assert not key.verify(signing_input.encode() + b"x", _b64url(signature))


def test_rfc7520_4_4_hs256(hmac_twin, vectors_dir):
    case = json.loads(
        (vectors_dir / "rfc7520" / "jws" / "4_4.hmac-sha2_integrity_protection.json").read_text()
    )
    key = hmac_twin.HmacKey(_b64url(case["input"]["key"]["k"]), "sha256")
    signing_input = case["signing"]["sig-input"].encode()
    assert key.sign(signing_input) == _b64url(case["signing"]["sig"])


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
@pytest.mark.parametrize("key_size", [1, 31, 32, 63, 64, 65, 127, 128, 129, 300])
def test_key_sizes_around_the_block_size(hmac_twin, hash_name, key_size):
    # Keys longer than the hash's block (64 or 128 bytes) are hashed first (RFC 2104).
    key = bytes((i * 7 + key_size) % 256 for i in range(key_size))
    msg = bytes(range(256)) * 3
    expected = hmac.new(key, msg, getattr(hashlib, hash_name)).digest()
    keyed = hmac_twin.HmacKey(key, hash_name)
    assert keyed.sign(msg) == expected
    assert keyed.verify(msg, expected)
    assert not keyed.verify(msg + b"x", expected)

"""Public-key verification prepared once per key (cyjose._speedups.pkey): behaviour of each twin."""

from __future__ import annotations

import base64
import copy
import functools
import json
import pickle
import threading

import pytest
import sample_keys as keys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

import cyjose
from cyjose import algorithms as jwa
from cyjose.exceptions import InvalidKeyError

HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}

# JWA name -> (scheme, hash name, keys.private() arguments)
CASES = {
    "RS256": ("pkcs1v15", "sha256", ("RS256",)),
    "RS384": ("pkcs1v15", "sha384", ("RS384",)),
    "RS512": ("pkcs1v15", "sha512", ("RS512",)),
    "PS256": ("pss", "sha256", ("PS256",)),
    "PS384": ("pss", "sha384", ("PS384",)),
    "PS512": ("pss", "sha512", ("PS512",)),
    "ES256": ("ecdsa", "sha256", ("ES256",)),
    "ES256K": ("ecdsa", "sha256", ("ES256K",)),
    "ES384": ("ecdsa", "sha384", ("ES384",)),
    "ES512": ("ecdsa", "sha512", ("ES512",)),
    "Ed25519": ("eddsa", None, ("EdDSA",)),
    "Ed448": ("eddsa", None, ("EdDSA", "ed448")),
}
NAMES = sorted(CASES)
MSG = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjeWpvc2UiLCJleHAiOjk5OTk5OTk5OTl9"


def _private(name, variant=""):
    """The key of case ``name``; ``variant="other"``: a second, different key."""
    if name == "Ed448" and variant:
        return _other_ed448()
    args = CASES[name][2]
    return keys.private(*args) if not variant else keys.private(args[0], variant)


@functools.cache
def _other_ed448():
    return ed448.Ed448PrivateKey.generate()


def _sign(name, private, msg):
    """A signature in the form PublicKeyVerifier takes (DER for ECDSA), made by cryptography."""
    scheme, hash_name, _ = CASES[name]
    if scheme == "eddsa":
        return private.sign(msg)
    digest = HASHES[hash_name]()
    if scheme == "ecdsa":
        return private.sign(msg, ec.ECDSA(digest))
    if scheme == "pss":
        return private.sign(msg, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
    return private.sign(msg, padding.PKCS1v15(), digest)


def _crypto_verifies(name, public, msg, sig):
    scheme, hash_name, _ = CASES[name]
    try:
        if scheme == "eddsa":
            public.verify(sig, msg)
        elif scheme == "ecdsa":
            public.verify(sig, msg, ec.ECDSA(HASHES[hash_name]()))
        elif scheme == "pss":
            digest = HASHES[hash_name]()
            public.verify(sig, msg, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
        else:
            public.verify(sig, msg, padding.PKCS1v15(), HASHES[hash_name]())
    except InvalidSignature:
        return False
    return True


def _verifier(module, name, variant=""):
    scheme, hash_name, _ = CASES[name]
    return module.PublicKeyVerifier(_private(name, variant).public_key(), scheme, hash_name)


def _flip(data, index=-1, bit=1):
    data = bytearray(data)
    data[index] ^= bit
    return bytes(data)


# ------------------------------------------------------------------ behaviour


def test_module_surface(pkey):
    assert pkey.SCHEMES.keys() == {"pkcs1v15", "pss", "ecdsa", "eddsa"}
    assert pkey.HASH_NAMES == ("sha256", "sha384", "sha512")


@pytest.mark.parametrize("name", NAMES)
def test_compiled_twin_runs_in_libcrypto(twin_pair, name):
    """Every scheme, hash and curve takes the native path (not the reference fallback)."""
    _, compiled = twin_pair("pkey")
    assert _verifier(compiled, name)._native is True


@pytest.mark.parametrize("name", NAMES)
def test_valid_signature(pkey, name):
    private = _private(name)
    verifier = _verifier(pkey, name)
    for msg in (MSG, b"", b"x", bytes(range(256)) * 40, b"m" * (1 << 20)):
        sig = _sign(name, private, msg)
        assert verifier.verify(msg, sig) is True
    assert verifier.scheme == CASES[name][0]
    assert verifier.hash_name == CASES[name][1]


@pytest.mark.parametrize("name", NAMES)
def test_invalid_signature(pkey, name):
    private = _private(name)
    verifier = _verifier(pkey, name)
    sig = _sign(name, private, MSG)
    assert verifier.verify(MSG, sig) is True
    bad = [
        (MSG + b"x", sig),
        (MSG[:-1], sig),
        (b"", sig),
        (_flip(MSG, 0), sig),
        (MSG, _flip(sig, -1)),
        (MSG, _flip(sig, 0, 0x80)),
        (MSG, _flip(sig, len(sig) // 2, 0x10)),
        (MSG, sig[:-1]),  # truncated
        (MSG, sig[:1]),
        (MSG, b""),  # empty
        (MSG, sig + b"\x00"),  # trailing byte
        (MSG, b"\x00" + sig),
        (MSG, b"\x00" * len(sig)),
        (MSG, b"\xff" * len(sig)),
        (MSG, sig * 2),
    ]
    for msg, candidate in bad:
        assert verifier.verify(msg, candidate) is False, (msg[:10], candidate[:10])
    # The verifier is unharmed by all of that.
    assert verifier.verify(MSG, sig) is True


@pytest.mark.parametrize("name", NAMES)
def test_wrong_key(pkey, name):
    sig = _sign(name, _private(name), MSG)
    assert _verifier(pkey, name, "other").verify(MSG, sig) is False
    other_sig = _sign(name, _private(name, "other"), MSG)
    assert _verifier(pkey, name).verify(MSG, other_sig) is False


@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n][0] != "eddsa"])
def test_wrong_hash_or_scheme(pkey, name):
    scheme, hash_name, _ = CASES[name]
    private = _private(name)
    sig = _sign(name, private, MSG)
    for other_hash in HASHES:
        if other_hash != hash_name:
            assert pkey.PublicKeyVerifier(private.public_key(), scheme, other_hash).verify(MSG, sig) is False
    if scheme in ("pkcs1v15", "pss"):
        other_scheme = "pss" if scheme == "pkcs1v15" else "pkcs1v15"
        assert pkey.PublicKeyVerifier(private.public_key(), other_scheme, hash_name).verify(MSG, sig) is False


def test_pss_salt_length_is_the_digest_size(pkey):
    private = _private("PS256")
    verifier = _verifier(pkey, "PS256")
    digest = hashes.SHA256()
    for salt in (0, 20, 31, 33, padding.PSS.MAX_LENGTH):
        sig = private.sign(MSG, padding.PSS(padding.MGF1(digest), salt), digest)
        assert verifier.verify(MSG, sig) is False, salt
    other_mgf = private.sign(MSG, padding.PSS(padding.MGF1(hashes.SHA512()), 32), digest)
    assert verifier.verify(MSG, other_mgf) is False


@pytest.mark.parametrize("name", NAMES)
def test_agrees_with_cryptography(pkey, name):
    """Signatures made by cryptography verify here; what verifies here verifies in cryptography."""
    private = _private(name)
    public = private.public_key()
    verifier = _verifier(pkey, name)
    for i in range(8):
        msg = MSG + bytes([i]) * i
        sig = _sign(name, private, msg)
        for candidate in (sig, _flip(sig, i), sig[: len(sig) - i]):
            expected = _crypto_verifies(name, public, msg, candidate)
            assert verifier.verify(msg, candidate) is expected
        assert _crypto_verifies(name, public, msg, sig)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                 "ES256", "ES256K", "ES384", "ES512", "EdDSA"])
def test_tokens_signed_by_cyjose_verify_both_ways(pkey, alg):
    """cyjose's signer -> this verifier and cryptography; this verifier <- cryptography."""
    algorithm = jwa.get_default_algorithms()[alg]
    private = keys.private(alg)
    raw = algorithm.sign(MSG, private)
    name = alg if alg != "EdDSA" else "Ed25519"
    sig = raw
    if CASES[name][0] == "ecdsa":
        size = len(raw) // 2
        sig = encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))
    assert _crypto_verifies(name, private.public_key(), MSG, sig)
    assert _verifier(pkey, name).verify(MSG, sig) is True


def test_rfc_vectors(pkey, vectors_dir):
    """RFC 7515 A.2 (RS256), A.3 (ES256) and RFC 8037 A.4 (Ed25519) verify; altered, they do not."""

    def b64(text):
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def as_int(text):
        return int.from_bytes(b64(text), "big")

    rfc = vectors_dir / "rfc"
    checks = []
    for name in ("A.2", "A.3"):
        token = (rfc / f"rfc7515_{name}.jwsc").read_text().strip()
        jwk = json.loads((rfc / f"rfc7515_{name}.jwk").read_text())
        signing_input, _, sig = token.rpartition(".")
        sig = b64(sig)
        if name == "A.2":
            public = rsa.RSAPublicNumbers(as_int(jwk["e"]), as_int(jwk["n"])).public_key()
            verifier = pkey.PublicKeyVerifier(public, "pkcs1v15", "sha256")
        else:
            public = ec.EllipticCurvePublicNumbers(as_int(jwk["x"]), as_int(jwk["y"]), ec.SECP256R1()).public_key()
            verifier = pkey.PublicKeyVerifier(public, "ecdsa", "sha256")
            sig = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        checks.append((verifier, signing_input.encode(), sig))
    cases = json.loads((rfc / "rfc8037_appendix_A.json").read_text())["cases"]
    a4 = cases["jose_cfrg_curves/a.4.config"]
    public = ed25519.Ed25519PublicKey.from_public_bytes(
        bytes.fromhex(cases["jose_cfrg_curves/a.1.config"]["a.1.pk"]["text"]))
    checks.append((pkey.PublicKeyVerifier(public, "eddsa"), a4["a.4.signing-input"]["text"].encode(),
                   bytes.fromhex(a4["a.4.sig+hex"]["text"])))
    for verifier, msg, sig in checks:
        assert verifier.verify(msg, sig) is True
        assert verifier.verify(msg + b".", sig) is False
        assert verifier.verify(msg, _flip(sig, 10)) is False


# ------------------------------------------------------------ argument types


@pytest.mark.parametrize("name", ["RS256", "PS384", "ES256", "Ed25519"])
@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_bytes_like_arguments(pkey, name, kind):
    verifier = _verifier(pkey, name)
    sig = _sign(name, _private(name), MSG)
    assert verifier.verify(kind(MSG), kind(sig)) is True
    assert verifier.verify(kind(MSG), sig) is True
    assert verifier.verify(MSG, kind(sig)) is True
    assert verifier.verify(kind(MSG + b"x"), kind(sig)) is False


@pytest.mark.parametrize("name", ["RS256", "PS256", "ES384", "Ed448"])
@pytest.mark.parametrize("bad", ["text", 42, None, [1, 2]])
def test_non_bytes_arguments_raise_type_error(twin_pair, name, bad):
    sig = _sign(name, _private(name), MSG)
    outcomes = []
    for module in twin_pair("pkey"):
        verifier = _verifier(module, name)
        for args in ((bad, sig), (MSG, bad)):
            with pytest.raises(TypeError) as info:
                verifier.verify(*args)
            outcomes.append(str(info.value))
    half = len(outcomes) // 2
    assert outcomes[:half] == outcomes[half:]


# ------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "scheme, hash_name, key_name, message",
    [
        ("rsa", "sha256", "RS256", "Unsupported signature scheme: 'rsa'"),
        ("PSS", "sha256", "RS256", "Unsupported signature scheme: 'PSS'"),
        (None, "sha256", "RS256", "Unsupported signature scheme: None"),
        ("pss", "sha1", "RS256", "Unsupported pss hash: 'sha1'"),
        ("pss", "SHA256", "RS256", "Unsupported pss hash: 'SHA256'"),
        ("pkcs1v15", None, "RS256", "Unsupported pkcs1v15 hash: None"),
        ("ecdsa", b"sha256", "ES256", "Unsupported ecdsa hash: b'sha256'"),
        ("eddsa", "sha512", "Ed25519", "EdDSA takes no hash; got 'sha512'"),
        ("pss", "sha256", "ES256", "A pss verifier needs an RSAPublicKey, got: "),
        ("ecdsa", "sha256", "RS256", "A ecdsa verifier needs an EllipticCurvePublicKey, got: "),
        ("eddsa", None, "ES256", "A eddsa verifier needs an Ed25519PublicKey or Ed448PublicKey, got: "),
        ("pkcs1v15", "sha256", "Ed448", "A pkcs1v15 verifier needs an RSAPublicKey, got: "),
    ],
)
def test_bad_construction(pkey, scheme, hash_name, key_name, message):
    public = _private(key_name).public_key()
    with pytest.raises(InvalidKeyError) as info:
        pkey.PublicKeyVerifier(public, scheme, hash_name)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("name", ["RS256", "ES256", "Ed25519"])
def test_private_key_or_other_object_is_refused(pkey, name):
    scheme, hash_name, _ = CASES[name]
    for key in (_private(name), "-----BEGIN PUBLIC KEY-----", b"", None, object()):
        with pytest.raises(InvalidKeyError):
            pkey.PublicKeyVerifier(key, scheme, hash_name)


class _OpaqueEd25519(ed25519.Ed25519PublicKey):
    """A key object cryptography cannot export: the compiled twin must hand it to the reference."""

    def __init__(self, inner):
        self._inner = inner

    def public_bytes(self, encoding, format):
        raise ValueError("this key cannot be exported")

    def public_bytes_raw(self):
        raise ValueError("this key cannot be exported")

    def verify(self, signature, data):
        self._inner.verify(signature, data)

    def __eq__(self, other):
        return self is other

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def test_unexportable_key_is_served_by_the_reference(pkey):
    private = ed25519.Ed25519PrivateKey.generate()
    verifier = pkey.PublicKeyVerifier(_OpaqueEd25519(private.public_key()), "eddsa")
    assert getattr(verifier, "_native", False) is False
    sig = private.sign(MSG)
    assert verifier.verify(MSG, sig) is True
    assert verifier.verify(MSG, _flip(sig)) is False


@pytest.mark.parametrize("name", NAMES)
def test_repr_shows_no_key_material(pkey, name):
    verifier = _verifier(pkey, name)
    scheme, hash_name, _ = CASES[name]
    assert repr(verifier) == f"<PublicKeyVerifier {scheme} {hash_name}>"


def test_copy_and_pickle(pkey):
    verifier = _verifier(pkey, "RS256")
    assert copy.copy(verifier) is verifier
    assert copy.deepcopy(verifier) is verifier
    with pytest.raises(TypeError):
        pickle.dumps(verifier)


def test_cannot_be_reinitialised(pkey):
    """The key is fixed at construction: another thread may be verifying without the GIL."""
    verifier = _verifier(pkey, "RS256")
    sig = _sign("RS256", _private("RS256"), MSG)
    with pytest.raises(TypeError) as info:
        verifier.__init__(_private("ES256").public_key(), "ecdsa", "sha256")
    assert str(info.value) == "PublicKeyVerifier cannot be re-initialised"
    assert verifier.verify(MSG, sig) is True
    assert repr(verifier) == "<PublicKeyVerifier pkcs1v15 sha256>"


# ------------------------------------------------------------ through cyjose


@pytest.mark.parametrize("alg", ["RS256", "PS512", "ES256", "ES512", "EdDSA"])
def test_bound_keys_use_the_verifier(alg):
    algorithm = jwa.get_default_algorithms()[alg]
    bound = algorithm.bind_key(keys.public_pem(alg))
    raw = algorithm.sign(MSG, keys.private(alg))
    assert bound.verify(MSG, raw) is True
    assert bound.verify(MSG, _flip(raw)) is False
    assert bound.verify(MSG, raw[:-1]) is False  # ECDSA: a wrong length is False, not an error
    assert bound.verify(MSG, b"") is False
    assert algorithm.verify(MSG, keys.public(alg), raw) is True
    target = bound.verify if not alg.startswith("ES") else None
    if target is not None:
        from cyjose._speedups.pkey import PublicKeyVerifier

        assert isinstance(target.__self__, PublicKeyVerifier)


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA"])
def test_verifier_end_to_end(alg):
    token = cyjose.encode({"sub": "x"}, keys.private(alg), algorithm=alg)
    verifier = cyjose.Verifier(keys.public(alg), algorithms=[alg])
    assert verifier.verify(token) == {"sub": "x"}
    head, payload, sig = token.split(".")
    altered = f"{head}.{payload}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    with pytest.raises(cyjose.InvalidSignatureError):
        verifier.verify(altered)


# ------------------------------------------------------------- differential


_DIFF_VERIFIERS = {}


def _diff_pair(twin_pair, name):
    if name not in _DIFF_VERIFIERS:
        python, compiled = twin_pair("pkey")
        _DIFF_VERIFIERS[name] = (_verifier(python, name), _verifier(compiled, name),
                                 _sign(name, _private(name), MSG))
    return _DIFF_VERIFIERS[name]


def _der_integer(value):
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return b"\x02" + bytes([len(body)]) + body


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), msg=st.binary(max_size=300), sig=st.binary(max_size=600))
def test_differential_random(twin_pair, name, msg, sig):
    python, compiled, _ = _diff_pair(twin_pair, name)
    assert python.verify(msg, sig) is compiled.verify(msg, sig)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_differential_mutated(twin_pair, name, data):
    """Near-misses of a valid signature: flipped bits, cut or extended, right-length noise."""
    python, compiled, sig = _diff_pair(twin_pair, name)
    how = data.draw(st.sampled_from(["flip", "cut", "extend", "noise", "valid"]))
    if how == "flip":
        sig = _flip(sig, data.draw(st.integers(0, len(sig) - 1)), 1 << data.draw(st.integers(0, 7)))
    elif how == "cut":
        sig = sig[: data.draw(st.integers(0, len(sig) - 1))]
    elif how == "extend":
        sig = sig + data.draw(st.binary(min_size=1, max_size=8))
    elif how == "noise":
        sig = data.draw(st.binary(min_size=len(sig), max_size=len(sig)))
    msg = data.draw(st.sampled_from([MSG, MSG + b"!", b""]))
    result = python.verify(msg, sig)
    assert compiled.verify(msg, sig) is result
    if how == "valid":
        assert result is (msg == MSG)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(["ES256", "ES256K", "ES384", "ES512"]),
       r=st.integers(0, 2 ** 530), s=st.integers(0, 2 ** 530), trailing=st.binary(max_size=3))
def test_differential_ecdsa_der(twin_pair, name, r, s, trailing):
    """Well-formed and hostile DER: zero, out-of-range and oversized integers, trailing bytes."""
    python, compiled, _ = _diff_pair(twin_pair, name)
    body = _der_integer(r) + _der_integer(s)
    if len(body) < 0x80:
        der = b"\x30" + bytes([len(body)]) + body + trailing
    else:
        der = b"\x30\x81" + bytes([len(body) & 0xFF]) + body + trailing
    assert python.verify(MSG, der) is compiled.verify(MSG, der) is False


# ------------------------------------------------------------- concurrency


@pytest.mark.parametrize("threads", [2, 4])
def test_concurrent_verification_is_correct(pkey, threads):
    """Many threads share each verifier; every answer is right (correctness only, no timing)."""
    work = []
    for name in ("RS256", "PS256", "ES256", "Ed25519", "Ed448", "ES384"):
        verifier = _verifier(pkey, name)
        private = _private(name)
        for i in range(4):
            msg = MSG + str(i).encode()
            sig = _sign(name, private, msg)
            work.append((verifier, msg, sig, True))
            work.append((verifier, msg + b"x", sig, False))
            work.append((verifier, msg, _flip(sig, i), False))
            work.append((verifier, msg, sig[:-1], False))
    start = threading.Barrier(threads)
    failures = []
    errors = []

    def run(offset):
        try:
            start.wait()
            for round_ in range(6):
                for index in range(len(work)):
                    verifier, msg, sig, expected = work[(index + offset * 7 + round_) % len(work)]
                    if verifier.verify(msg, sig) is not expected:
                        failures.append((verifier, msg, expected))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors
    assert not failures

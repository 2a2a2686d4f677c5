"""What every fuzz target shares: outcomes, the twins, fixed keys, and shaping fuzz bytes.

The harness signs and encodes with its own code (``hmac``, ``cryptography``,
``base64``), never with cyjose's, so a token it calls "correctly signed" is
correct by an independent account.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from types import ModuleType
from typing import Any, Callable, List, Optional, Tuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from cyjose._speedups import TwinUnavailable, compiled_twin, python_twin
from cyjose.exceptions import PyJWTError

#: Separates the fields of a structured input. 0xFF never occurs in UTF-8, so
#: JSON text in a field needs no escaping.
SEP = b"\xff"

#: The HMAC secret of every HS256 target (a harness constant, not a real secret).
HS_SECRET = b"fuzz-harness-hs256-secret-32byte"


class Finding(AssertionError):
    """A broken contract: the fuzzer reports it as a crash with this message."""


# --- outcomes ----------------------------------------------------------------------------


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Tuple[Any, ...]:
    """``("ok", value)`` or ``("raise", class, message)``; any other exception escapes.

    Only :mod:`cyjose.exceptions` may come out of cyjose for bad input, so
    anything else propagates and the fuzzer records it with its traceback.
    """
    try:
        return ("ok", fn(*args, **kwargs))
    except PyJWTError as exc:
        return ("raise", type(exc), str(exc))


def _any_outcome(fn: Callable[[], Any]) -> Tuple[Tuple[Any, ...], Optional[BaseException]]:
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - compared between twins, then re-raised
        return ("raise", type(exc), str(exc), getattr(exc, "claim", None)), exc
    return ("ok", type(value), value), None


def same(call: Callable[[ModuleType], Any], python: ModuleType, compiled: Optional[ModuleType]) -> Tuple[Any, ...]:
    """Run ``call(twin)`` on both twins: equal results, or the same class and message.

    Returns the Python twin's outcome. Raises :class:`Finding` when the twins
    disagree, and re-raises an exception outside :mod:`cyjose.exceptions`.
    """
    expected, error = _any_outcome(lambda: call(python))
    if compiled is not None:
        actual, _ = _any_outcome(lambda: call(compiled))
        if actual != expected:
            raise Finding(f"twins disagree: python {expected!r}, compiled {actual!r}")
    if error is not None and not isinstance(error, PyJWTError):
        raise error
    return expected


# --- the twins ---------------------------------------------------------------------------


@functools.cache
def twins(name: str) -> Tuple[ModuleType, Optional[ModuleType]]:
    """``(python_twin, compiled_twin)`` of hot module ``name``; compiled is None when not in use.

    Follows the dispatcher's switches (:func:`cyjose._speedups.compiled_twin`):
    ``CYJOSE_NO_EXTENSIONS`` leaves the compiled twin out,
    ``CYJOSE_REQUIRE_EXTENSIONS`` makes its absence an ImportError.
    """
    try:
        return python_twin(name), compiled_twin(name)
    except TwinUnavailable as exc:
        if exc.required:
            raise
        return python_twin(name), None


# --- keys --------------------------------------------------------------------------------


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def sign(alg: str, signing_input: bytes) -> bytes:
    """The JWS signature of ``signing_input`` for ``alg`` with the harness keys (own code)."""
    if alg == "HS256":
        return hmac.new(HS_SECRET, signing_input, hashlib.sha256).digest()
    if alg == "ES256":
        r, s = decode_dss_signature(ec_key().sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "RS256":
        return rsa_key().sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    raise ValueError(f"the harness does not sign {alg}")


def verify_key(alg: str) -> Any:
    """The key a verifier takes for ``alg``: the secret, or the public key."""
    return {"HS256": lambda: HS_SECRET, "ES256": lambda: ec_key().public_key(),
            "RS256": lambda: rsa_key().public_key()}[alg]()


# --- shaping fuzz bytes --------------------------------------------------------------------


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def fields(data: bytes, count: int) -> List[bytes]:
    """``data`` cut at :data:`SEP` into exactly ``count`` fields (the last keeps any rest)."""
    parts = data.split(SEP, count - 1)
    return parts + [b""] * (count - len(parts))


def pick(selector: int, choices: Any) -> Any:
    return choices[selector % len(choices)]


def flip(data: bytes, position: int, mask: int) -> bytes:
    """``data`` with the byte at ``position`` (mod its length) XORed with a non-zero mask."""
    if not data:
        return b"\x00"
    position %= len(data)
    return data[:position] + bytes((data[position] ^ (mask or 1),)) + data[position + 1:]


def flip_by(data: bytes, control: bytes) -> bytes:
    """:func:`flip` steered by three fuzz bytes: the mask, then a big-endian position."""
    control = control[:3].ljust(3, b"\x00")
    return flip(data, int.from_bytes(control[1:], "big"), control[0])


def jws_token(header: bytes, payload: bytes, alg: str) -> bytes:
    """A compact JWS of these exact header and payload bytes, signed by the harness."""
    signing_input = b64(header) + b"." + b64(payload)
    return signing_input + b"." + b64(sign(alg, signing_input))


def canonical_header(alg: str) -> bytes:
    return json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode()


def json_or_none(data: bytes) -> Any:
    """The stdlib's reading of ``data`` (NaN and Infinity allowed), or None."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None

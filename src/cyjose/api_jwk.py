"""JSON Web Keys and JWK Sets (RFC 7517) with PyJWT 2.15's :class:`PyJWK` and :class:`PyJWKSet`.

Same constructors, properties, methods and exception classes as PyJWT. The
deliberate differences (each documented where it applies):

* **Strict import.** Every member is checked (types, base64url, lengths,
  points on their curve, private members matching public ones, ``x5c``
  holding the same key, ``kid``/``use``/``key_ops``/``alg`` types). Anything
  wrong is an :class:`~cyjose.exceptions.InvalidKeyError` (or
  :class:`~cyjose.exceptions.PyJWKError` for an unknown algorithm), never a
  raw ``KeyError``/``ValueError``, and messages never contain key material
  (PyJWT puts the whole JWK, private members included, into some messages).
* **RSA size.** An RSA JWK with a modulus under ``min_rsa_key_size`` bits
  (default 2048; a keyword of :class:`PyJWK` and :class:`PyJWKSet`) is refused;
  PyJWT has no minimum. Moduli over 8192 bits are refused too.
* **``alg`` is respected.** The key must suit its algorithm when the PyJWK is
  built (PyJWT finds out on first use), and an ``algorithm`` argument that
  contradicts the JWK's own ``alg`` is refused.
* **``use`` and ``key_ops`` are respected** when a PyJWK is passed as the key
  to ``decode()``, :class:`~cyjose.PyJWS` or :class:`~cyjose.Verifier`: see
  :meth:`PyJWK.usable_for`. PyJWT ignores both.
* **More key types.** Ed448 without an explicit algorithm (as ``EdDSA``), the
  ``Ed25519``/``Ed448`` names, ML-DSA (``kty: AKP``), and keys published for
  JWE key management (``RSA-OAEP``, ``ECDH-ES`` with X25519/X448, ``A128KW``,
  ...): those load, with ``Algorithm`` None, and are refused for signatures.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

from ._keymaterial.jwk import DEFAULT_MIN_RSA_KEY_SIZE, check_x509_members, jwk_to_key, thumbprint
from ._keymaterial.tables import JWE_KEY_ALGORITHMS
from ._messages import shown_name
from .algorithms import (
    Algorithm,
    ECAlgorithm,
    HMACAlgorithm,
    MLDSAAlgorithm,
    OKPAlgorithm,
    RSAAlgorithm,
    get_default_algorithms,
    has_crypto,
    requires_cryptography,
)
from .exceptions import (
    InvalidAlgorithmError,
    InvalidKeyError,
    MissingCryptographyError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)
from .types import JWKDict

__all__ = ["PyJWK", "PyJWKSet", "PyJWTSetWithTimestamp"]

# Shared and never mutated: algorithm objects hold no per-key state.
_ALGORITHMS = get_default_algorithms()

# The algorithm a JWK without "alg" gets, by kty and crv (PyJWT's choices, plus
# Ed448 and the key-agreement curves).
_DEFAULT_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}
_DEFAULT_OKP_ALGORITHMS = {"Ed25519": "EdDSA", "Ed448": "EdDSA", "X25519": "ECDH-ES", "X448": "ECDH-ES"}

#: The members that hold private key material, by ``kty``.
_PRIVATE_MEMBERS = {
    "RSA": ("d", "p", "q", "dp", "dq", "qi", "oth"),
    "EC": ("d",),
    "OKP": ("d",),
    "AKP": ("priv",),
    "oct": ("k",),
}
#: The ``kty`` each family of signature algorithms takes (RSAPSSAlgorithm is an RSAAlgorithm).
_SIGNATURE_KTY = ((HMACAlgorithm, "oct"), (RSAAlgorithm, "RSA"), (ECAlgorithm, "EC"), (OKPAlgorithm, "OKP"),
                  (MLDSAAlgorithm, "AKP"))
_SIGNATURE_OPERATIONS = ("sign", "verify")
_KEY_OPERATIONS = frozenset(
    ("sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits")
)


class PyJWK:
    """One JSON Web Key (RFC 7517), loaded and checked.

    ``PyJWK(jwk_data, algorithm=None)`` as in PyJWT: ``algorithm`` (else the
    JWK's ``alg``, else a default from ``kty``/``crv``) picks ``Algorithm``;
    ``key`` is the ``cryptography`` key (``bytes`` for ``oct``). Raises
    :class:`InvalidKeyError` for a missing or unsupported ``kty``/``crv``, any
    malformed member, a key that does not suit the algorithm, or an RSA modulus
    under ``min_rsa_key_size`` bits; :class:`PyJWKError` for an unknown
    algorithm. ``min_rsa_key_size`` (keyword, default 2048) is a cyjose
    addition.

    ``Algorithm`` is None (and ``algorithm_name`` the JWE algorithm) for a key
    published for JWE key management, e.g. ``ECDH-ES`` with X25519: such a key
    loads but never signs or verifies.
    """

    def __init__(
        self, jwk_data: JWKDict, algorithm: Optional[str] = None, *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE
    ) -> None:
        if not isinstance(jwk_data, dict):
            raise InvalidKeyError(f"A JWK must be a JSON object, got {type(jwk_data).__name__}")
        if isinstance(min_rsa_key_size, bool) or not isinstance(min_rsa_key_size, int):
            raise TypeError("min_rsa_key_size must be an int")
        self._jwk_data = jwk_data
        kty = jwk_data.get("kty")
        if not kty:
            raise InvalidKeyError("kty is not found in the JWK")
        if not isinstance(kty, str) or kty not in _PRIVATE_MEMBERS:
            raise InvalidKeyError(f"Unsupported kty: {shown_name(kty)}")
        _check_metadata(jwk_data)
        self.algorithm_name: str = _choose_algorithm(jwk_data, kty, algorithm)
        if not has_crypto and self.algorithm_name in requires_cryptography:  # pragma: no cover - PyJWT's check
            raise MissingCryptographyError(f"{self.algorithm_name} requires 'cryptography' to be installed.")
        self.Algorithm: Optional[Algorithm] = _find_algorithm(self.algorithm_name, kty)
        self.key: Any = jwk_to_key(jwk_data, min_rsa_key_size)
        if self.Algorithm is not None:
            self.Algorithm.prepare_key(self.key)  # the key must suit its algorithm: InvalidKeyError
        check_x509_members(jwk_data, self.key)

    @staticmethod
    def from_dict(
        obj: JWKDict, algorithm: Optional[str] = None, *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE
    ) -> PyJWK:
        """``PyJWK(obj, algorithm)``."""
        return PyJWK(obj, algorithm, min_rsa_key_size=min_rsa_key_size)

    @staticmethod
    def from_json(
        data: str, algorithm: Optional[str] = None, *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE
    ) -> PyJWK:
        """A PyJWK from JSON text; :class:`InvalidKeyError` ``"Key is not valid JSON"`` if it is not
        a JSON object (PyJWT lets ``json``'s own error through)."""
        return PyJWK(_json_object(data, InvalidKeyError("Key is not valid JSON")), algorithm,
                     min_rsa_key_size=min_rsa_key_size)

    @property
    def key_type(self) -> Optional[str]:
        """The ``kty`` member."""
        return self._jwk_data.get("kty", None)

    @property
    def key_id(self) -> Optional[str]:
        """The ``kid`` member, or None."""
        return self._jwk_data.get("kid", None)

    @property
    def public_key_use(self) -> Optional[str]:
        """The ``use`` member (``"sig"``, ``"enc"``, ...), or None."""
        return self._jwk_data.get("use", None)

    @property
    def key_operations(self) -> Optional[List[str]]:
        """The ``key_ops`` member (a copy), or None. A cyjose addition."""
        ops = self._jwk_data.get("key_ops")
        return list(ops) if ops is not None else None

    def usable_for(self, operation: str) -> bool:
        """Whether the JWK's own metadata allows ``operation`` (RFC 7517 §4.2-4.3).

        ``operation`` is a ``key_ops`` value: ``"sign"``, ``"verify"``,
        ``"encrypt"``, ... It is allowed unless ``use`` says otherwise (``sig``
        for sign/verify, ``enc`` for the rest), or ``key_ops`` is present and
        lacks it; sign/verify also need a signature algorithm (``Algorithm``
        not None). So a key published with ``"use": "enc"``, or with
        ``"key_ops": ["sign"]`` only, never verifies a token. Whether the key
        is private (needed to sign) is not checked here. A cyjose addition.
        """
        return self._refusal(operation) is None

    def _refusal(self, operation: str) -> Optional[str]:
        """Why the JWK's metadata forbids ``operation``, or None."""
        if operation not in _KEY_OPERATIONS:
            raise ValueError(f"Unknown key operation: {operation!r}")
        signature = operation in _SIGNATURE_OPERATIONS
        if signature and self.Algorithm is None:
            return f"The key is for {self.algorithm_name} (JWE key management), not for signatures"
        use = self.public_key_use
        if use is not None and use != ("sig" if signature else "enc"):
            return f'The key is published for "use": "{shown_name(use)}", so it cannot {operation}'
        ops = self._jwk_data.get("key_ops")
        if ops is not None and operation not in ops:
            return f'The key\'s "key_ops" do not include "{operation}"'
        return None

    def _key_for(self, operation: str, algorithm_name: str) -> Any:
        """``key`` for a JWS ``operation`` with ``algorithm_name``, after every check.

        Raises :class:`InvalidAlgorithmError` when ``algorithm_name`` is not
        this key's algorithm (PyJWT's message) and :class:`InvalidKeyError`
        when the JWK's ``use``/``key_ops`` forbid the operation.
        """
        if algorithm_name != self.algorithm_name:
            raise InvalidAlgorithmError(
                f"Token algorithm {algorithm_name!r} does not match the key's algorithm {self.algorithm_name!r}"
            )
        refusal = self._refusal(operation)
        if refusal is not None:
            raise InvalidKeyError(refusal)
        return self.key

    def thumbprint(self, hash_name: str = "sha256") -> str:
        """The RFC 7638 JWK thumbprint, base64url (``hash_name``: sha256, sha384 or sha512).

        Computed from the key itself over its required members (AKP keys:
        ``alg``, ``kty``, ``pub``, RFC 9964 §6), so equal keys have equal
        thumbprints however their JWKs were spelled. A cyjose addition.
        """
        return thumbprint(self.key, hash_name)

    def to_dict(self, private: bool = False) -> JWKDict:
        """A copy of the JWK's members (``kid``, ``use``, ``x5c``, ... included).

        Private key members are left out unless ``private`` is true, so the
        default result is fit to publish. An ``oct`` key has no public form:
        :class:`PyJWKError` unless ``private``. A cyjose addition.
        """
        kty = self._jwk_data["kty"]
        if not private and kty == "oct":
            raise PyJWKError("A symmetric (oct) key has no public form; use to_dict(private=True)")
        hidden = () if private else _PRIVATE_MEMBERS[kty]
        return {name: copy.deepcopy(value) for name, value in self._jwk_data.items() if name not in hidden}

    def __repr__(self) -> str:
        kid = f" kid={self.key_id!r}" if self.key_id is not None else ""
        return f"<PyJWK kty={self.key_type} alg={self.algorithm_name}{kid}>"


def public_members(jwk: JWKDict) -> JWKDict:
    """``jwk`` without the private members of its ``kty`` (``d``, ``p``, ..., ``priv``); ``oct`` keys unchanged.

    A cyjose addition, for key sources that only verify (see :class:`PyJWKSet`).
    """
    kty = jwk.get("kty")
    if kty == "oct" or not isinstance(kty, str) or kty not in _PRIVATE_MEMBERS:
        return jwk
    hidden = _PRIVATE_MEMBERS[kty]
    return {name: value for name, value in jwk.items() if name not in hidden}


def _check_metadata(jwk: JWKDict) -> None:
    """Types of the common members (RFC 7517 §4) and ``crv``; :class:`InvalidKeyError`."""
    for name in ("kid", "use", "alg", "crv"):
        if jwk.get(name) is not None and not isinstance(jwk[name], str):
            raise InvalidKeyError(f'JWK member "{name}" must be a string')
    ops = jwk.get("key_ops")
    if ops is not None:
        if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
            raise InvalidKeyError('JWK member "key_ops" must be a list of strings')
        if len(set(ops)) != len(ops):
            raise InvalidKeyError('JWK member "key_ops" must not repeat a value')


def _choose_algorithm(jwk: JWKDict, kty: str, requested: Optional[str]) -> str:
    """``requested``, else the JWK's ``alg``, else the default for ``kty``/``crv``."""
    declared = jwk.get("alg")
    if requested and declared and requested != declared:
        raise InvalidKeyError(f"The JWK is for {shown_name(declared)}, not for the requested {shown_name(requested)}")
    chosen = requested or declared
    if chosen:
        return chosen
    crv = jwk.get("crv")
    if kty == "RSA":
        return "RS256"
    if kty == "oct":
        return "HS256"
    if kty == "EC":
        if not crv:
            return "ES256"  # as PyJWT
        if crv in _DEFAULT_EC_ALGORITHMS:
            return _DEFAULT_EC_ALGORITHMS[crv]
    elif kty == "OKP":
        if not crv:
            raise InvalidKeyError("crv is not found in the JWK")
        if crv in _DEFAULT_OKP_ALGORITHMS:
            return _DEFAULT_OKP_ALGORITHMS[crv]
    else:  # AKP: the algorithm is part of the key (RFC 9964 §3)
        raise InvalidKeyError('"alg" is required for AKP keys')
    raise InvalidKeyError(f"Unsupported crv: {shown_name(crv)}")


def _find_algorithm(name: str, kty: str) -> Optional[Algorithm]:
    """The signature algorithm ``name`` names; None for a JWE key-management algorithm.

    The ``kty`` must be the algorithm's, checked before the key is loaded:
    :class:`InvalidKeyError` otherwise (e.g. an ``oct`` JWK declaring RS256).
    """
    algorithm = _ALGORITHMS.get(name)
    if algorithm is not None:
        key_types: Tuple[str, ...] = tuple(key_type for family, key_type in _SIGNATURE_KTY
                                           if isinstance(algorithm, family))
    else:
        key_types = JWE_KEY_ALGORITHMS.get(name, ())
        if not key_types:
            raise PyJWKError(f"Unable to find an algorithm for key: {shown_name(name)}")
    # An AKP key's "alg" is its variant: its loader says more precisely which one is unsupported.
    if key_types and kty not in key_types and kty != "AKP":
        raise InvalidKeyError(f"A key of type {shown_name(kty)} cannot be used with {name}")
    return algorithm


def _json_object(data: Any, error: PyJWTError) -> Dict[str, Any]:
    try:
        obj = json.loads(data)
    except (TypeError, ValueError, RecursionError):
        raise error from None
    if not isinstance(obj, dict):
        raise error
    return obj


class _Given(NamedTuple):
    """The ``kid`` and ``kty`` of one member of a set's ``keys`` as given (None: absent, not a string, or
    the member is not an object)."""

    kid: Optional[str]
    kty: Optional[str]


def _given_member(member: Any) -> _Given:
    if not isinstance(member, dict):
        return _Given(None, None)
    kid, kty = member.get("kid"), member.get("kty")
    return _Given(kid if isinstance(kid, str) else None, kty if isinstance(kty, str) else None)


class PyJWKSet:
    """A JWK Set (RFC 7517 §5): the usable keys of ``keys``, as :class:`PyJWK` objects.

    As PyJWT: members that are not objects, or that cannot be loaded (unknown
    ``kty``, ``crv`` or ``alg``, malformed, an RSA key under
    ``min_rsa_key_size`` bits, ...), are skipped; :class:`PyJWKSetError` when
    ``keys`` is empty or missing ("did not contain any keys"), not a list
    ("Invalid JWK Set value"), or has no usable key. Keys published for
    ``enc`` stay in the set (they load), but never verify a token.

    Lookups: ``jwks[kid]`` (KeyError when absent, as PyJWT) and
    :meth:`get`; when several keys share a ``kid`` the first wins. ``keys``
    keeps the set's order.

    ``load_private=False`` (keyword, a cyjose addition) loads every key in
    public form: the private members of RSA, EC, OKP and AKP keys are dropped
    before parsing (:func:`public_members`), so a set that only verifies never
    parses private material -- which a hostile set could make expensive (a
    bogus 8192-bit private RSA JWK costs seconds of CPU) -- nor keeps it.

    The set also remembers, privately (``_given``), the ``kid`` and ``kty`` of
    every member of ``keys`` as given, loaded or skipped, so a verifier's
    policy (:func:`cyjose._keyset.check_key_set`) judges the set the issuer
    published, not only the keys cyjose could load.
    """

    def __init__(
        self, keys: List[JWKDict], *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE, load_private: bool = True
    ) -> None:
        self.keys: List[PyJWK] = []
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")
        self._given: Tuple[_Given, ...] = tuple(_given_member(key) for key in keys)
        for key in keys:
            if not isinstance(key, dict):
                continue
            try:
                self.keys.append(PyJWK(key if load_private else public_members(key), min_rsa_key_size=min_rsa_key_size))
            except MissingCryptographyError:  # pragma: no cover - PyJWT's rule; cyjose always has cryptography
                raise
            except PyJWTError:
                continue
        if not self.keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?")

    @staticmethod
    def from_dict(
        obj: Dict[str, Any], *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE, load_private: bool = True
    ) -> PyJWKSet:
        """The set in ``obj["keys"]``; :class:`PyJWKSetError` for a non-dict ``obj``."""
        if not isinstance(obj, dict):
            raise PyJWKSetError("Invalid JWK Set value")
        return PyJWKSet(obj.get("keys", []), min_rsa_key_size=min_rsa_key_size, load_private=load_private)

    @staticmethod
    def from_json(
        data: str, *, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE, load_private: bool = True
    ) -> PyJWKSet:
        """The set in JSON text; :class:`PyJWKSetError` if it is not a JSON object
        (PyJWT lets ``json``'s own error through)."""
        obj = _json_object(data, PyJWKSetError("Invalid JWK Set value"))
        return PyJWKSet.from_dict(obj, min_rsa_key_size=min_rsa_key_size, load_private=load_private)

    def __getitem__(self, kid: str) -> PyJWK:
        key = self.get(kid)
        if key is None:
            raise KeyError(f"keyset has no key for kid: {kid}")
        return key

    def get(self, kid: str, default: Optional[PyJWK] = None) -> Optional[PyJWK]:
        """The first key with this ``kid``, else ``default``. A cyjose addition."""
        for key in self.keys:
            if key.key_id == kid:
                return key
        return default

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"<PyJWKSet {len(self.keys)} keys>"


class PyJWTSetWithTimestamp:
    """A :class:`PyJWKSet` and the (monotonic) time it was fetched, as PyJWT's JWKS cache keeps them."""

    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()

    def get_jwk_set(self) -> PyJWKSet:
        """The set."""
        return self.jwk_set

    def get_timestamp(self) -> float:
        """``time.monotonic()`` when the set was wrapped."""
        return self.timestamp

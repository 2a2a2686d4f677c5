"""Algorithm tables that key handling is checked against.

:data:`MLDSA`: the ML-DSA parameter sets this ``cryptography`` provides (probed
once at import); :data:`JWE_KEY_ALGORITHMS`: which key types each JWE algorithm
takes, so a JWK published for one loads but never signs or verifies.
"""

from __future__ import annotations

from typing import Any, Dict, NamedTuple, Tuple

from cryptography.exceptions import UnsupportedAlgorithm

__all__ = ["MLDSA", "MLDSAVariant", "MLDSA_SEED_SIZE", "JWE_KEY_ALGORITHMS"]


class MLDSAVariant(NamedTuple):
    """One ML-DSA parameter set as ``cryptography`` names it."""

    public: Any
    private: Any
    public_size: int


MLDSA_SEED_SIZE = 32


def _mldsa_variants() -> Dict[str, MLDSAVariant]:
    """The ML-DSA parameter sets this ``cryptography`` and its OpenSSL support (perhaps none).

    Each is probed: the module and class names vary across ``cryptography``
    releases and backends, and a missing one must never break the import.
    """
    try:
        from cryptography.hazmat.primitives.asymmetric import mldsa
    except ImportError:  # cryptography too old
        return {}
    variants = {}
    for name, public_size in (("ML-DSA-44", 1312), ("ML-DSA-65", 1952), ("ML-DSA-87", 2592)):
        public = getattr(mldsa, f"MLDSA{name[-2:]}PublicKey", None)
        private = getattr(mldsa, f"MLDSA{name[-2:]}PrivateKey", None)
        if public is None or private is None:
            continue
        try:
            private.from_seed_bytes(bytes(MLDSA_SEED_SIZE))
        except (UnsupportedAlgorithm, AttributeError):  # no ML-DSA in the OpenSSL underneath
            continue
        variants[name] = MLDSAVariant(public, private, public_size)
    return variants


#: ML-DSA parameter sets by JOSE name; empty when ``cryptography`` cannot do ML-DSA.
MLDSA: Dict[str, MLDSAVariant] = _mldsa_variants()

#: JWE algorithms -- key management (RFC 7518 §4.1, RFC 8037 §3.2) and, for
#: direct encryption keys, content encryption (§5.1) -- and the key types each
#: takes: keys published for them load, but never sign or verify.
JWE_KEY_ALGORITHMS: Dict[str, Tuple[str, ...]] = {
    **dict.fromkeys(("A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"), ("oct",)),
    **dict.fromkeys(("RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"), ("RSA",)),
    **dict.fromkeys(("A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW", "dir"), ("oct",)),
    **dict.fromkeys(("PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"), ("oct",)),
    **dict.fromkeys(("ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"), ("EC", "OKP")),
}

"""``cyjose keygen``: a new signing key as a JWK or PEM, the private part kept to its owner."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Optional, Tuple

from cryptography.hazmat.primitives import serialization

from .._keymaterial.jwk import key_to_jwk, thumbprint
from ._io import UsageError, write_private_file, write_public_file

__all__ = ["add_parser", "generate", "ALGORITHM_NAMES", "KEY_TYPES"]

# The names of cyjose.keys._keygen.ALGORITHMS (the one table of key types, curves and sizes) and
# of its key types, for the parser. Named here, not imported: importing cyjose.keys loads sqlite3
# and the key store, which every command would pay for; tests/test_cli.py checks they agree.
ALGORITHM_NAMES = ("ES256", "ES256K", "ES384", "ES512", "Ed25519", "Ed448", "EdDSA", "HS256", "HS384", "HS512",
                   "PS256", "PS384", "PS512", "RS256", "RS384", "RS512")
KEY_TYPES = ("RSA", "EC", "OKP", "oct")
_RSA_SIZES = (2048, 8192)  # at least what verifiers accept, at most what they parse


def add_parser(commands: Any) -> None:
    """Register ``keygen`` on the ``commands`` subparsers."""
    parser = commands.add_parser(
        "keygen", help="generate a signing key (JWK or PEM)",
        description="Generate a key for ALG. Without --out the private key goes to stdout; with --out it is "
                    "written to a new file readable by its owner only (0600) and the public key goes to stdout "
                    "(or --public-out). The JWK kid is the RFC 7638 thumbprint unless --kid is given.")
    parser.add_argument("--kty", required=True, choices=KEY_TYPES)
    parser.add_argument("--alg", required=True, choices=ALGORITHM_NAMES, metavar="ALG",
                        help="algorithm the key is for: " + ", ".join(ALGORITHM_NAMES))
    parser.add_argument("--crv", help="curve (EC: P-256, P-384, P-521, secp256k1; OKP: Ed25519, Ed448)")
    parser.add_argument("--size", type=int,
                        help="bits: RSA modulus (default 2048), oct secret (default: the hash size)")
    parser.add_argument("--format", choices=("jwk", "pem"), default="jwk")
    parser.add_argument("--kid", help="key id (default: the RFC 7638 thumbprint)")
    parser.add_argument("--out", metavar="FILE", help="write the private key here (new file, mode 0600)")
    parser.add_argument("--public-out", metavar="FILE", help="write the public key here instead of stdout")
    parser.set_defaults(run=run_keygen)


def run_keygen(args: argparse.Namespace) -> int:
    """Generate the key and write its private and public forms where the options say."""
    if args.format == "pem" and args.kty == "oct":
        raise UsageError("an oct (HMAC) key has no PEM form: use --format jwk")
    if args.format == "pem" and args.kid:
        raise UsageError("a PEM key carries no kid: --kid needs --format jwk")
    if args.kty == "oct" and args.public_out:
        raise UsageError("an oct (HMAC) key has no public form: --public-out does not apply")
    key = generate(args.kty, args.alg, args.crv, args.size)
    private, public = _encoded(key, args.alg, args.format, args.kid)
    if args.out is None:
        sys.stdout.buffer.write(private)
    else:
        write_private_file(args.out, private)
    if public is not None and (args.out is not None or args.public_out is not None):
        if args.public_out is not None:
            write_public_file(args.public_out, public)
        else:
            sys.stdout.buffer.write(public)
    sys.stdout.flush()
    return 0


def generate(kty: str, alg: str, crv: Optional[str], size: Optional[int]) -> Any:
    """A new private key (``bytes`` for oct) of type ``kty`` for ``alg``; UsageError when they do not fit."""
    from ..keys._keygen import ALGORITHMS, new_key  # lazily: see ALGORITHM_NAMES

    spec = ALGORITHMS[alg]
    if kty != spec.kty:
        raise UsageError(f"{alg} needs a {spec.kty} key, not {kty}")
    if kty in ("EC", "OKP"):
        if size is not None:
            raise UsageError(f"--size does not apply to {kty} keys (the curve fixes it)")
        curve = crv or spec.curves[0]
        if curve not in spec.curves:
            raise UsageError(f"{alg} does not sign with curve {curve}")
        return new_key(alg, crv=curve)
    if crv is not None:
        raise UsageError(f"--crv does not apply to {kty} keys")
    bits = spec.bits if size is None else size
    if kty == "oct" and (bits < spec.bits or bits % 8):
        raise UsageError(f"an {alg} secret needs a multiple of 8 bits, at least {spec.bits}")
    if kty == "RSA" and not _RSA_SIZES[0] <= bits <= _RSA_SIZES[1]:
        raise UsageError(f"RSA keys must have {_RSA_SIZES[0]} to {_RSA_SIZES[1]} bits")
    return new_key(alg, bits=bits)


def _encoded(key: Any, alg: str, form: str, kid: Optional[str]) -> Tuple[bytes, Optional[bytes]]:
    """(private, public) file contents; public is None for a secret."""
    if form == "pem":
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        return private, public
    if isinstance(key, bytes):
        members = {"kid": kid or thumbprint(key), "alg": alg, "use": "sig"}
        return _jwk_text({**key_to_jwk(key), **members}), None
    from ..keys._keygen import public_jwk  # lazily: see ALGORITHM_NAMES

    public = public_jwk(key, alg)  # the key store's published shape: thumbprint kid, alg, use, no key_ops
    if kid:
        public["kid"] = kid
    private = {name: value for name, value in key_to_jwk(key).items() if name != "key_ops"}
    private.update((name, public[name]) for name in ("kid", "alg", "use"))
    return _jwk_text(private), _jwk_text(public)


def _jwk_text(jwk: Dict[str, Any]) -> bytes:
    return (json.dumps(jwk, indent=2) + "\n").encode("ascii")

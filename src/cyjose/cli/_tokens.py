"""``cyjose inspect``, ``verify`` and ``sign``: tokens in, tokens or verdicts out."""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any, Dict, List, Optional, Tuple

from .._speedups.b64url import b64url_decode
from .._speedups.compact import split_jwe, split_jws
from .._speedups.json import loads_object
from ..api_jwk import PyJWK
from ..exceptions import DecodeError, InvalidTokenError
from ..jwks_client import PyJWKClient
from ..signer import Signer
from ..types import Options
from ..verifier import Verifier
from ._io import (
    CliError,
    Invalid,
    UsageError,
    load_key_file,
    names,
    parse_json_object,
    pretty_json,
    read_file,
    read_text_arg,
    secret_from_env,
    secret_from_file,
)
from ._time import describe_time, distance

__all__ = ["add_parsers"]

_TIME_CLAIMS = ("exp", "nbf", "iat")


def add_parsers(commands: Any) -> None:
    """Register ``inspect``, ``verify`` and ``sign`` on the ``commands`` subparsers."""
    inspect = commands.add_parser(
        "inspect", help="decode a token without verifying it",
        description="Show a token's header and claims (JWE: the header only). The signature is NOT verified.")
    inspect.add_argument("token", nargs="?", help="the token; '-' or nothing reads stdin")
    inspect.set_defaults(run=run_inspect)

    verify = commands.add_parser(
        "verify", help="verify a token: exit 0 when valid, 1 with the reason when not",
        description="Verify a token's signature and claims. Secrets come from a file or an environment variable.")
    verify.add_argument("token", nargs="?", help="the token; '-' or nothing reads stdin")
    _key_options(verify, jwks=True)
    verify.add_argument("--alg", action="append", required=True, metavar="ALG",
                        help="accepted algorithm (repeat or comma-separate for several)")
    verify.add_argument("--aud", action="append", metavar="AUD", help="required audience (repeatable: any of them)")
    verify.add_argument("--iss", action="append", metavar="ISS", help="required issuer (repeatable: any of them)")
    verify.add_argument("--leeway", type=_seconds, default=0.0, metavar="S", help="clock skew allowed, seconds")
    verify.add_argument("--require", action="append", metavar="CLAIM", help="claim that must be present")
    verify.set_defaults(run=run_verify)

    sign = commands.add_parser(
        "sign", help="sign a JSON claim set and print the token",
        description="Sign the claims (a JSON object from a file, or stdin with '-') and print the compact token.")
    sign.add_argument("claims", nargs="?", help="claims JSON file; '-' or nothing reads stdin")
    _key_options(sign, jwks=False)
    sign.add_argument("--alg", required=True, metavar="ALG", help="signing algorithm, e.g. ES256")
    sign.add_argument("--kid", help="key id for the header (default: a JWK key file's own kid)")
    sign.add_argument("--exp-in", type=int, metavar="SECONDS", help="set exp (and iat if absent) from now")
    sign.set_defaults(run=run_sign)


def _seconds(text: str) -> float:
    """argparse type: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _key_options(parser: argparse.ArgumentParser, jwks: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--key", metavar="FILE", help="key file: PEM, DER, OpenSSH, JWK or JWK set")
    if jwks:
        group.add_argument("--jwks", metavar="URL", help="JWK set URL (http or https)")
    group.add_argument("--secret-env", metavar="VAR", help="HMAC secret from this environment variable")
    group.add_argument("--secret-file", metavar="FILE",
                       help="HMAC secret from this file (a text line's final newline is ignored)")


def _key(args: argparse.Namespace, algorithm: str) -> Any:
    if args.key is not None:
        return load_key_file(args.key, algorithm)
    if getattr(args, "jwks", None) is not None:
        return PyJWKClient(args.jwks, timeout=10)
    if args.secret_env is not None:
        return secret_from_env(args.secret_env)
    return secret_from_file(args.secret_file)


def _token_text(value: Optional[str]) -> bytes:
    token = read_text_arg(value, "token").strip()
    if not token:
        raise CliError("the token is empty")
    return token


# --- inspect ---------------------------------------------------------------------------------


def run_inspect(args: argparse.Namespace) -> int:
    """Print the header, the claims and their times; never claims the token is valid."""
    token = _token_text(args.token)
    if token.count(b".") == 4:
        protected = split_jwe(token)[0]
        print("JWE (encrypted): header only; nothing is decrypted or verified")
        print("header:\n" + pretty_json(_segment_object(protected, "header")))
        return 0
    _, header_segment, payload_segment, _ = split_jws(token)
    header = _segment_object(header_segment, "header")
    print("signature NOT verified: this only decodes the token; use `cyjose verify` to check it")
    print("header:\n" + pretty_json(header))
    print(_payload_text(header, payload_segment))
    return 0


def _segment_object(segment: bytes, what: str) -> Dict[str, Any]:
    return loads_object(b64url_decode(segment, what), what)


def _payload_text(header: Dict[str, Any], segment: bytes) -> str:
    if not segment:
        return "payload: detached (not in the token)"
    if header.get("b64") is False:
        return f"payload (unencoded, {len(segment)} bytes): {segment[:200]!r}"
    payload = b64url_decode(segment, "payload")
    try:
        claims = loads_object(payload, "payload")
    except DecodeError:
        return f"payload (not a JSON object, {len(payload)} bytes): {payload[:200]!r}"
    lines = ["claims:", pretty_json(claims)]
    now = time.time()
    lines += [describe_time(name, claims[name], now) for name in _TIME_CLAIMS if name in claims]
    return "\n".join(lines)


# --- verify ----------------------------------------------------------------------------------


def run_verify(args: argparse.Namespace) -> int:
    """Exit 0 with ``valid: ...`` on stdout, or raise so main() prints ``invalid: <reason>``."""
    algorithms = names(args.alg)
    if not algorithms:
        raise UsageError("--alg needs at least one algorithm name")
    token = _token_text(args.token)
    options: Options = {"require": names(args.require)} if args.require else {}
    verifier = Verifier(_key(args, algorithms[0]), algorithms, audience=args.aud, issuer=args.iss,
                        leeway=args.leeway, options=options)
    try:
        verified = verifier.verify_complete(token)
    except InvalidTokenError as exc:  # the token's fault; key set fetch failures stay errors
        raise Invalid(str(exc)) from None
    print("valid: " + _summary(verified["header"], verified["payload"]))
    return 0


def _summary(header: Dict[str, Any], claims: Dict[str, Any]) -> str:
    parts: List[Tuple[str, Any]] = [("alg", header.get("alg")), ("kid", header.get("kid"))]
    parts += [(name, claims.get(name)) for name in ("sub", "iss")]
    text = ", ".join(f"{name} {json.dumps(value)[:100]}" for name, value in parts if value is not None)
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        left = exp - time.time()
        text += f", expires in {distance(left)}" if left > 0 else ", expired (within the leeway)"
    return text


# --- sign ------------------------------------------------------------------------------------


def run_sign(args: argparse.Namespace) -> int:
    """Print the compact token signing the claims with the key."""
    source = args.claims
    data = read_file(source, "claims file") if source not in (None, "-") else read_text_arg(source, "claims")
    claims = parse_json_object(data, "the claims")
    if args.exp_in is not None:
        if args.exp_in <= 0:
            raise UsageError("--exp-in must be a positive number of seconds")
        now = int(time.time())
        claims["exp"] = now + args.exp_in
        claims.setdefault("iat", now)
    key = _key(args, args.alg)
    if isinstance(key, dict):
        raise CliError("a JWK set cannot sign: give a file holding one JWK")
    kid = args.kid or (key.key_id if isinstance(key, PyJWK) else None)
    headers = {"kid": kid} if kid else None
    print(Signer(key, args.alg, headers, enforce_minimum_key_length=True).sign(claims))  # no weak keys
    return 0

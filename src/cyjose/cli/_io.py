"""Input and output shared by the commands: bounded reads, secrets from files or env, key files."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, BinaryIO, Dict, List, Optional, Union

from .._speedups.compact import MAX_TOKEN_BYTES
from ..api_jwk import PyJWK

__all__ = [
    "CliError",
    "Invalid",
    "UsageError",
    "MAX_FILE_BYTES",
    "read_bounded",
    "read_file",
    "read_text_arg",
    "secret_from_env",
    "secret_from_file",
    "load_key_file",
    "parse_json_object",
    "pretty_json",
    "write_private_file",
    "write_public_file",
    "names",
]

#: Key, claims and token inputs larger than this are refused unread (1 MiB, the token bound).
MAX_FILE_BYTES = MAX_TOKEN_BYTES


class CliError(Exception):
    """A failure reported as one line on stderr with exit status 1."""


class Invalid(CliError):
    """The token did not verify: reported as ``invalid: <reason>`` (exit status 1)."""


class UsageError(CliError):
    """A wrong combination of arguments: exit status 2, as argparse's own errors."""


def read_bounded(stream: BinaryIO, what: str) -> bytes:
    """At most :data:`MAX_FILE_BYTES` bytes of ``stream``; CliError when there are more."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CliError(f"{what} is larger than {MAX_FILE_BYTES} bytes")
    return data


def read_file(path: str, what: str) -> bytes:
    """The bytes of the file at ``path`` (bounded); CliError naming ``what`` and the reason otherwise."""
    try:
        with open(path, "rb") as stream:
            return read_bounded(stream, f"{what} {path}")
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def read_text_arg(value: Optional[str], what: str) -> bytes:
    """A command's main input: ``value`` itself, or stdin when it is ``-`` or absent.

    Absent with stdin on a terminal is a UsageError rather than a silent wait.
    """
    if value is not None and value != "-":
        return value.encode("utf-8", "surrogateescape")
    if value is None and sys.stdin.isatty():
        raise UsageError(f"no {what} given: pass it as an argument or '-' to read stdin")
    return read_bounded(sys.stdin.buffer, what)


def _without_newline(data: bytes) -> bytes:
    """``data`` less one final line ending when it is a line of text (`echo secret > file`).

    Binary secrets (random bytes) are kept exactly: a final 0x0a byte may be part of them.
    """
    for ending in (b"\r\n", b"\n"):
        if data.endswith(ending) and _is_text(data[: -len(ending)]):
            return data[: -len(ending)]
    return data


def _is_text(data: bytes) -> bool:
    try:
        return data.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        return False


def secret_from_env(name: str) -> bytes:
    """The HMAC secret in environment variable ``name`` (never echoed)."""
    value = os.environ.get(name)
    if not value:
        raise CliError(f"environment variable {name} is not set or empty")
    return os.fsencode(value)


def secret_from_file(path: str) -> bytes:
    """The HMAC secret in the file at ``path``; a text line loses its final line ending."""
    secret = _without_newline(read_file(path, "secret file"))
    if not secret:
        raise CliError(f"secret file {path} is empty")
    return secret


def parse_json_object(data: bytes, what: str) -> Dict[str, Any]:
    """``data`` parsed as a JSON object; CliError naming ``what`` otherwise."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CliError(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise CliError(f"{what} must be a JSON object")
    return value


def load_key_file(path: str, algorithm: str) -> Union[bytes, PyJWK, Dict[str, Any]]:
    """A key file as cyjose takes it: PEM/DER/OpenSSH bytes, a :class:`PyJWK`, or a JWK set dict.

    A JWK without ``alg`` is read for ``algorithm``. Raises CliError for an
    unreadable file or JSON that is neither a JWK nor a JWK set; a key that
    does not parse raises the cyjose key error.
    """
    data = read_file(path, "key file")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return data
    obj = parse_json_object(data, f"key file {path}")
    if isinstance(obj.get("keys"), list):
        return obj
    if "kty" not in obj:
        raise CliError(f"key file {path} is JSON but neither a JWK nor a JWK set")
    return PyJWK(obj, None if "alg" in obj else algorithm)


def pretty_json(value: Any) -> str:
    """Indented JSON for people; control characters stay escaped so a token cannot drive the terminal."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr)


def _open_new(path: str, mode: int) -> BinaryIO:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise CliError(f"{path} already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise CliError(f"cannot create {path}: {exc.strerror or exc}") from None
    return os.fdopen(fd, "wb")


def write_private_file(path: str, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only (0600); never overwrites."""
    with _open_new(path, 0o600) as stream:
        os.fchmod(stream.fileno(), 0o600)  # the umask may only narrow the mode; make it exact
        stream.write(data)


def write_public_file(path: str, data: bytes) -> None:
    """Write ``data`` to a new file (0644 before the umask); never overwrites."""
    with _open_new(path, 0o644) as stream:
        stream.write(data)


def names(values: Optional[List[str]]) -> List[str]:
    """A repeatable and comma-separated option's values, flattened (``--alg RS256,ES256 --alg PS256``)."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]

"""The JWE JSON Serialization (RFC 7516 §7.2): general and flattened forms, several recipients.

:func:`encrypt_json` encrypts one plaintext for one or more
:class:`JWERecipient` (one CEK, wrapped once per recipient) and returns the
JSON object as a ``dict``; :func:`decrypt_json` opens such an object
(``dict``, JSON text or bytes). Both are re-exported by :mod:`cyjose.jwe` and
share its algorithms, limits, key rules and errors.

Header rules, on both sides:

* three headers: the integrity-protected ``protected``, the shared
  ``unprotected`` and each recipient's ``header``; a name appears in at most
  one of them (RFC 7516 §7.2.1);
* ``zip`` and ``crit`` only in the protected header (``crit`` is refused
  anyway: cyjose understands no JWE extension); ``enc`` in a shared header,
  never per recipient (the content is shared, so is its algorithm);
* at most ``limits.max_recipients`` recipients (16; :class:`cyjose.limits.Limits`),
  JSON text and each base64url member at most ``limits.max_token_bytes``
  (1 MiB), JSON nesting at most ``limits.max_json_depth``, and no member name
  repeated in any object.

:func:`encrypt_json` puts ``enc`` and ``zip`` in the protected header, and
``alg`` with the members the key management computes (``epk``, ``iv``,
``tag``, ``p2s``, ``p2c``) in the protected header when there is one recipient,
else in each recipient's header. The additional authenticated data is
ASCII(BASE64URL(protected)), followed by ``"."`` and BASE64URL(aad) when the
caller gives ``aad`` (RFC 7516 §5.1 step 14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple, Union

from .._jws import validate_header
from .._keyset import keys_for_header, set_keys
from .._serialized import ascii_member, check_disjoint, load_serialized
from .._speedups.b64url import b64url_decode, b64url_encode
from .._speedups.json import dumps_compact, loads_unique
from ..api_jwk import PyJWK
from ..exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidTokenError,
    JWEDecryptionError,
    PyJWTError,
    UnknownKeyError,
)
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from ._content import CONTENT_ENCRYPTIONS, ContentEncryption, decryption_failed
from ._keys import KEY_MANAGEMENTS, KeyManagement, unwrap_cek
from ._policy import (
    NO_EXTENSIONS,
    algorithms_for,
    caller_header,
    check_zip,
    content_for,
    decrypt_policy,
    deflate,
    inflate,
    key_for,
    plaintext_bytes,
)

__all__ = ["JWERecipient", "encrypt_json", "decrypt_json", "MAX_RECIPIENTS"]

#: The most recipients :func:`encrypt_json` writes (what :func:`decrypt_json` reads by default).
MAX_RECIPIENTS = DEFAULT_LIMITS.max_recipients

_PROTECTED_ONLY = ("zip", "crit")


@dataclass(frozen=True)
class JWERecipient:
    """One recipient to encrypt for: its key, key management ``alg`` and own header.

    ``header`` holds the recipient's unprotected header members (``kid``,
    ``apu``/``apv`` for ECDH-ES, ``p2c`` for PBES2, ...). The key never
    appears in the repr.
    """

    key: Any = field(repr=False)
    alg: str
    header: Optional[Dict[str, Any]] = None


class _Message(NamedTuple):
    """A parsed JWE JSON object (the members every recipient shares)."""

    protected_segment: bytes
    protected: Dict[str, Any]
    unprotected: Dict[str, Any]
    recipients: List[Tuple[Dict[str, Any], bytes]]  # (joint header, encrypted key)
    aad: Optional[bytes]
    aad_segment: Optional[bytes]
    iv: bytes
    ciphertext: bytes
    tag: bytes


# --------------------------------------------------------------------------- encrypting


def encrypt_json(
    plaintext: Union[bytes, str],
    recipients: Union[JWERecipient, Sequence[JWERecipient]],
    enc: str,
    *,
    protected: Optional[Dict[str, Any]] = None,
    unprotected: Optional[Dict[str, Any]] = None,
    aad: Optional[bytes] = None,
    zip: Optional[str] = None,
    flattened: bool = False,
) -> Dict[str, Any]:
    """Encrypt ``plaintext`` (``str`` is UTF-8 encoded) for every recipient; the JWE JSON object.

    The general form (``"recipients": [...]``) by default; ``flattened=True``
    gives the flattened form, which holds exactly one recipient. ``enc`` is a
    name from :data:`~cyjose.jwe.CONTENT_ALGORITHMS`; each recipient's ``alg``
    one from :data:`~cyjose.jwe.KEY_ALGORITHMS` (not ``RSA1_5``; ``dir`` and
    ``ECDH-ES`` only for a lone recipient, as the key is the CEK there).
    ``protected``/``unprotected`` add shared header members, ``aad`` (bytes)
    is authenticated but not encrypted, ``zip="DEF"`` compresses first.

    Raises :class:`InvalidAlgorithmError` for an unknown or refused
    algorithm, :class:`InvalidKeyError` for a key that does not suit its
    ``alg``, :class:`InvalidTokenError` for header members that break the
    rules in the module docstring (or that encrypt computes itself:
    ``alg``, ``enc``, ``zip``, ``epk``, ``p2s``, ``iv``, ``tag``), and
    ``TypeError``/``ValueError`` for ill-typed or miscounted arguments.
    """
    recipient_list = _recipient_list(recipients, flattened)
    data = plaintext_bytes(plaintext)
    if aad is not None and not isinstance(aad, bytes):
        raise TypeError(f"aad must be bytes, got {type(aad).__name__}")
    check_zip(zip)
    shared_protected = {"enc": enc, **({"zip": zip} if zip else {}), **caller_header(protected, "protected")}
    shared_unprotected = caller_header(unprotected, "unprotected")
    check_disjoint(shared_protected, shared_unprotected, "JWE")
    cek, members = _wrap_all(recipient_list, enc, shared_protected, shared_unprotected)
    return _assemble(data, cek, enc, shared_protected, shared_unprotected, members, aad, zip, flattened)


def _recipient_list(recipients: Any, flattened: bool) -> List[JWERecipient]:
    recipient_list = [recipients] if isinstance(recipients, JWERecipient) else list(recipients)
    if not 1 <= len(recipient_list) <= MAX_RECIPIENTS:
        raise ValueError(f"encrypt_json needs 1 to {MAX_RECIPIENTS} recipients, got {len(recipient_list)}")
    if flattened and len(recipient_list) != 1:
        raise ValueError("The flattened form holds exactly one recipient")
    for recipient in recipient_list:
        if not isinstance(recipient, JWERecipient):
            raise TypeError(f"Expected JWERecipient objects, got {type(recipient).__name__}")
    return recipient_list


def _wrap_all(recipients: List[JWERecipient], enc: str, protected: Dict[str, Any],
              unprotected: Dict[str, Any]) -> Tuple[bytes, List[Dict[str, Any]]]:
    """One CEK wrapped for every recipient: ``(cek, recipient members)``; ``protected`` gains members."""
    shared = {**protected, **unprotected}
    own_headers = [caller_header(r.header, "a recipient's header") for r in recipients]
    for own in own_headers:
        check_disjoint(shared, own, "JWE")
    lone = len(recipients) == 1
    # A lone recipient's alg and computed members are integrity protected; several need their own.
    cek, first_key = _wrap_for(recipients[0], enc, None, shared, own_headers[0], protected if lone else own_headers[0],
                               lone)
    encrypted_keys = [first_key] + [
        _wrap_for(recipient, enc, cek, shared, own, own, lone)[1]
        for recipient, own in zip(recipients[1:], own_headers[1:])
    ]
    return cek, [_recipient_member(own, encrypted) for own, encrypted in zip(own_headers, encrypted_keys)]


def _wrap_for(recipient: JWERecipient, enc: str, cek: Optional[bytes], shared: Dict[str, Any],
              own: Dict[str, Any], computed_into: Dict[str, Any], lone: bool) -> Tuple[bytes, bytes]:
    """Wrap ``cek`` (None: a new one) for ``recipient``; its computed members go into ``computed_into``."""
    management, content = algorithms_for(recipient.alg, enc)
    if management.derives_cek and not lone:
        raise InvalidAlgorithmError(f"{management.name} makes its own CEK: it serves a lone recipient only")
    joint = {**shared, **own, "alg": management.name}
    validate_header(joint, NO_EXTENSIONS)
    wrap_key = key_for(recipient.key, management, content, decrypting=False)
    new_cek, encrypted_key, extra = management.wrap(wrap_key, content, joint, cek)
    computed_into["alg"] = management.name
    # PBES2 echoes a caller's p2c: it stays where the caller put it.
    computed_into.update((name, value) for name, value in extra.items() if name not in joint)
    return new_cek, encrypted_key


def _recipient_member(own: Dict[str, Any], encrypted_key: bytes) -> Dict[str, Any]:
    member: Dict[str, Any] = {}
    if own:
        member["header"] = own
    if encrypted_key:  # RFC 7516 §7.2.1: absent when empty
        member["encrypted_key"] = b64url_encode(encrypted_key).decode("ascii")
    return member


def _assemble(data: bytes, cek: bytes, enc: str, protected: Dict[str, Any], unprotected: Dict[str, Any],
              members: List[Dict[str, Any]], aad: Optional[bytes], zip_name: Optional[str],
              flattened: bool) -> Dict[str, Any]:
    """Encrypt the content and lay out the JSON object."""
    protected_segment = b64url_encode(dumps_compact(protected))
    aad_segment = b64url_encode(aad) if aad is not None else None
    if zip_name is not None:
        data = deflate(data)
    iv, ciphertext, tag = CONTENT_ENCRYPTIONS[enc].encrypt(cek, data, _aad_input(protected_segment, aad_segment))
    result: Dict[str, Any] = {"protected": protected_segment.decode("ascii")}
    if unprotected:
        result["unprotected"] = unprotected
    if flattened:
        result.update(members[0])
    else:
        result["recipients"] = members
    if aad_segment is not None:
        result["aad"] = aad_segment.decode("ascii")
    for name, value in (("iv", iv), ("ciphertext", ciphertext), ("tag", tag)):
        result[name] = b64url_encode(value).decode("ascii")
    return result


def _aad_input(protected_segment: bytes, aad_segment: Optional[bytes]) -> bytes:
    """RFC 7516 §5.1 step 14: ASCII(BASE64URL(protected)) ['.' BASE64URL(aad)]."""
    return protected_segment if aad_segment is None else protected_segment + b"." + aad_segment


# --------------------------------------------------------------------------- decrypting


def decrypt_json(
    data: Union[Dict[str, Any], str, bytes],
    key: Any,
    algorithms: Collection[str],
    encryptions: Collection[str],
    *,
    zips: Collection[str] = (),
    allow_rsa1_5: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """Decrypt a JWE in the general or flattened JSON serialization.

    ``algorithms``/``encryptions``/``zips`` and the limits are those of
    :func:`cyjose.jwe.decrypt_complete`. ``key`` is a key as
    :func:`cyjose.jwe.decrypt` takes it, or a JWK set (:class:`~cyjose.PyJWKSet`
    or a ``{"keys": [...]}`` dict).

    Which recipient: only those whose ``alg`` is allowed. A JWK set gives the
    keys with the recipient's ``kid`` (every key of the set when the recipient
    has no ``kid``); a lone :class:`~cyjose.PyJWK` with a ``kid`` serves only
    recipients without ``kid`` or with its own; any other key serves every
    recipient. Pairs whose key does not suit the recipient's ``alg`` are
    passed over; the others are tried in order until one decrypts. Every
    failed try looks the same: when none decrypts, the one error is
    :class:`JWEDecryptionError` ``"Decryption failed"``, whichever recipient
    or key failed and why.

    Returns ``{"plaintext": bytes, "header": dict, "protected": dict,
    "unprotected": dict, "aad": bytes | None, "recipient": int}``: ``header``
    joins the three headers of the recipient that decrypted (index
    ``recipient``); only ``protected`` and ``aad`` are authenticated.

    Raises :class:`DecodeError` for a malformed object,
    :class:`InvalidTokenError` for header rule violations,
    :class:`InvalidAlgorithmError` for a disallowed ``enc``/``zip`` or when no
    recipient's ``alg`` is allowed, :class:`UnknownKeyError` when the JWK set
    has no key for any recipient, :class:`LimitExceededError` when there are
    more recipients, or (recipient, key) pairs to try, than
    ``limits.max_recipients``,
    :class:`InvalidKeyError` when ``key`` suits no recipient, and
    :class:`JWEDecryptionError` as above.
    """
    policy = decrypt_policy(algorithms, encryptions, zips, allow_rsa1_5, limits)
    limits = policy.limits
    message = _parse(load_serialized(data, "JWE", limits), limits)
    content, compressed = content_for({**message.protected, **message.unprotected}, policy)
    aad_input = _aad_input(message.protected_segment, message.aad_segment)
    for index, management, unwrap_key in _attempts(message, key, content, policy.algs, limits.max_recipients):
        header, encrypted_key = message.recipients[index]
        cek = unwrap_cek(management, unwrap_key, encrypted_key, header, content, limits)
        try:
            plaintext = content.decrypt(cek, message.iv, message.ciphertext, message.tag, aad_input)
        except JWEDecryptionError:
            continue
        if compressed:
            plaintext = inflate(plaintext, limits.max_decompressed_bytes)
        return {"plaintext": plaintext, "header": header, "protected": message.protected,
                "unprotected": message.unprotected, "aad": message.aad, "recipient": index}
    raise decryption_failed()


def _parse(obj: Dict[str, Any], limits: Limits) -> _Message:
    """Decode every member and apply the header rules to every recipient."""
    max_bytes = limits.max_token_bytes
    protected_segment = _segment(obj, "protected", max_bytes) if "protected" in obj else b""
    protected = loads_unique(b64url_decode(protected_segment, "header"), "header", limits.max_json_depth) \
        if protected_segment else {}
    unprotected = obj.get("unprotected", {})
    check_disjoint(protected, unprotected, "JWE")
    _check_placement(unprotected, "the shared unprotected header", enc_allowed=True)
    shared = {**protected, **unprotected}
    recipients = [_parse_recipient(entry, shared, max_bytes) for entry in _recipient_entries(obj, limits)]
    aad_segment = _segment(obj, "aad", max_bytes) if "aad" in obj else None
    aad = b64url_decode(aad_segment, "aad") if aad_segment is not None else None
    iv, ciphertext, tag = (_required(obj, name, max_bytes) for name in ("iv", "ciphertext", "tag"))
    return _Message(protected_segment, protected, unprotected, recipients, aad, aad_segment, iv, ciphertext, tag)


def _recipient_entries(obj: Dict[str, Any], limits: Limits) -> List[Any]:
    """The recipient objects: the ``recipients`` list (general) or the object itself (flattened)."""
    if "recipients" not in obj:
        return [obj]
    if "header" in obj or "encrypted_key" in obj:
        raise DecodeError("Invalid JWE: mixes the general and the flattened form")
    entries = obj["recipients"]
    if not isinstance(entries, list) or not entries:
        raise DecodeError("Invalid JWE: 'recipients' must be a non-empty array")
    if len(entries) > limits.max_recipients:
        raise exceeded(f"The number of recipients ({len(entries)})", "max_recipients", limits.max_recipients)
    return entries


def _parse_recipient(entry: Any, shared: Dict[str, Any], max_bytes: int) -> Tuple[Dict[str, Any], bytes]:
    """``(joint header, encrypted key)`` of one recipient object."""
    if not isinstance(entry, dict):
        raise DecodeError("Invalid JWE: each recipient must be a JSON object")
    own = entry.get("header", {})
    check_disjoint(shared, own, "JWE")
    _check_placement(own, "a recipient's header", enc_allowed=False)
    header = {**shared, **own}
    validate_header(header, NO_EXTENSIONS)
    encrypted_key = b64url_decode(_segment(entry, "encrypted_key", max_bytes), "encrypted_key") \
        if "encrypted_key" in entry else b""
    return header, encrypted_key


def _check_placement(unprotected: Dict[str, Any], where: str, enc_allowed: bool) -> None:
    """``zip``/``crit`` only in the protected header; ``enc`` never per recipient."""
    for name in _PROTECTED_ONLY + (() if enc_allowed else ("enc",)):
        if name in unprotected:
            place = "the protected header" if name in _PROTECTED_ONLY else "a shared header"
            raise InvalidTokenError(f'The "{name}" header member must be in {place}, not in {where}')


def _segment(obj: Dict[str, Any], name: str, max_bytes: int) -> bytes:
    return ascii_member(obj, name, "JWE", max_bytes)


def _required(obj: Dict[str, Any], name: str, max_bytes: int) -> bytes:
    if name not in obj:
        raise DecodeError(f"Invalid JWE: no '{name}' member")
    return b64url_decode(_segment(obj, name, max_bytes), name)


# --------------------------------------------------------------------------- choosing keys


def _attempts(message: _Message, key: Any, content: ContentEncryption,
              allowed_algs: FrozenSet[str], max_attempts: int) -> List[Tuple[int, KeyManagement, Any]]:
    """``(recipient index, key management, prepared key)`` to try, in order (see :func:`decrypt_json`).

    Raises the reason nothing can be tried when the list would be empty.
    """
    candidates = set_keys(key)
    attempts: List[Tuple[int, KeyManagement, Any]] = []
    alg_allowed = False
    key_error: Optional[PyJWTError] = None
    for index, (header, _) in enumerate(message.recipients):
        alg = header.get("alg")
        if alg is None:
            raise InvalidAlgorithmError('A recipient has no "alg" header')
        if not isinstance(alg, str) or alg not in allowed_algs:
            continue
        alg_allowed, management = True, KEY_MANAGEMENTS[alg]
        for candidate in _keys_for(header.get("kid"), key, candidates):
            try:
                attempts.append((index, management, key_for(candidate, management, content, decrypting=True)))
            except (InvalidKeyError, InvalidAlgorithmError) as exc:  # this key is not for this recipient
                key_error = key_error or exc
    if not attempts:
        if not alg_allowed:
            raise InvalidAlgorithmError("The specified alg value is not allowed")
        raise key_error or UnknownKeyError("No key matches the kid of any recipient")
    if len(attempts) > max_attempts:  # each try may cost an RSA decryption or a PBES2 derivation
        raise exceeded(f"The number of (recipient, key) pairs to try ({len(attempts)}; give the keys a kid)",
                       "max_recipients", max_attempts)
    return attempts


def _keys_for(kid: Any, key: Any, candidates: Optional[List[PyJWK]]) -> List[Any]:
    """The caller's keys that may serve a recipient with this ``kid``."""
    if candidates is not None:
        return list(keys_for_header(candidates, kid))
    if isinstance(key, PyJWK):
        return list(keys_for_header([key], kid, lone=True))
    return [key]

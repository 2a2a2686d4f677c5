"""JSON Web Encryption (RFC 7516) with the RFC 7518 algorithms, and nested JWTs.

The compact serialization is :func:`encrypt` / :func:`decrypt` /
:func:`decrypt_complete`; the JSON serialization (general and flattened,
several recipients, AAD) is :func:`encrypt_json` / :func:`decrypt_json` with
:class:`JWERecipient`; signed-then-encrypted JWTs are :func:`encode_nested` /
:func:`decode_nested` / :func:`decode_nested_complete`. All share the rules
below.

::

    token = cyjose.jwe.encrypt(b"secret", public_key, alg="RSA-OAEP-256", enc="A256GCM")
    plaintext = cyjose.jwe.decrypt(token, private_key, algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"])

The rules, all enforced by :func:`decrypt` / :func:`decrypt_complete`:

* **The caller names the algorithms.** ``algorithms`` (key management,
  ``alg``) and ``encryptions`` (content encryption, ``enc``) have no
  defaults; a token whose ``alg``/``enc`` is not listed is an
  :class:`InvalidAlgorithmError`. An unknown name in either list is an
  :class:`InvalidAlgorithmError` too, so a typo cannot silently allow nothing.
* **One error for decryption.** Every failure that depends on the key or the
  encrypted parts (unwrap, tag, padding, wrong key, wrong CEK size) raises
  :class:`JWEDecryptionError` ``"Decryption failed"``. A failed unwrap goes on
  with a random CEK, so it fails at the same tag check as a tampered
  ciphertext. Malformed structure (segments, base64url, header JSON, public
  header members such as ``epk`` or ``p2c``) is a :class:`DecodeError` or
  :class:`InvalidTokenError` with a precise message: it reveals no secret.
* **RSA1_5** only decrypts, and only when listed in ``algorithms`` *and*
  ``allow_rsa1_5=True``; it uses the RFC 3218 countermeasure (a random CEK is
  drawn before every RSA decryption and used when the padding or size is
  wrong). :func:`encrypt` refuses it.
* **Limits** (``limits=``, a :class:`cyjose.limits.Limits`; each breach is a
  :class:`~cyjose.exceptions.LimitExceededError` naming the limit): the token
  within ``max_token_bytes`` (1 MiB) and its header JSON within
  ``max_json_depth``; see PBES2 and zip below.
* **PBES2** ``p2c`` above ``limits.max_pbes2_count`` (300,000, as joserfc's
  cap) is refused before any work; :func:`encrypt` uses :data:`DEFAULT_PBES2_COUNT` (300,000) unless the
  header gives ``p2c`` (at least 1,000, RFC 7518 §4.8.1.2) and always a fresh
  16-byte salt; a token's ``p2s`` must hold at least 8 bytes.
* **zip** (``"DEF"``) is accepted only when listed in ``zips`` (default:
  none), and inflating stops at ``limits.max_decompressed_bytes`` (1 MiB:
  the largest token accepted, so compression never lets more through than an
  uncompressed token could).
* **crit**: cyjose understands no JWE extension, so any ``crit`` is refused.
* **ECDH-ES**: ``epk`` must be a public key on the recipient key's own curve
  (points are checked on the curve; X25519/X448 low-order points fail the
  exchange); ``apu``/``apv`` are optional base64url strings, read from the
  header as given (pass them in ``headers`` when encrypting).
* **Keys**: ``dir`` and AES key wrap keys are ``bytes`` of exactly the right
  size; PBES2 passwords are non-empty ``str`` or ``bytes``; RSA keys (objects
  or PEM) have at least 2048 bits; ECDH-ES keys are P-256, P-384, P-521,
  X25519 or X448 (objects or PEM). A :class:`~cyjose.PyJWK` must allow the
  operation by its ``use``/``key_ops`` (``encrypt``/``decrypt`` for ``dir``,
  ``wrapKey``/``unwrapKey`` for key wrapping and RSA, ``deriveKey`` for
  ECDH-ES and PBES2) and, when it declares an ``alg``, be declared for the
  token's ``alg`` (or, with ``dir``, for its ``enc``).
"""

from __future__ import annotations

from ._compact import decrypt, decrypt_complete, encrypt
from ._json import MAX_RECIPIENTS, JWERecipient, decrypt_json, encrypt_json
from ._keys import DEFAULT_PBES2_COUNT
from ._nested import decode_nested, decode_nested_complete, encode_nested
from ._policy import CONTENT_ALGORITHMS, KEY_ALGORITHMS, ZIP_ALGORITHMS

__all__ = [
    "encrypt",
    "decrypt",
    "decrypt_complete",
    "KEY_ALGORITHMS",
    "CONTENT_ALGORITHMS",
    "ZIP_ALGORITHMS",
    "DEFAULT_PBES2_COUNT",
    "JWERecipient",
    "encrypt_json",
    "decrypt_json",
    "MAX_RECIPIENTS",
    "encode_nested",
    "decode_nested",
    "decode_nested_complete",
]

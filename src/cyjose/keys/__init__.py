"""Issuer-side key management: a rotating signing key set kept encrypted at rest.

``from cyjose.keys import KeyStore, MasterKey``::

    store = KeyStore.open("keys.db", MasterKey.from_env("CYJOSE_MASTER_KEY"))
    store.rotate()                      # from cron: idempotent, safe to run concurrently
    token = store.issue("user-42", audience="api", issuer="https://issuer.example")
    published = store.jwks()            # serve at /.well-known/jwks.json

``import cyjose`` does not import this package (it loads sqlite3 and the AEAD
cipher, which token verification never needs); import it explicitly.

* :class:`KeyStore`: keys with kid (RFC 7638 thumbprint), algorithm, state
  (next, active, retired, deleted) and times; :meth:`~KeyStore.rotate`,
  :meth:`~KeyStore.jwks`, :meth:`~KeyStore.signer`, :meth:`~KeyStore.issue`.
* :class:`MasterKey`, :class:`KeyCipher`: AES-256-GCM at rest; the master key
  comes from an environment variable or a file, never from the store.
* :class:`RotationPolicy`: the timeline.
* :class:`Storage`: the interface a database must implement;
  :class:`SQLiteStorage` is the built-in one (one file, WAL, ``BEGIN IMMEDIATE``);
  :class:`PostgresStorage` shares one store between replicas
  (``KeyStore.open("postgresql://...")``, needs the ``postgres`` extra).
"""

from ._master import DEFAULT_MASTER_KEY_ENV, KeyCipher, MasterKey
from ._policy import RotationPolicy
from ._postgres import PostgresStorage
from ._rotation import RotationResult
from ._signer import StoreSigner
from ._sqlite import SQLiteStorage
from ._storage import STATES, KeyRecord, KeyTransaction, Storage
from ._store import KeyInfo, KeyStore

__all__ = [
    "DEFAULT_MASTER_KEY_ENV",
    "STATES",
    "KeyCipher",
    "KeyInfo",
    "KeyRecord",
    "KeyStore",
    "KeyTransaction",
    "MasterKey",
    "PostgresStorage",
    "RotationPolicy",
    "RotationResult",
    "SQLiteStorage",
    "Storage",
    "StoreSigner",
]

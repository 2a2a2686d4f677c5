"""The issuer-side KeyStore (cyjose.keys): storage, encryption at rest, rotation, signing, issuing.

Time is injected (a mutable fake clock) so a rotation timeline of weeks runs
instantly; tokens are then checked with ``verify_exp`` off and their times
compared by hand. Independent checks use PyJWT (installed for interop tests)
and an RFC 7638 thumbprint computed here from the published members.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from keystore_scenarios import check_concurrent_rotation, states

import cyjose
from cyjose.exceptions import KeyStoreError, MasterKeyError, PyJWTError, UnknownKeyError
from cyjose.keys import KeyCipher, KeyStore, MasterKey, RotationPolicy, SQLiteStorage, StoreSigner

DAY = 86400.0
T0 = 1_900_000_000.0
NO_EXP = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}


class Clock:
    """A settable clock: ``clock()`` is the time, ``clock.now`` moves it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "keys.db"


@pytest.fixture
def store(path: Path, master: MasterKey, clock: Clock) -> Any:
    with KeyStore.open(path, master, clock=clock) as opened:
        yield opened


def rfc7638(jwk: Dict[str, Any]) -> str:
    required = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    text = "{" + ",".join(f'"{name}":"{jwk[name]}"' for name in required) + "}"
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


def header(token: str) -> Dict[str, Any]:
    return dict(cyjose.get_unverified_header(token))


def verify(store: KeyStore, token: str) -> Dict[str, Any]:
    """Verify ``token`` against the store's published set, as a relying party would."""
    verifier = cyjose.Verifier(cyjose.PyJWKSet.from_dict(store.jwks()), algorithms=[store.policy.algorithm],
                               options=dict(NO_EXP, verify_aud=False))  # type: ignore[arg-type]
    return verifier.verify(token)


# -- master key and cipher ------------------------------------------------------------------


def test_master_key_text_round_trip_and_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = MasterKey.generate()
    text = key.encoded()
    assert len(base64.urlsafe_b64decode(text + "=")) == 32
    assert MasterKey.from_text(text) == key and MasterKey.from_text(f"  {text}\n") == key
    assert MasterKey.generate() != key
    monkeypatch.setenv("CYJOSE_MASTER_KEY", text)
    assert MasterKey.from_env() == key
    (tmp_path / "text.key").write_text(text + "\n")
    raw = base64.urlsafe_b64decode(text + "=")
    (tmp_path / "raw.key").write_bytes(raw)
    assert MasterKey.from_file(tmp_path / "text.key") == key == MasterKey.from_file(tmp_path / "raw.key")
    assert MasterKey(raw) == key


@pytest.mark.parametrize("bad", ["", "not base64!", "AAAA", "é" * 43, base64.urlsafe_b64encode(b"x" * 31).decode()])
def test_master_key_malformed_text(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MasterKeyError):
        MasterKey.from_text(bad)
    monkeypatch.setenv("CYJOSE_TEST_MK", bad)
    with pytest.raises(MasterKeyError):
        MasterKey.from_env("CYJOSE_TEST_MK")


def test_master_key_missing_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CYJOSE_TEST_MK", raising=False)
    with pytest.raises(MasterKeyError, match="CYJOSE_TEST_MK is not set"):
        MasterKey.from_env("CYJOSE_TEST_MK")
    with pytest.raises(MasterKeyError, match="Cannot read"):
        MasterKey.from_file(tmp_path / "absent.key")
    (tmp_path / "big.key").write_bytes(b"A" * 100_000)
    with pytest.raises(MasterKeyError, match="too large"):
        MasterKey.from_file(tmp_path / "big.key")
    with pytest.raises(MasterKeyError):
        MasterKey(b"short")
    with pytest.raises(MasterKeyError):
        MasterKey("x" * 32)  # type: ignore[arg-type]


def test_master_key_never_shown() -> None:
    key = MasterKey.generate()
    cipher = KeyCipher(key)
    for text in (repr(key), str(key), repr(cipher)):
        assert key.encoded() not in text


def test_cipher_authenticates_associated_data() -> None:
    cipher = KeyCipher(MasterKey.generate())
    sealed = cipher.seal(b"secret", b"row-1")
    assert b"secret" not in sealed
    assert cipher.open(sealed, b"row-1") == b"secret"
    assert cipher.seal(b"secret", b"row-1") != sealed  # fresh nonce each time
    assert cipher.open(sealed, b"row-2") is None
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    assert cipher.open(flipped, b"row-1") is None
    assert cipher.open(sealed[:10], b"row-1") is None
    assert KeyCipher(MasterKey.generate()).open(sealed, b"row-1") is None


# -- policy -----------------------------------------------------------------------------------


def test_policy_defaults_and_validation() -> None:
    policy = RotationPolicy()
    assert policy.algorithm == "ES256"
    assert policy.retention == policy.max_token_lifetime + policy.leeway + policy.signer_refresh
    for bad in ({"algorithm": "HS256"}, {"algorithm": "none"}, {"rotation_period": 0}, {"prepublish": -1},
                {"leeway": float("nan")}, {"max_token_lifetime": float("inf")}, {"signer_refresh": True},
                {"max_token_lifetime": "900"}):
        with pytest.raises(ValueError):
            RotationPolicy(**bad)  # type: ignore[arg-type]


def test_policy_takes_the_store_algorithms_of_the_shared_key_table() -> None:
    from cyjose.keys._keygen import ALGORITHMS, STORE_ALGORITHMS, generate_private_key

    assert sorted(STORE_ALGORITHMS) == ["ES256", "ES384", "ES512", "EdDSA", "PS256", "PS384", "PS512",
                                        "RS256", "RS384", "RS512"]
    for name in ALGORITHMS:
        if name in STORE_ALGORITHMS:
            assert RotationPolicy(algorithm=name).algorithm == name
        else:  # secrets and the CLI-only curves (ES256K, Ed448 by name) are not rotated by a store
            with pytest.raises(ValueError, match="cannot generate"):
                RotationPolicy(algorithm=name)
            with pytest.raises(KeyError):
                generate_private_key(name)


# -- an empty store ------------------------------------------------------------------------


def test_empty_store(store: KeyStore) -> None:
    assert store.keys() == []
    assert store.jwks() == {"keys": []}
    with pytest.raises(KeyStoreError, match="no active key"):
        store.active_key()
    with pytest.raises(KeyStoreError, match="no active key"):
        store.issue("alice")
    with pytest.raises(KeyStoreError, match="no active key"):
        store.signer()


def test_first_rotation_creates_active_and_next(store: KeyStore, clock: Clock) -> None:
    result = store.rotate()
    found = states(store)
    assert len(found["active"]) == 1 and len(found["next"]) == 1 and set(found) == {"active", "next"}
    assert set(result.created) == {found["active"][0], found["next"][0]}
    assert result.promoted is None and result.retired is None and result.dropped == ()
    assert result.next_change == T0 + store.policy.rotation_period
    active = store.active_key()
    assert active.kid == found["active"][0]
    assert (active.created, active.activated, active.retire_after, active.deleted) == (T0, T0, None, None)
    upcoming = next(info for info in store.keys() if info.state == "next")
    assert (upcoming.created, upcoming.activated) == (T0, None)


def test_rotate_is_idempotent(store: KeyStore, clock: Clock) -> None:
    store.rotate()
    before = store.keys()
    clock.now += DAY
    again = store.rotate()
    assert not again.changed and again.created == ()
    assert store.keys() == before


def test_published_set(store: KeyStore) -> None:
    store.rotate()
    published = store.jwks()
    assert [jwk["kid"] for jwk in published["keys"]] == [store.active_key().kid] + states(store)["next"]
    for jwk in published["keys"]:
        assert jwk["kid"] == rfc7638(jwk)  # kid is the RFC 7638 thumbprint
        assert jwk["alg"] == "ES256" and jwk["use"] == "sig" and jwk["crv"] == "P-256"
        assert "d" not in jwk and "key_ops" not in jwk
    assert json.loads(json.dumps(published)) == published
    assert store.jwks() == published


@pytest.mark.parametrize("algorithm", ["ES256", "ES384", "ES512", "RS256", "PS256", "PS512", "EdDSA"])
def test_every_algorithm_signs_and_pyjwt_verifies(tmp_path: Path, master: MasterKey, algorithm: str) -> None:
    with KeyStore.open(tmp_path / "k.db", master, algorithm) as store:
        store.rotate()
        token = store.issue("alice", audience="api", issuer="https://issuer.test")
        assert header(token)["alg"] == algorithm and header(token)["kid"] == store.active_key().kid
        published = pyjwt.PyJWKSet.from_dict(store.jwks())
        key = published[store.active_key().kid]
        claims = pyjwt.decode(token, key.key, algorithms=[algorithm], audience="api", issuer="https://issuer.test")
        assert claims["sub"] == "alice"
        assert all(jwk["kid"] == rfc7638(jwk) for jwk in store.jwks()["keys"])


def test_open_rejects_bad_arguments(path: Path) -> None:
    with pytest.raises(ValueError):
        KeyStore.open(path, MasterKey.generate(), "HS256")
    with pytest.raises(TypeError):
        KeyStore.open(path, b"\x00" * 32)  # type: ignore[arg-type]


# -- the rotation timeline ---------------------------------------------------------------------


def test_rotation_timeline(path: Path, master: MasterKey, clock: Clock) -> None:
    policy = RotationPolicy(rotation_period=7 * DAY, prepublish=DAY, max_token_lifetime=3600, leeway=30,
                            signer_refresh=60)
    store = KeyStore.open(path, master, policy=policy, clock=clock)
    store.rotate()
    first, second = store.active_key().kid, states(store)["next"][0]
    old_token = store.issue("alice", lifetime=3600)
    assert header(old_token)["kid"] == first

    clock.now = T0 + 7 * DAY - 1  # not due yet
    assert not store.rotate().changed
    clock.now = T0 + 7 * DAY
    result = store.rotate()
    third = states(store)["next"][0]
    assert (result.promoted, result.retired, result.created) == (second, first, (third,))
    assert store.active_key().kid == second and store.active_key().activated == clock.now
    retired = next(info for info in store.keys() if info.kid == first)
    assert retired.state == "retired" and retired.retire_after == clock.now + 3600 + 30 + 60
    assert result.next_change == retired.retire_after

    # The old token still verifies with the published set; new tokens use the new key.
    assert verify(store, old_token)["sub"] == "alice"
    new_token = store.issue("bob")
    assert header(new_token)["kid"] == second
    assert verify(store, new_token)["sub"] == "bob"
    assert [jwk["kid"] for jwk in store.jwks()["keys"]] == [second, third, first]

    clock.now = retired.retire_after - 1  # just before: still published
    assert not store.rotate().changed and verify(store, old_token)
    clock.now = retired.retire_after
    assert first not in [jwk["kid"] for jwk in store.jwks()["keys"]]  # no longer published, even before rotate
    dropped = store.rotate()
    assert dropped.dropped == (first,) and dropped.promoted is None
    with pytest.raises(UnknownKeyError):
        verify(store, old_token)
    history = {info.kid: info for info in store.keys()}
    assert history[first].state == "deleted" and history[first].deleted == clock.now  # history kept
    assert next(r for r in store.storage.keys() if r.kid == first).private_key is None  # private key erased
    assert sorted(states(store)) == ["active", "deleted", "next"]
    store.close()


def test_prepublish_delays_promotion_even_when_forced(store: KeyStore, clock: Clock) -> None:
    store.rotate()
    clock.now += store.policy.rotation_period
    store.rotate()  # promotes, creates a fresh next key
    active = store.active_key().kid
    clock.now += 10
    blocked = store.rotate(force=True)
    assert blocked.promoted is None and store.active_key().kid == active
    retired = next(info for info in store.keys() if info.state == "retired")
    assert blocked.next_change == retired.retire_after  # dropping it is the next change due
    clock.now += store.policy.prepublish
    forced = store.rotate(force=True)
    assert forced.retired == active and forced.promoted is not None
    assert store.active_key().kid == forced.promoted


def test_missing_next_key_is_recreated_and_waits_for_prepublish(store: KeyStore, clock: Clock) -> None:
    store.rotate()
    upcoming = states(store)["next"][0]
    with sqlite3.connect(store.storage.path) as raw:  # type: ignore[attr-defined]
        raw.execute("DELETE FROM cyjose_keys WHERE kid = ?", (upcoming,))
    clock.now += store.policy.rotation_period
    result = store.rotate()
    assert result.promoted is None and len(result.created) == 1  # a new next key, not yet promotable
    clock.now += store.policy.prepublish
    assert store.rotate().promoted == result.created[0]


def test_active_key_gone_promotes_next(store: KeyStore) -> None:
    store.rotate()
    upcoming = states(store)["next"][0]
    with sqlite3.connect(store.storage.path) as raw:  # type: ignore[attr-defined]
        raw.execute("DELETE FROM cyjose_keys WHERE state = 'active'")
    assert store.rotate().promoted == upcoming
    assert store.active_key().kid == upcoming


def test_rotate_arguments(store: KeyStore) -> None:
    with pytest.raises(TypeError):
        store.rotate("now")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.jwks(now=True)
    with pytest.raises(ValueError):
        store.rotate(float("nan"))
    store.rotate()
    with pytest.raises(ValueError):
        store.issue("alice", now=float("inf"))


# -- signing and issuing ----------------------------------------------------------------------


def test_issue_claims(store: KeyStore, clock: Clock) -> None:
    store.rotate()
    clock.now = T0 + 0.75
    token = store.issue("alice", audience=["api", "admin"], issuer="https://issuer.test", claims={"scope": "read"})
    claims = verify(store, token)
    assert claims["sub"] == "alice" and claims["iss"] == "https://issuer.test"
    assert claims["aud"] == ["api", "admin"] and claims["scope"] == "read"
    assert claims["iat"] == claims["nbf"] == int(T0) and claims["exp"] == int(T0) + 900
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 22
    other = verify(store, store.issue("alice", lifetime=60, now=T0 + 100))
    assert other["jti"] != claims["jti"] and other["exp"] - other["iat"] == 60 and other["iat"] == int(T0) + 100
    assert "iss" not in other and "aud" not in other
    assert header(token) == {"alg": "ES256", "kid": store.active_key().kid, "typ": "JWT"}


def test_issue_refuses_bad_arguments(store: KeyStore) -> None:
    store.rotate()
    for lifetime in (0, 0.5, -5, store.policy.max_token_lifetime + 1, True, float("nan")):
        with pytest.raises(ValueError, match="lifetime"):
            store.issue("alice", lifetime=lifetime)
    with pytest.raises(ValueError, match="exp"):
        store.issue("alice", claims={"exp": 1})
    for subject in ("", None, 5):
        with pytest.raises(TypeError):
            store.issue(subject)  # type: ignore[arg-type]
    for audience in ([], [1], 5):
        with pytest.raises(TypeError):
            store.issue("alice", audience=audience)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.issue("alice", issuer=3)  # type: ignore[arg-type]


def test_signer_follows_rotation_within_refresh_interval(path: Path, master: MasterKey, clock: Clock) -> None:
    store = KeyStore.open(path, master, clock=clock)
    store.rotate()
    signer = store.signer(headers={"typ": "at+jwt"})
    assert isinstance(signer, StoreSigner)
    first = store.active_key().kid
    token = signer.sign({"sub": "a"})
    assert header(token) == {"alg": "ES256", "kid": first, "typ": "at+jwt"}
    assert signer.kid == first and signer.algorithm == "ES256" and first not in repr(master)

    # Another process (another KeyStore object) rotates: picked up after signer_refresh seconds.
    clock.now += store.policy.rotation_period
    assert header(signer.sign({"sub": "a"}))["kid"] == first  # checked now: nothing changed yet
    rotated = KeyStore.open(path, master, clock=clock).rotate()
    assert header(signer.sign({"sub": "a"}))["kid"] == first  # not checked yet
    clock.now += store.policy.signer_refresh
    assert header(signer.sign({"sub": "a"}))["kid"] == rotated.promoted == signer.kid
    assert verify(store, signer.sign_bytes(b'{"sub":"raw"}'))["sub"] == "raw"

    # A rotation through this store refreshes its issue() signer at once.
    store.issue("x")
    clock.now += store.policy.rotation_period
    promoted = store.rotate().promoted
    assert header(store.issue("x"))["kid"] == promoted
    signer.refresh()
    assert header(signer.sign({}))["kid"] == promoted
    store.close()


def test_signer_arguments(store: KeyStore) -> None:
    store.rotate()
    for headers in ({"kid": "mine"}, {"alg": "none"}):
        with pytest.raises(ValueError):
            store.signer(headers=headers)
    with pytest.raises(ValueError):
        store.signer(refresh_interval=-1)


def test_store_signer_reads_only_its_signing_keys() -> None:
    # StoreSigner depends on the three callables of SigningKeys, not on KeyStore (nor on _store).
    from cryptography.hazmat.primitives.asymmetric import ec

    from cyjose.keys import KeyRecord
    from cyjose.keys._signer import SigningKeys

    keys = {kid: ec.generate_private_key(ec.SECP256R1()) for kid in ("k1", "k2")}
    active, now, loads = ["k1"], [0.0], []

    def private_key(record: KeyRecord) -> Any:
        loads.append(record.kid)
        return keys[record.kid]

    source = SigningKeys(active=lambda: KeyRecord(active[0], "ES256", "active", 0.0, "{}", None),
                         private_key=private_key, now=lambda: now[0])
    signer = StoreSigner(source, {}, 10.0, {})
    active[0] = "k2"
    assert header(signer.sign({}))["kid"] == "k1"  # within the refresh interval
    now[0] = 10.0
    token = signer.sign({})
    assert header(token)["kid"] == "k2" and loads == ["k1", "k2"]
    assert pyjwt.decode(token, keys["k2"].public_key(), algorithms=["ES256"]) == {}
    assert "_store" not in inspect.getsource(inspect.getmodule(StoreSigner))  # not even under TYPE_CHECKING


# -- master key, tampering and the file at rest ------------------------------------------------


def test_wrong_master_key(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
    wrong = MasterKey.generate()
    with pytest.raises(MasterKeyError, match="wrong master key") as caught:
        KeyStore.open(path, wrong)
    assert wrong.encoded() not in str(caught.value) and master.encoded() not in str(caught.value)
    with KeyStore.open(path, master) as store:  # the right key still opens it
        assert store.issue("alice")


def test_publish_only_store(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
        published = store.jwks()
    with KeyStore.open(path) as public:
        assert public.jwks() == published and len(public.keys()) == 2
        assert "publish-only" in repr(public)
        for call in (public.rotate, public.signer, lambda: public.issue("alice")):
            with pytest.raises(KeyStoreError, match="without its master key"):
                call()


def _raw_update(path: Path, sql: str, *params: Any) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(sql, params)
    raw.close()


def test_tampered_private_key_row(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
        kid = store.active_key().kid
    with sqlite3.connect(path) as raw:
        (sealed,) = raw.execute("SELECT private_key FROM cyjose_keys WHERE kid = ?", (kid,)).fetchone()
    flipped = sealed[:20] + bytes([sealed[20] ^ 0x01]) + sealed[21:]
    _raw_update(path, "UPDATE cyjose_keys SET private_key = ? WHERE kid = ?", flipped, kid)
    with KeyStore.open(path, master) as store:  # the master key itself is fine
        with pytest.raises(KeyStoreError, match=f"private key of {kid} does not decrypt"):
            store.issue("alice")


def test_swapped_private_keys_do_not_decrypt(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
        active, upcoming = store.active_key().kid, states(store)["next"][0]
    _raw_update(path, "UPDATE cyjose_keys SET private_key = (SELECT private_key FROM cyjose_keys WHERE kid = ?)"
                      " WHERE kid = ?", upcoming, active)
    with KeyStore.open(path, master) as store:
        with pytest.raises(KeyStoreError, match="does not decrypt"):
            store.signer()


def test_tampered_public_key_is_not_published(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
        active, upcoming = store.active_key().kid, states(store)["next"][0]
        assert len(store.jwks()["keys"]) == 2  # checked and remembered
        _raw_update(path, "UPDATE cyjose_keys SET public_jwk = (SELECT public_jwk FROM cyjose_keys WHERE kid = ?)"
                          " WHERE kid = ?", upcoming, active)
        with pytest.raises(KeyStoreError, match=f"public key of {active} does not match"):
            store.jwks()
    _raw_update(path, "UPDATE cyjose_keys SET public_jwk = '[1' WHERE kid = ?", active)
    with KeyStore.open(path) as store:
        with pytest.raises(KeyStoreError, match="not a stored JWK"):
            store.jwks()


def test_private_keys_are_encrypted_at_rest(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master, "EdDSA") as store:
        store.rotate()
        records = store.storage.keys()
        plaintexts = [store._private_key(record) for record in records]
    data = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    raw_master = base64.urlsafe_b64decode(master.encoded() + "=")
    assert raw_master not in data and master.encoded().encode() not in data
    for key in plaintexts:
        assert key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()) not in data
        assert key.private_bytes_raw() not in data
    for record in records:
        assert "private" not in repr(record) and record.private_key is not None


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_new_store_file_is_owner_only(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
        for created in path.parent.iterdir():
            assert created.stat().st_mode & 0o077 == 0, created.name


def test_database_refuses_two_active_keys(store: KeyStore) -> None:
    store.rotate()
    upcoming = states(store)["next"][0]
    with pytest.raises(sqlite3.IntegrityError):
        with sqlite3.connect(store.storage.path) as raw:  # type: ignore[attr-defined]
            raw.execute("UPDATE cyjose_keys SET state = 'active' WHERE kid = ?", (upcoming,))
    record = next(r for r in store.storage.keys() if r.kid == upcoming)
    with pytest.raises(KeyStoreError, match="refused"):
        with store.storage.transaction() as tx:
            tx.update(record.__class__(**{**record.__dict__, "state": "active"}))
    assert states(store)["next"] == [upcoming]  # rolled back


def test_not_a_key_store_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(KeyStoreError, match="database"):
        KeyStore.open(junk)
    with pytest.raises(KeyStoreError):
        KeyStore.open(tmp_path)  # a directory
    with pytest.raises(KeyStoreError):
        SQLiteStorage(tmp_path / "missing-dir" / "k.db")


def test_malformed_rows_raise_key_store_error(path: Path, master: MasterKey) -> None:
    with KeyStore.open(path, master) as store:
        store.rotate()
    _raw_update(path, "UPDATE cyjose_keys SET created = 'yesterday' WHERE state = 'next'")
    with KeyStore.open(path) as store:
        with pytest.raises(KeyStoreError, match="malformed"):
            store.keys()


# -- two processes rotating at once -------------------------------------------------------------


def test_concurrent_rotation_from_several_processes(path: Path, master: MasterKey) -> None:
    check_concurrent_rotation(str(path), master, T0, 4, 4)


def test_errors_are_pyjwt_errors() -> None:
    assert issubclass(KeyStoreError, PyJWTError) and issubclass(MasterKeyError, KeyStoreError)


def test_import_cyjose_does_not_load_the_key_store() -> None:
    # cyjose.keys pulls in sqlite3 and the AEAD cipher, which verification never needs.
    code = "import sys, cyjose; print('cyjose.keys' in sys.modules, 'sqlite3' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]

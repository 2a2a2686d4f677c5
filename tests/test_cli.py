"""The ``cyjose`` command line, run as a subprocess (``python -m cyjose ...``) the way people run it.

Tokens made by the CLI are checked with PyJWT (an independent implementation) and
tokens the CLI must judge are made with PyJWT, so no expectation comes from the
code under test. Every run also checks the promises common to all commands: no
traceback, errors on one stderr line, and secrets never echoed.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from jwks_server import JWKSServer

import cyjose

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"cli-test-secret-" + b"0123456789abcdef" * 3  # 63 bytes: long enough up to HS384
CLAIMS = {"sub": "alice", "iss": "https://issuer.example", "aud": "api"}


def cli(*args: str, stdin: Optional[bytes] = None, cwd: Optional[Path] = None,
        env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Run ``python -m cyjose *args``; the twin flags of this test leg are inherited."""
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else os.getcwd() for p in sys.path)
    environ.update(env or {})
    result = subprocess.run([sys.executable, "-m", "cyjose", *args], input=stdin if stdin is not None else b"",
                            capture_output=True, env=environ, cwd=cwd, timeout=120)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert SECRET.decode() not in stderr + result.stdout.decode("utf-8", "replace")
    return result


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode()


def err_line(result: subprocess.CompletedProcess, status: int = 1) -> str:
    """The one stderr line of a failed run with exit ``status``."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture()
def files(tmp_path: Path, ec_key: ec.EllipticCurvePrivateKey) -> Path:
    """A folder with an EC key pair (PEM), an HMAC secret file and a claims file."""
    (tmp_path / "ec.pem").write_bytes(ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "ec.pub.pem").write_bytes(ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "secret").write_bytes(SECRET + b"\n")
    (tmp_path / "claims.json").write_text(json.dumps(CLAIMS))
    return tmp_path


def hs_token(claims: Dict[str, Any], **headers: Any) -> str:
    return pyjwt.encode(claims, SECRET, "HS256", headers=headers or None)


# --- the entry points ------------------------------------------------------------------------


def test_console_script_is_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the line itself
        assert 'cyjose = "cyjose.cli:main"' in text.split("[project.scripts]", 1)[1].split("[", 1)[0]
        return
    assert tomllib.loads(text)["project"]["scripts"]["cyjose"] == "cyjose.cli:main"
    from cyjose.cli import main  # the target exists and is callable

    assert callable(main)


def test_no_command_prints_help() -> None:
    result = cli()
    assert result.returncode == 0
    for command in ("inspect", "verify", "sign", "keygen", "bench"):
        assert command in out(result)


def test_version_still_reports() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert out(result).splitlines()[0] == f"cyjose {cyjose.__version__}"


@pytest.mark.parametrize("args", [("frobnicate",), ("verify", "tok", "--alg", "HS256"),
                                  ("sign", "--alg", "HS256"), ("keygen", "--kty", "EC"),
                                  ("verify", "--key", "k", "--secret-env", "S", "--alg", "HS256", "t"),
                                  ("verify", "t", "--key", "k", "--alg", "HS256", "--leeway", "soon"),
                                  ("verify", "t", "--key", "k", "--alg", "HS256", "--leeway", "-5"),
                                  ("verify", "t", "--key", "k", "--alg", "HS256", "--leeway", "nan")])
def test_usage_errors_exit_2_on_one_line(args: tuple) -> None:
    assert "error" in err_line(cli(*args), status=2)


@pytest.mark.parametrize("option", ["--secret", "--secret-e", "--key-data"])
def test_secret_on_the_command_line_is_refused_unechoed(option: str) -> None:
    line = err_line(cli("sign", "--key", "k.pem", option, SECRET.decode(), "--alg", "HS256"), status=2)
    assert "unrecognized arguments" in line and option in line  # cli() checks the secret is not shown


# --- inspect ---------------------------------------------------------------------------------


def test_inspect_shows_header_claims_and_times_without_claiming_validity() -> None:
    now = int(time.time())
    token = hs_token({**CLAIMS, "exp": now + 14 * 60 + 30, "iat": now - 3 * 3600 - 60, "nbf": now - 3 * 3600 - 60},
                     kid="k1")
    result = cli("inspect", token)
    assert result.returncode == 0
    text = out(result)
    assert "signature NOT verified" in text
    assert '"kid": "k1"' in text and '"sub": "alice"' in text
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 14 * 60 + 30))
    assert f"exp: {exp} (expires in 14 min)" in text
    assert "(issued 3 h ago)" in text and "(valid since 3 h ago)" in text


def test_inspect_reads_stdin_and_reports_expired_tokens() -> None:
    token = hs_token({"exp": int(time.time()) - 3 * 3600 - 120})
    for args in (("inspect",), ("inspect", "-")):
        result = cli(*args, stdin=token.encode() + b"\n")
        assert result.returncode == 0
        assert "(expired 3 h ago)" in out(result)


def test_inspect_escapes_control_characters_and_odd_times() -> None:
    token = hs_token({"name": "\x1b[31mred\x07", "exp": "tomorrow", "iat": 10 ** 30})
    text = out(cli("inspect", token))
    assert "\x1b" not in text and "\\u001b" in text
    assert "exp: 'tomorrow' (not a NumericDate)" in text
    assert "out of the calendar's range" in text


def test_inspect_jwe_shows_the_header_only() -> None:
    key = os.urandom(32)
    token = cyjose.jwe.encrypt(b'{"secret": "plans"}', key, "dir", "A256GCM", headers={"kid": "enc-1"})
    text = out(cli("inspect", token))
    assert "JWE" in text and '"enc": "A256GCM"' in text and '"kid": "enc-1"' in text
    assert "plans" not in text


def test_inspect_non_json_payload() -> None:
    token = pyjwt.api_jws.encode(b"hello there", SECRET, "HS256")
    text = out(cli("inspect", token))
    assert "not a JSON object, 11 bytes" in text and "hello there" in text


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "e30.!!!.sig", "a.b.c.d", "\u00e9.x.y", "x" * (1 << 21)])
def test_inspect_bad_tokens_fail_on_one_line(token: str) -> None:
    result = cli("inspect", "-", stdin=token.encode())
    assert err_line(result).startswith("python -m cyjose inspect: error:")


def test_inspect_empty_stdin() -> None:
    assert "empty" in err_line(cli("inspect"))


# --- sign ------------------------------------------------------------------------------------


def test_sign_with_pem_key_verifies_with_pyjwt(files: Path, ec_key: ec.EllipticCurvePrivateKey) -> None:
    result = cli("sign", "--key", str(files / "ec.pem"), "--alg", "ES256", "--kid", "ec-1", str(files / "claims.json"))
    assert result.returncode == 0, result.stderr
    token = out(result).strip()
    assert pyjwt.get_unverified_header(token)["kid"] == "ec-1"
    assert pyjwt.decode(token, ec_key.public_key(), ["ES256"], audience="api") == CLAIMS


def test_sign_claims_from_stdin_with_exp_in(files: Path) -> None:
    before = int(time.time())
    result = cli("sign", "--secret-file", str(files / "secret"), "--alg", "HS256", "--exp-in", "900", "-",
                 stdin=json.dumps({"sub": "bob"}).encode())
    after = int(time.time())
    claims = pyjwt.decode(out(result).strip(), SECRET, ["HS256"])  # the file's final newline is not the secret
    assert before + 900 <= claims["exp"] <= after + 900
    assert before <= claims["iat"] <= after and claims["sub"] == "bob"


def test_sign_with_secret_from_env(files: Path) -> None:
    result = cli("sign", "--secret-env", "CLI_SECRET", "--alg", "HS384", str(files / "claims.json"),
                 env={"CLI_SECRET": SECRET.decode()})
    assert pyjwt.decode(out(result).strip(), SECRET, ["HS384"], audience="api") == CLAIMS


def test_sign_refuses_a_short_secret(files: Path) -> None:
    line = err_line(cli("sign", "--secret-env", "CLI_SECRET", "--alg", "HS256", str(files / "claims.json"),
                        env={"CLI_SECRET": "tiny-pass"}))
    assert "below the minimum" in line and "tiny-pass" not in line


@pytest.mark.parametrize("claims, reason", [(b"[1, 2]", "JSON object"), (b"{nope", "not valid JSON"),
                                            (b"\xff\xfe", "not valid JSON")])
def test_sign_bad_claims(files: Path, claims: bytes, reason: str) -> None:
    result = cli("sign", "--secret-file", str(files / "secret"), "--alg", "HS256", "-", stdin=claims)
    assert reason in err_line(result)


def test_sign_key_and_algorithm_mismatch(files: Path) -> None:
    line = err_line(cli("sign", "--key", str(files / "ec.pem"), "--alg", "HS256", str(files / "claims.json")))
    assert "error" in line and "PRIVATE KEY" not in line
    line = err_line(cli("sign", "--key", str(files / "ec.pem"), "--alg", "ES256", str(files / "missing.json")))
    assert "cannot read claims file" in line


def test_sign_missing_or_empty_secret_sources(files: Path) -> None:
    assert "CLI_UNSET" in err_line(cli("sign", "--secret-env", "CLI_UNSET", "--alg", "HS256", "-", stdin=b"{}"))
    (files / "empty").write_bytes(b"\n")
    assert "empty" in err_line(cli("sign", "--secret-file", str(files / "empty"), "--alg", "HS256", "-", stdin=b"{}"))


# --- verify ----------------------------------------------------------------------------------


def test_verify_valid_token(files: Path, ec_key: ec.EllipticCurvePrivateKey) -> None:
    token = pyjwt.encode({**CLAIMS, "exp": int(time.time()) + 600}, ec_key, "ES256", headers={"kid": "ec-1"})
    result = cli("verify", token, "--key", str(files / "ec.pub.pem"), "--alg", "ES256", "--aud", "api",
                 "--iss", "https://issuer.example")
    assert result.returncode == 0, result.stderr
    line = out(result).strip()
    assert line.startswith("valid: ") and '"ES256"' in line and '"ec-1"' in line and '"alice"' in line
    assert "expires in 9 min" in line or "expires in 10 min" in line


def test_verify_token_from_stdin_with_secret_file(files: Path) -> None:
    result = cli("verify", "--secret-file", str(files / "secret"), "--alg", "HS256", "--aud", "api",
                 stdin=hs_token(CLAIMS).encode() + b"\n")
    assert result.returncode == 0 and out(result).startswith("valid: ")


@pytest.mark.parametrize("claims, args, reason", [
    ({**CLAIMS, "exp": 1000}, (), "invalid: Signature has expired"),
    (CLAIMS, ("--aud", "other"), "invalid: Audience doesn't match"),
    (CLAIMS, ("--iss", "https://elsewhere.example"), "invalid: Invalid issuer"),
    ({"sub": "x"}, ("--require", "exp"), 'invalid: Token is missing the "exp" claim'),
    ({**CLAIMS, "nbf": int(time.time()) + 3600}, (), "invalid: The token is not yet valid (nbf)"),
])
def test_verify_rejects_with_one_reason(files: Path, claims: Dict[str, Any], args: tuple, reason: str) -> None:
    args = args if "--aud" in args else ("--aud", "api", *args)
    result = cli("verify", hs_token(claims), "--secret-env", "CLI_SECRET", "--alg", "HS256", *args,
                 env={"CLI_SECRET": SECRET.decode()})
    assert err_line(result) == reason
    assert out(result) == ""


def test_verify_leeway_accepts_a_just_expired_token(files: Path) -> None:
    token = hs_token({"exp": int(time.time()) - 30})
    args = ("verify", token, "--secret-file", str(files / "secret"), "--alg", "HS256")
    assert err_line(cli(*args)) == "invalid: Signature has expired"
    assert cli(*args, "--leeway", "120").returncode == 0


def test_verify_wrong_key_and_bad_tokens(files: Path) -> None:
    other = pyjwt.encode(CLAIMS, ec.generate_private_key(ec.SECP256R1()), "ES256")
    args = ("--key", str(files / "ec.pub.pem"), "--alg", "ES256", "--aud", "api")
    assert err_line(cli("verify", other, *args)) == "invalid: Signature verification failed"
    assert err_line(cli("verify", "not-a-token", *args)).startswith("invalid: ")
    assert err_line(cli("verify", hs_token(CLAIMS), *args)) == "invalid: The specified alg value is not allowed"


def test_verify_setup_errors_are_errors_not_verdicts(files: Path) -> None:
    token = hs_token(CLAIMS)
    line = err_line(cli("verify", token, "--key", str(files / "nope.pem"), "--alg", "ES256"))
    assert line.startswith("python -m cyjose verify: error: cannot read key file")
    (files / "bad.json").write_text('{"kty": "EC", "crv": "P-256"}')
    assert "error" in err_line(cli("verify", token, "--key", str(files / "bad.json"), "--alg", "ES256"))
    (files / "odd.json").write_text('{"hello": 1}')
    assert "neither a JWK nor a JWK set" in err_line(cli("verify", token, "--key", str(files / "odd.json"),
                                                         "--alg", "ES256"))


def test_verify_with_jwk_set_file_and_url(files: Path, ec_key: ec.EllipticCurvePrivateKey) -> None:
    jwk = {**json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key())), "kid": "ec-1", "alg": "ES256"}
    (files / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    good = pyjwt.encode(CLAIMS, ec_key, "ES256", headers={"kid": "ec-1"})
    unknown = pyjwt.encode(CLAIMS, ec_key, "ES256", headers={"kid": "ec-2"})
    args = ("--alg", "ES256", "--aud", "api")
    assert cli("verify", good, "--key", str(files / "jwks.json"), *args).returncode == 0
    with JWKSServer() as server:
        server.serve_json({"keys": [jwk]})
        assert out(cli("verify", good, "--jwks", server.url(), *args)).startswith("valid: ")
        assert err_line(cli("verify", unknown, "--jwks", server.url(), *args)).startswith("invalid: ")
        down = server.url("/missing")
    assert "verify: error:" in err_line(cli("verify", good, "--jwks", down, *args))
    assert "verify: error:" in err_line(cli("verify", good, "--jwks", "file:///etc/passwd", *args))


# --- keygen ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kty, alg, extra", [("EC", "ES256", ()), ("EC", "ES384", ()), ("OKP", "EdDSA", ()),
                                             ("OKP", "Ed448", ("--crv", "Ed448")), ("RSA", "PS256", ())])
def test_keygen_jwk_pair_signs_and_verifies(tmp_path: Path, kty: str, alg: str, extra: tuple) -> None:
    private, public = tmp_path / "key.jwk", tmp_path / "key.pub.jwk"
    result = cli("keygen", "--kty", kty, "--alg", alg, *extra, "--out", str(private), "--public-out", str(public))
    assert result.returncode == 0 and out(result) == ""
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public_jwk = json.loads(public.read_text())
    assert public_jwk["kty"] == kty and public_jwk["alg"] == alg and public_jwk["use"] == "sig"
    assert not {"d", "p", "q"} & set(public_jwk)
    jwcrypto = pytest.importorskip("jwcrypto.jwk")
    assert public_jwk["kid"] == jwcrypto.JWK(**public_jwk).thumbprint()
    token = out(cli("sign", "--key", str(private), "--alg", alg, "-", stdin=b'{"sub": "k"}')).strip()
    assert pyjwt.get_unverified_header(token)["kid"] == public_jwk["kid"]
    assert cli("verify", token, "--key", str(public), "--alg", alg).returncode == 0
    if alg != "Ed448":  # PyJWT 2.15 has no Ed448 algorithm name
        assert pyjwt.decode(token, pyjwt.PyJWK(public_jwk), [alg]) == {"sub": "k"}


def test_keygen_pem_private_to_file_public_to_stdout(tmp_path: Path) -> None:
    private = tmp_path / "rsa.pem"
    result = cli("keygen", "--kty", "RSA", "--alg", "RS256", "--size", "3072", "--format", "pem", "--out", str(private))
    assert result.returncode == 0
    key = serialization.load_pem_private_key(private.read_bytes(), None)
    assert key.key_size == 3072 and stat.S_IMODE(private.stat().st_mode) == 0o600
    public = serialization.load_pem_public_key(result.stdout)
    assert public.public_numbers() == key.public_key().public_numbers()
    assert "already exists" in err_line(cli("keygen", "--kty", "EC", "--alg", "ES256", "--out", str(private)))
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # untouched


def test_keygen_oct_secret_to_stdout_is_a_usable_binary_secret(tmp_path: Path) -> None:
    result = cli("keygen", "--kty", "oct", "--alg", "HS512", "--kid", "hmac-1")
    jwk = json.loads(result.stdout)
    assert jwk["kid"] == "hmac-1" and jwk["alg"] == "HS512" and jwk["use"] == "sig"
    raw = pyjwt.utils.base64url_decode(jwk["k"])
    assert len(raw) == 64
    (tmp_path / "hs.jwk").write_text(result.stdout.decode())
    (tmp_path / "raw").write_bytes(raw)
    token = pyjwt.encode({"a": 1}, raw, "HS512")
    for source in ("--key", str(tmp_path / "hs.jwk")), ("--secret-file", str(tmp_path / "raw")):
        assert out(cli("verify", token, *source, "--alg", "HS512")).startswith("valid: ")


def _keygen_choices() -> Dict[str, Any]:
    """The ``choices`` of each option of the real ``keygen`` parser."""
    from cyjose.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    return {action.dest: action.choices for action in commands.choices["keygen"]._actions}  # type: ignore[union-attr]


def test_keygen_offers_exactly_the_shared_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from cyjose._keymaterial.jwk import key_to_jwk
    from cyjose.cli import _keygen
    from cyjose.keys import _keygen as table

    choices = _keygen_choices()
    assert sorted(choices["alg"]) == sorted(table.ALGORITHMS)
    assert set(choices["kty"]) == {spec.kty for spec in table.ALGORITHMS.values()}
    made, new_key = [], table.new_key

    def recording(alg: str, **options: Any) -> Any:
        made.append(alg)
        return new_key(alg, **options)

    monkeypatch.setattr(table, "new_key", recording)
    for alg in choices["alg"]:  # every algorithm offered, with its default curve or size
        spec = table.ALGORITHMS[alg]
        jwk = key_to_jwk(_keygen.generate(spec.kty, alg, None, None))
        assert jwk["kty"] == spec.kty and jwk.get("crv") == (spec.curves[0] if spec.curves else None), alg
    assert made == list(choices["alg"])  # each one made by the shared table


def test_secret_file_keeps_binary_bytes(tmp_path: Path) -> None:
    binary = b"\x00\xff" * 20 + b"\n"  # not a text line: the final byte is part of the secret
    (tmp_path / "bin").write_bytes(binary)
    token = pyjwt.encode({"a": 1}, binary, "HS256")
    assert cli("verify", token, "--secret-file", str(tmp_path / "bin"), "--alg", "HS256").returncode == 0


@pytest.mark.parametrize("args", [
    ("--kty", "EC", "--alg", "RS256"), ("--kty", "EC", "--alg", "ES256", "--crv", "P-384"),
    ("--kty", "EC", "--alg", "ES256", "--size", "256"), ("--kty", "RSA", "--alg", "RS256", "--size", "1024"),
    ("--kty", "oct", "--alg", "HS256", "--size", "128"), ("--kty", "oct", "--alg", "HS256", "--format", "pem"),
    ("--kty", "OKP", "--alg", "Ed25519", "--crv", "Ed448"), ("--kty", "RSA", "--alg", "RS256", "--crv", "P-256"),
    ("--kty", "EC", "--alg", "ES256", "--format", "pem", "--kid", "x"), ("--kty", "DSA", "--alg", "ES256"),
])
def test_keygen_refuses_mismatches(args: tuple) -> None:
    assert "error" in err_line(cli("keygen", *args), status=2)


# --- bench -----------------------------------------------------------------------------------


def test_bench_dry_run_names_the_checkout_runner() -> None:
    # Run from the checkout: found whether cyjose is installed editable or from it (as in CI).
    result = cli("bench", "--quick", "--dry-run", cwd=ROOT)
    assert result.returncode == 0
    assert out(result).split()[1:] == [str(ROOT / "benchmarks" / "run.py"), "--quick"]


def test_bench_runner_in_the_current_directory_must_be_cyjose(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from cyjose.cli import _bench

    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "run.py").write_text("print('not ours')\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_bench, "__file__", str(tmp_path / "site-packages" / "cyjose" / "cli" / "_bench.py"))
    assert _bench.find_runner() is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "cyjose"\n')
    assert _bench.find_runner() == tmp_path / "benchmarks" / "run.py"


def test_bench_outside_a_checkout_prints_the_command(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from cyjose.cli import _bench, main

    monkeypatch.setattr(_bench, "find_runner", lambda: None)
    assert main(["bench"]) == 0
    assert "python benchmarks/run.py" in capsys.readouterr().out


# --- keys ------------------------------------------------------------------------------------


@pytest.fixture()
def store(tmp_path: Path) -> Dict[str, Any]:
    """A store made by ``keys init`` with a fresh master key file; its paths and the init output."""
    paths = {"store": tmp_path / "keys.db", "master": tmp_path / "secrets" / "master.key"}
    paths["master"].parent.mkdir()
    result = cli("keys", "init", "--store", str(paths["store"]), "--new-master-key-file", str(paths["master"]),
                 "--alg", "EdDSA")
    assert result.returncode == 0, result.stderr
    return {**paths, "output": out(result)}


def _store_args(store: Dict[str, Any]) -> tuple:
    return ("--store", str(store["store"]), "--master-key-file", str(store["master"]))


def _listed(store: Dict[str, Any]) -> Dict[str, tuple]:
    """kid -> (alg, state) from ``keys list``."""
    lines = out(cli("keys", "list", "--store", str(store["store"]))).splitlines()
    assert lines[0].split()[:3] == ["kid", "alg", "state"]
    return {line.split()[0]: tuple(line.split()[1:3]) for line in lines[1:]}


def test_keys_init_creates_an_active_and_a_next_key(store: Dict[str, Any]) -> None:
    assert stat.S_IMODE(store["master"].stat().st_mode) == 0o600
    created = [line.split()[1] for line in store["output"].splitlines() if line.startswith("created ")]
    listed = _listed(store)
    assert sorted(listed) == sorted(created) and len(created) == 2
    assert sorted(listed.values()) == [("EdDSA", "active"), ("EdDSA", "next")]
    master = store["master"].read_text().strip()
    assert master not in store["output"]
    again = cli("keys", "init", *_store_args(store))
    assert "already exists" in err_line(again)


def test_keys_jwks_publishes_public_keys_named_by_thumbprint(store: Dict[str, Any]) -> None:
    jwks = json.loads(out(cli("keys", "jwks", "--store", str(store["store"]))))
    assert {jwk["kid"] for jwk in jwks["keys"]} == set(_listed(store))
    jwcrypto = pytest.importorskip("jwcrypto.jwk")
    for jwk in jwks["keys"]:
        assert "d" not in jwk and jwk["kid"] == jwcrypto.JWK(**jwk).thumbprint()


def test_keys_rotate_is_idempotent_and_follows_the_store_algorithm(store: Dict[str, Any]) -> None:
    before = _listed(store)
    assert out(cli("keys", "rotate", *_store_args(store))).startswith("nothing to do")
    assert _listed(store) == before
    result = cli("keys", "rotate", *_store_args(store), "--force", "--prepublish", "0")
    assert result.returncode == 0, result.stderr
    after = _listed(store)
    old_active = next(kid for kid, (_, state) in before.items() if state == "active")
    old_next = next(kid for kid, (_, state) in before.items() if state == "next")
    assert after[old_active] == ("EdDSA", "retired") and after[old_next] == ("EdDSA", "active")
    new = set(after) - set(before)
    assert len(new) == 1 and after[new.pop()] == ("EdDSA", "next")  # not the ES256 default


def test_keys_rotate_master_key_errors(store: Dict[str, Any], tmp_path: Path) -> None:
    args = ("keys", "rotate", "--store", str(store["store"]))
    wrong = "A" * 43  # base64url of 32 zero bytes: well formed, not this store's
    assert "wrong master key" in err_line(cli(*args, env={"CYJOSE_MASTER_KEY": wrong}))
    assert "CYJOSE_MASTER_KEY" in err_line(cli(*args, env={"CYJOSE_MASTER_KEY": ""}))
    assert "not valid base64url" in err_line(cli(*args, "--master-key-env", "MK", env={"MK": "!!not-a-key!!"}))
    env_ok = cli(*args, env={"CYJOSE_MASTER_KEY": store["master"].read_text().strip()})
    assert env_ok.returncode == 0, env_ok.stderr
    assert "no key store" in err_line(cli("keys", "list", "--store", str(tmp_path / "none.db")))
    assert not (tmp_path / "none.db").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_keys_serve_publishes_the_set_that_verifies_store_tokens(store: Dict[str, Any]) -> None:
    pytest.importorskip("uvicorn")
    import urllib.request

    from cyjose.keys import KeyStore, MasterKey

    port = _free_port()
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(os.path.abspath(p) if p else os.getcwd() for p in sys.path))
    server = subprocess.Popen([sys.executable, "-m", "cyjose", "keys", "serve", "--store", str(store["store"]),
                               "--port", str(port), "--issuer", f"http://127.0.0.1:{port}"],
                              env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    served = json.loads(response.read())
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        assert {jwk["kid"] for jwk in served["keys"]} == set(_listed(store))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=5) as response:
            assert json.loads(response.read())["jwks_uri"] == url
        master = MasterKey.from_file(store["master"])
        with KeyStore.open(store["store"], master) as keystore:
            token = keystore.issue("user-1", audience="api", issuer="https://issuer.example")
        result = cli("verify", token, "--jwks", url, "--alg", "EdDSA", "--aud", "api", "--iss", "https://issuer.example")
        assert out(result).startswith("valid: ") and '"user-1"' in out(result)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert b"Traceback" not in stderr


# --- hostile input, in process (many cases, no subprocess each) -------------------------------

_SEGMENT = st.one_of(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/!. ", max_size=40),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                 max_leaves=8).map(lambda value: pyjwt.utils.base64url_encode(json.dumps(value).encode()).decode()),
)


@settings(max_examples=150, deadline=None)
@given(segments=st.lists(_SEGMENT, min_size=1, max_size=6))
def test_hostile_tokens_never_escape_main(segments: list) -> None:
    from cyjose.cli import main

    token = ".".join(segments)
    # "--": a token may start with "-", which argparse would read as an option
    for argv in (["inspect", "--", token], ["verify", "--secret-env", "CLI_FUZZ", "--alg", "HS256", "--", token]):
        os.environ["CLI_FUZZ"] = SECRET.decode()
        try:
            status = main(argv)
        finally:
            del os.environ["CLI_FUZZ"]
        assert status in (0, 1)

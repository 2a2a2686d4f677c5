"""``cyjose keys``: a :class:`cyjose.keys.KeyStore` file from the command line.

``init`` creates the store and its first keys, ``rotate`` applies the rotation
policy (idempotent: run it from cron), ``list`` shows the history, ``jwks``
prints the public JWK set and ``serve`` publishes it over HTTP. The master key
comes from ``CYJOSE_MASTER_KEY`` (or ``--master-key-env VAR``) or
``--master-key-file FILE``, never from the command line; ``list``, ``jwks`` and
``serve`` do not need it.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Any, List, Optional

from ._io import CliError, UsageError, pretty_json, write_private_file
from ._time import iso_utc

__all__ = ["add_parser"]

_POLICY_OPTIONS = ("rotation_period", "prepublish", "max_token_lifetime", "leeway")


def add_parser(commands: Any) -> None:
    """Register ``keys`` and its subcommands on the ``commands`` subparsers."""
    parser = commands.add_parser("keys", help="manage a rotating key store (init, rotate, list, jwks, serve)",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", dest="action", required=True,
                                    parser_class=type(parser))
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", required=True, metavar="FILE", help="the key store (SQLite file)")
    master = argparse.ArgumentParser(add_help=False)
    group = master.add_mutually_exclusive_group()
    group.add_argument("--master-key-file", metavar="FILE", help="master key file (32 bytes or their base64url)")
    group.add_argument("--master-key-env", metavar="VAR", default="CYJOSE_MASTER_KEY",
                       help="environment variable holding the master key (default CYJOSE_MASTER_KEY)")
    policy = _policy_parser()

    init = actions.add_parser("init", parents=[store, master, policy], help="create the store and its first keys",
                              description="Create the store with an active key and the next one.")
    init.add_argument("--new-master-key-file", metavar="FILE",
                      help="generate a master key into this new file (0600) and use it; keep it away from the store")
    init.set_defaults(run=run_init)
    rotate = actions.add_parser("rotate", parents=[store, master, policy], help="apply the rotation policy",
                                description="Apply the rotation policy now. Idempotent and safe from cron; pass "
                                            "the same policy options every time (they are not stored).")
    rotate.add_argument("--force", action="store_true", help="promote the next key now")
    rotate.set_defaults(run=run_rotate)
    actions.add_parser("list", parents=[store], help="every key with its state and times").set_defaults(run=run_list)
    actions.add_parser("jwks", parents=[store], help="print the public JWK set").set_defaults(run=run_jwks)
    serve = actions.add_parser("serve", parents=[store], help="serve the JWK set over HTTP (needs uvicorn)",
                               description="Serve /.well-known/jwks.json (and, with --issuer, the OpenID "
                                           "discovery document) until interrupted.")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default loopback: put TLS in front)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--issuer", help="issuer URL: turns on /.well-known/openid-configuration")
    serve.add_argument("--max-age", type=int, default=300, metavar="S", help="Cache-Control max-age (seconds)")
    serve.set_defaults(run=run_serve)


def _policy_parser() -> argparse.ArgumentParser:
    from ..keys import RotationPolicy

    defaults = RotationPolicy()
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--alg", help="algorithm of new keys (default: the store's newest key's, else ES256)")
    for name in _POLICY_OPTIONS:
        parser.add_argument("--" + name.replace("_", "-"), type=float, metavar="S",
                            help=f"RotationPolicy.{name} in seconds (default {getattr(defaults, name):.0f})")
    return parser


# --- opening the store -----------------------------------------------------------------------


def _master_key(args: argparse.Namespace) -> Any:
    from ..keys import MasterKey

    if args.master_key_file is not None:
        return MasterKey.from_file(args.master_key_file)
    return MasterKey.from_env(args.master_key_env)


def _open(args: argparse.Namespace, master_key: Any = None) -> Any:
    """The store at ``--store``; publish-only without ``master_key``. A missing file is an error here."""
    from ..keys import KeyStore

    if not os.path.exists(args.store):
        raise CliError(f"no key store at {args.store}: create it with `cyjose keys init`")
    return KeyStore.open(args.store, master_key)


def _apply_policy(store: Any, args: argparse.Namespace) -> None:
    """The policy of this run: the options given, the newest key's algorithm when --alg is not."""
    keys = store.keys()
    algorithm = args.alg or (keys[-1].algorithm if keys else store.policy.algorithm)
    changes = {name: getattr(args, name) for name in _POLICY_OPTIONS if getattr(args, name) is not None}
    store.policy = replace(store.policy, algorithm=algorithm, **changes)  # ValueError for bad values


# --- the actions -----------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    """Create the store (refusing an existing one), then its active and next keys."""
    from ..keys import KeyStore, MasterKey

    if os.path.exists(args.store):
        raise CliError(f"{args.store} already exists: use `cyjose keys rotate`")
    if args.new_master_key_file is not None:
        if args.master_key_file is not None:
            raise UsageError("--new-master-key-file and --master-key-file exclude each other")
        master_key = MasterKey.generate()
        write_private_file(args.new_master_key_file, (master_key.encoded() + "\n").encode("ascii"))
    else:
        master_key = _master_key(args)
    with KeyStore.open(args.store, master_key) as store:
        _apply_policy(store, args)
        _report(store.rotate())
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    """Apply the policy once and say what changed."""
    with _open(args, _master_key(args)) as store:
        _apply_policy(store, args)
        _report(store.rotate(force=args.force))
    return 0


def _report(result: Any) -> None:
    lines: List[str] = [f"created {kid}" for kid in result.created]
    lines += [f"{verb} {kid}" for verb, kid in (("promoted", result.promoted), ("retired", result.retired)) if kid]
    lines += [f"dropped {kid}" for kid in result.dropped]
    print("\n".join(lines) if lines else "nothing to do")
    if result.next_change is not None:
        print(f"next change due: {iso_utc(result.next_change)}")


def run_list(args: argparse.Namespace) -> int:
    """One line per key ever stored, oldest first."""
    with _open(args) as store:
        keys = store.keys()
    print(f"{'kid':<44}  {'alg':<6}  {'state':<8}  {'created':<20}  {'activated':<20}  {'retire after':<20}  deleted")
    for info in keys:
        times = [_when(info.created), _when(info.activated), _when(info.retire_after), _when(info.deleted)]
        print(f"{info.kid:<44}  {info.algorithm:<6}  {info.state:<8}  " + "  ".join(f"{t:<20}" for t in times).rstrip())
    return 0


def _when(timestamp: Optional[float]) -> str:
    return "-" if timestamp is None else (iso_utc(timestamp) or "?")


def run_jwks(args: argparse.Namespace) -> int:
    """Print the JWK set the endpoint would publish now."""
    with _open(args) as store:
        print(pretty_json(store.jwks()))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve the store's JWK set with uvicorn until interrupted."""
    from ..jwks_endpoint import jwks_app, serve

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be from 0 to 65535")
    store = _open(args)
    try:
        app = jwks_app(store, issuer=args.issuer, max_age=args.max_age)
        print(f"serving http://{args.host}:{args.port}/.well-known/jwks.json (Ctrl-C stops)", file=sys.stderr)
        serve(app, host=args.host, port=args.port, log_level="warning")
    finally:
        store.close()
    return 0

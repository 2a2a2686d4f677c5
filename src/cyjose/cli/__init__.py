"""The ``cyjose`` command line: inspect, verify and sign tokens, generate keys, run the benchmark.

``cyjose <command> --help`` documents each command. Secrets (HMAC secrets,
private keys) are read from files or environment variables, never from the
command line. Every failure is one line on stderr: exit status 2 for a usage
error, 1 for an invalid token or any other failure; never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from typing import Any, List, NoReturn, Optional, TextIO, Type, Union

from ..exceptions import PyJWTError
from ..help import version_report
from . import _bench, _keygen, _keys, _tokens
from ._io import CliError, Invalid, UsageError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of the usage block, and no abbreviated options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False  # "--secret" must never quietly mean "--secret-file"
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_redacted(message)} (see {self.prog} --help)\n")


def _redacted(message: str) -> str:
    """argparse's message without the stray words it quotes: one of them may be a pasted secret."""
    prefix = "unrecognized arguments:"
    if message.startswith(prefix):
        options = [word for word in message[len(prefix):].split() if word.startswith("--")]
        return prefix + " " + (" ".join(options) if options else "(values not shown)")
    return message


def build_parser(prog: str = "cyjose") -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print versions and whether native code is active")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command", parser_class=_Parser)
    _tokens.add_parsers(commands)
    _keygen.add_parser(commands)
    _keys.add_parser(commands)
    _bench.add_parser(commands)
    return parser


def main(argv: Optional[List[str]] = None, prog: Optional[str] = None) -> int:
    """Run the command in ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    _quiet_output_errors()
    _silence_library_log()
    parser = build_parser(prog or "cyjose")
    args = parser.parse_args(argv)
    if args.version:

        print(version_report())
        return 0
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 0
    command = " ".join(filter(None, (parser.prog, args.command, getattr(args, "action", None))))
    return _run_reporting(run, args, command)


def _run_reporting(run: Any, args: argparse.Namespace, command: str) -> int:
    """``run(args)``; any failure becomes one stderr line and a non-zero status."""
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning
        try:
            return int(run(args))
        except Invalid as exc:
            return _fail(f"invalid: {_reason(exc)}", 1)
        except UsageError as exc:
            return _fail(f"{command}: error: {exc}", 2)
        except (CliError, PyJWTError, NotImplementedError, ValueError, TypeError, OSError, ImportError) as exc:
            return _fail(f"{command}: error: {_reason(exc)}", 1)
        except KeyboardInterrupt:
            return _fail(f"{command}: interrupted", 130)
        except Exception as exc:  # the promise is one line, never a traceback
            return _fail(f"{command}: error: unexpected {type(exc).__name__}: {_reason(exc)}", 1)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())  # one line, whatever the message held
    return (text[:500] or type(exc).__name__)


def _fail(line: str, status: int) -> int:
    print(line, file=sys.stderr)
    return status


def _one_line_warning(message: Union[Warning, str], category: Type[Warning], filename: str, lineno: int,
                      file: Optional[TextIO] = None, line: Optional[str] = None) -> None:
    print(f"warning: {_reason(Warning(message))}", file=sys.stderr)


def _silence_library_log() -> None:
    """The library logs fetch failures as warnings; the command reports them itself, once."""
    logger = logging.getLogger("cyjose")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _quiet_output_errors() -> None:
    """Unencodable characters in a token are escaped, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")

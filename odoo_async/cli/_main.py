"""The command group, the connection options and how failures are printed.

A failure the user can fix (bad JSON, an unknown model, a refused login, a
server that does not answer) is one line on stderr, ``error: ...``, and exit
status 1; ``--debug`` shows the traceback instead. The password or API key
comes from ``ODOO_PASSWORD`` / ``ODOO_API_KEY`` or a prompt, never from a
flag: a flag's value lands in shell history and in the process list.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import json
import logging
import os
import re
import shlex
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from odoo_async import PROTOCOLS, AsyncOdoo, OdooError, __version__

__all__ = [
    "CliError",
    "Connection",
    "cli",
    "connection_options",
    "parse_json",
    "resume_command",
    "run",
]

F = TypeVar("F", bound=Callable[..., Any])

#: exit status of a job that finished but could not write some records
EXIT_SOME_FAILED = 3


class CliError(Exception):
    """A mistake in the command's input: printed as one line, exit status 1."""


@dataclass(frozen=True)
class Connection:
    url: str
    db: str
    user: str
    protocol: str = "jsonrpc"
    proxy: str | None = None

    def client(self, **options: Any) -> AsyncOdoo:
        password = os.environ.get("ODOO_PASSWORD") or None
        api_key = os.environ.get("ODOO_API_KEY") or None
        if password and api_key:
            raise CliError("set only one of ODOO_PASSWORD and ODOO_API_KEY")
        if not password and not api_key:
            if not sys.stdin.isatty():
                raise CliError(
                    "no password: set ODOO_PASSWORD or ODOO_API_KEY "
                    "(a password is never taken as a flag)"
                )
            password = click.prompt(f"Password for {self.user} on {self.db}", hide_input=True)
        try:
            return AsyncOdoo(
                self.url,
                db=self.db,
                username=self.user,
                password=password,
                api_key=api_key,
                protocol=self.protocol,
                proxy=self.proxy,
                **options,
            )
        except ValueError as exc:
            hint = ""
            if self.protocol == "json2" and api_key is None:
                hint = " (--protocol json2: set ODOO_API_KEY, not ODOO_PASSWORD)"
            raise CliError(f"{exc}{hint}") from None


def connection_options(command: F) -> F:
    """``--url --db --user --protocol --proxy`` (or ``ODOO_URL``, ``ODOO_DB``,
    ``ODOO_USERNAME``, ``ODOO_PROTOCOL``; the proxy from ``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` without ``--proxy``) as ``conn``.

    ``--proxy`` refuses credentials, as a password is never taken as a flag:
    they go in the environment's proxy URL instead.
    """

    @click.option("--url", envvar="ODOO_URL", required=True, help="Odoo's base URL [ODOO_URL]")
    @click.option("--db", envvar="ODOO_DB", required=True, help="database [ODOO_DB]")
    @click.option("--user", envvar="ODOO_USERNAME", required=True, help="login [ODOO_USERNAME]")
    @click.option(
        "--protocol",
        envvar="ODOO_PROTOCOL",
        type=click.Choice(PROTOCOLS),
        default="jsonrpc",
        show_default=True,
        help="wire protocol; json2 for Odoo 19's API, auto to ask the server [ODOO_PROTOCOL]",
    )
    @click.option(
        "--proxy",
        metavar="URL",
        default=None,
        help="HTTP proxy, such as http://proxy:3128 (default: HTTPS_PROXY, HTTP_PROXY, "
        "ALL_PROXY unless NO_PROXY names the host; credentials only there, never in the flag)",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any, url: str, db: str, user: str, protocol: str, proxy: str | None, **kwargs: Any
    ) -> Any:
        if proxy is not None and "@" in proxy.split("://", 1)[-1].split("/", 1)[0]:
            raise click.BadParameter(
                "credentials are never taken in a flag (shell history, process list): "
                "put the URL with them in HTTPS_PROXY or HTTP_PROXY and leave out --proxy",
                param_hint="--proxy",
            )
        return command(*args, conn=Connection(url, db, user, protocol, proxy), **kwargs)

    return wrapper  # type: ignore[return-value]


def parse_json(text: str | None, what: str, default: Any = None, *, domain: bool = False) -> Any:
    """``text`` as JSON, or a :class:`CliError` naming ``what`` (``domain``: it is one)."""
    if text is None:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{what} is not valid JSON: {exc.msg} (column {exc.colno})"
        raise CliError(message + _python_hint(text, domain=domain)) from None


def _python_hint(text: str, *, domain: bool = False) -> str:
    """When ``text`` is a Python literal (``[('a', '=', True)]``), its JSON form to use instead.

    Python's syntax is not accepted silently: it is read (``ast.literal_eval``,
    literals only, nothing run) only to show the JSON to write. For a
    ``domain``, a lone leaf (``('a', '=', True)``) is shown inside its list.
    """
    try:
        value = ast.literal_eval(text)
        if domain and _is_leaf(value):
            value = [value]
        shown = json.dumps(value, ensure_ascii=False)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ""
    return (
        "; this looks like Python: JSON takes double quotes and true/false/null,"
        f" so write {shown!r}"
    )


def _is_leaf(value: Any) -> bool:
    """``('field', 'operator', value)``: one condition of a domain, not a domain."""
    return (
        isinstance(value, tuple | list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
    )


def parse_call_args(
    args_json: str | None, kwargs_json: str | None
) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments of a call, from their JSON."""
    args = parse_json(args_json, "ARGS_JSON", [])
    kwargs = parse_json(kwargs_json, "KWARGS_JSON", {})
    if not isinstance(args, list):
        raise CliError("ARGS_JSON must be a JSON list, such as '[[]]'")
    if not isinstance(kwargs, dict):
        raise CliError("KWARGS_JSON must be a JSON object, such as '{\"limit\": 5}'")
    return args, kwargs


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    first = as_typed(text.splitlines()[0])
    return first if len(first) <= 1000 else first[:997] + "..."


#: The library's spelling in its messages (``protocol='jsonrpc'``, ``db=``), and
#: what the command's user types instead.
_SPELLINGS = [
    (
        re.compile(r"give verify= the path of that CA's file, or set SSL_CERT_FILE to it"),
        "set SSL_CERT_FILE to the path of that CA's file",
    ),
    (re.compile(r"\(from proxy=\)"), "(from --proxy)"),
    (re.compile(r"\bprotocol=['\"]?(\w+)['\"]?"), r"--protocol \1"),
    (re.compile(r"\bdb= \(ODOO_DB\)"), "--db (ODOO_DB)"),
    (re.compile(r"\bdb="), "--db"),
    (re.compile(r"\busername="), "--user"),
    (re.compile(r"\bapi_key="), "ODOO_API_KEY"),
    (re.compile(r"\bpassword="), "ODOO_PASSWORD"),
]


def as_typed(message: str) -> str:
    """A library message with its hints spelled as the command takes them:
    ``use protocol='jsonrpc'`` reads ``use --protocol jsonrpc``."""
    for pattern, spelling in _SPELLINGS:
        message = pattern.sub(spelling, message)
    return message


class _LogToStderr(logging.Handler):
    """The library's log records on stderr, as ``warning: ...`` lines.

    It writes to ``sys.stderr`` as it is at each record, so that a progress bar
    that redirects stderr prints them above itself. Without ``-v``, the summary
    of a call that failed after its retries is left out: the command's own
    ``error:`` line says what failed.
    """

    def __init__(self, verbose: int) -> None:
        super().__init__()
        self.verbose = verbose

    def emit(self, record: logging.LogRecord) -> None:
        if not self.verbose and getattr(record, "odoo_async_failed", None) is not None:
            return
        try:
            message = as_typed(record.getMessage())
            click.echo(f"{record.levelname.lower()}: {message}", err=True)
        except Exception:
            self.handleError(record)


def _log_to_stderr(verbose: int) -> None:
    """odoo_async's warnings on stderr; with ``-v`` its retries too (INFO), ``-vv`` DEBUG."""
    logger = logging.getLogger("odoo_async")
    for handler in list(logger.handlers):
        if isinstance(handler, _LogToStderr):
            logger.removeHandler(handler)
    logger.addHandler(_LogToStderr(verbose))
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))


def resume_command(*, add: str | None = None) -> str:
    """The command line that was run (as the user would type it), with the flag
    ``add`` appended when it is not there yet."""
    argv = ["odoo-async", *sys.argv[1:]]
    if add is not None and add not in argv:
        argv.append(add)
    return shlex.join(argv)


def run(
    job: Callable[[], Coroutine[Any, Any, int | None]],
    *,
    interrupted: Callable[[], str] | None = None,
    failed: Callable[[], str] | None = None,
) -> None:
    """Run an async job; map the failures a user can fix to one line and exit 1.

    Ctrl-C (SIGINT) and kill (SIGTERM) cancel the job, which closes its files
    and checkpoint as they stand; ``interrupted()`` then says what is safe and
    how to go on. Exit status 130 after SIGINT, 143 after SIGTERM, as a shell's.
    ``failed()``, when given, adds the same to the one-line error of a job that
    stopped on an error (empty: nothing to add).
    """
    debug = click.get_current_context().find_root().params.get("debug", False)
    terminated = False

    async def main() -> int | None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_sigterm() -> None:
            nonlocal terminated
            terminated = True
            task.cancel()

        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
        try:
            return await job()
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        status = asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        signame = "SIGTERM" if terminated else "Ctrl-C"
        what = interrupted() if interrupted is not None else ""
        click.echo(f"interrupted ({signame}){'; ' + what if what else ''}", err=True)
        raise SystemExit(143 if terminated else 130) from None
    except BrokenPipeError:
        # The reader of stdout went away (``| head``): stop quietly, as shell tools
        # do (status 141, as a SIGPIPE death), and keep Python's exit flush quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(141) from None
    except (CliError, OdooError, OSError, ValueError) as exc:
        if debug:
            raise
        after = failed() if failed is not None else ""
        click.echo(f"error: {_one_line(exc)}{'; ' + after if after else ''}", err=True)
        raise SystemExit(1) from None
    if status:
        raise SystemExit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="show tracebacks instead of one-line errors")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="log each retry and wait on stderr (-vv: every call); warnings are always shown",
)
@click.version_option(__version__, "-V", "--version", prog_name="odoo-async")
def cli(debug: bool, verbose: int) -> None:
    """Move data in and out of Odoo at speed, and load-test Odoo servers.

    Connection: --url --db --user or ODOO_URL, ODOO_DB, ODOO_USERNAME; the
    password or API key from ODOO_PASSWORD / ODOO_API_KEY, or a prompt.
    """
    _log_to_stderr(verbose)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def version(as_json: bool) -> None:
    """Print odoo_async's version."""
    import httpx

    info = {"odoo_async": __version__, "python": sys.version.split()[0], "httpx": httpx.__version__}
    if as_json:
        click.echo(json.dumps(info))
    else:
        click.echo(f"odoo-async {__version__} (Python {info['python']}, httpx {info['httpx']})")


@cli.command()
@connection_options
@click.argument("model")
@click.argument("method")
@click.argument("args_json", required=False)
@click.argument("kwargs_json", required=False)
def call(
    conn: Connection, model: str, method: str, args_json: str | None, kwargs_json: str | None
) -> None:
    """Call MODEL.METHOD(*ARGS_JSON, **KWARGS_JSON) and print the result as JSON.

    Example: odoo-async call res.partner search_count '[[["is_company", "=", true]]]'
    """

    async def job() -> None:
        args, kwargs = parse_call_args(args_json, kwargs_json)
        async with conn.client() as odoo:
            result = await odoo.execute_kw(model, method, args, kwargs)
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))

    run(job)

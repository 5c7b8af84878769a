"""`hotline agi serve|stdio` and `hotline simulate`: the IVR under its three drivers.

Rules: parse, call ivr.fastagi / ivr.stdio / ivr.console, print. Options (and the
HOTLINE_SOUNDS_DIR environment variable) beat the config file's [agi] section (host, port,
allow, sounds_dir, operator, recordings_dir), which beats the defaults. A port in use or a
bad option is a UserError (one line, exit 1). `agi serve` accepts FastAGI from loopback only
unless told whom else (--allow, [agi] allow), and refuses to bind an address other machines
reach without that list. The signing secret reaches the notice flow through the flow context
("signing_secret"). The recordings folder (where Asterisk writes feedback) is made ready
before the first call: created when Asterisk runs on this host (`agi serve`: the allowlist
admits loopback; `agi stdio` and `simulate`: always), and a folder that cannot be created
stops the command with one line.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ivr.catalog import load_catalog
from ivr.peers import LOOPBACK, Allowlist, describe, is_loopback_host, parse_allow
from ivr.recordings import FolderState, prepare_folder, recordings_dir
from store.clock import clock_from_env
from store.errors import UserError
from store.logmask import install_log_masking

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker

    from ivr.fastagi import FastAgiServer


def _agi_settings(ctx: click.Context) -> dict:
    settings = ctx.find_root().obj
    return settings.section("agi") if settings is not None else {}


def _context(
    ctx: click.Context,
    sounds_dir: str | None = None,
    operator: str | None = None,
    recordings: str | None = None,
):
    from ivr.channel import DEFAULT_OPERATOR

    conf = _agi_settings(ctx)
    settings = ctx.find_root().obj
    return {
        "sounds_dir": sounds_dir or os.environ.get("HOTLINE_SOUNDS_DIR") or conf.get("sounds_dir"),
        "operator": operator or conf.get("operator") or DEFAULT_OPERATOR,
        "recordings_dir": str(recordings_dir(recordings or conf.get("recordings_dir"))),
        "sessions": LazySessions(settings.database_url) if settings is not None else None,
        "signing_secret": settings.signing_secret if settings is not None else None,
        # the wall clock, or the demo's shared simulated one (HOTLINE_SIM_CLOCK)
        "clock": clock_from_env(os.environ).now,
    }


class LazySessions:
    """A sessionmaker opened on first use, so menus-only calls never touch the database
    and a missing schema fails only the flows that need it (apology, then the operator)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._factory: sessionmaker | None = None
        self._lock = threading.Lock()  # flows open it from worker threads

    def _open(self) -> sessionmaker:
        from store.db import check_reachable, make_engine, session_factory
        from store.migrate import require_current

        with self._lock:
            if self._factory is None:
                engine = make_engine(self.url)
                check_reachable(engine)
                require_current(engine)
                self._factory = session_factory(engine)
        return self._factory

    def __call__(self, **kw):
        return self._open()(**kw)

    def begin(self):
        return self._open().begin()


_recordings_option = click.option(
    "--recordings-dir",
    "recordings",
    help="Folder Asterisk writes voice feedback to, as Asterisk sees it "
    "(default var/recordings here; [agi] recordings_dir).",
)


@click.group()
def agi() -> None:
    """Serve the IVR to Asterisk (FastAGI or classic AGI)."""


@agi.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="TCP port (default 4573).")
@click.option(
    "--read-timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for Asterisk beyond a command's own duration.",
)
@click.option(
    "--grace",
    type=float,
    default=10.0,
    show_default=True,
    help="On SIGINT/SIGTERM, seconds calls in progress get to finish.",
)
@click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="CIDR",
    help="Address or network Asterisk connects from (repeatable; default: loopback only; "
    "replaces [agi] allow).",
)
@click.option("--sounds-dir", help="Prompt folder as Asterisk sees it (default prompts/sounds).")
@click.option("--operator", help='Where 0 goes: "Goto:context,exten,prio" or "Dial:PJSIP/100,30".')
@_recordings_option
@click.option(
    "--log-phones", is_flag=True, help="Show callers' full numbers in the log (debugging only)."
)
@click.pass_context
def serve(
    ctx, host, port, read_timeout, grace, allow, sounds_dir, operator, recordings, log_phones
) -> None:
    """Run the FastAGI server until SIGINT/SIGTERM (then finish calls within --grace).

    Only the allowed peers may connect (default: this machine); anyone else is cut off
    before a byte is read. Callers' numbers are masked in the log unless --log-phones.
    When Asterisk runs here (the allowed peers include loopback), the recordings folder is
    created if missing; when it cannot be, the server does not start.

    \b
    Example:
      hotline agi serve --port 4573
      hotline agi serve --recordings-dir /var/spool/hotline/recordings
      hotline agi serve --host 0.0.0.0 --allow 10.0.0.5 --allow 10.0.1.0/24
      ; extensions.conf:  exten => 1022,1,AGI(agi://127.0.0.1:4573/ivr)
    """
    import asyncio

    from ivr.fastagi import FastAgiServer
    from ivr.flows import ROUTES

    conf = _agi_settings(ctx)
    host = host or conf.get("host", "127.0.0.1")
    networks = _allowlist(host, allow, conf.get("allow"))
    context = _context(ctx, sounds_dir, operator, recordings)
    asterisk_here = Allowlist(networks).admits("127.0.0.1")
    folder = prepare_folder(Path(context["recordings_dir"]), asterisk_here)
    server = FastAgiServer(
        ROUTES,
        host=host,
        port=int(conf.get("port", 4573)) if port is None else port,
        read_timeout=read_timeout,
        grace=grace,
        allow=networks,
        **context,
        log_calls=True,
    )
    install_log_masking(show_phones=log_phones)
    if log_phones:
        click.echo("Warning: --log-phones: the log shows callers' full numbers", err=True)
    if not context["signing_secret"]:
        click.echo(
            "Warning: no signing secret (HOTLINE_SECRET or [security] secret; "
            "`hotline db init` writes one): every notice call will be refused",
            err=True,
        )
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(_serve(server, folder))


def _allowlist(host: str, option: tuple[str, ...], configured) -> tuple:
    """--allow, else [agi] allow (a list or a comma-separated string), else loopback only."""
    if option:
        return parse_allow(option)
    if configured:
        texts = [configured] if isinstance(configured, str) else list(configured)
        return parse_allow(str(t) for t in texts)
    if not is_loopback_host(host):
        raise UserError(
            f"--host {host or '(all)'} lets other machines connect; name the Asterisk "
            'server(s) allowed to, e.g. --allow 10.0.0.5 (or [agi] allow = ["10.0.0.5"] '
            "in hotline.toml)"
        )
    return LOOPBACK


async def _serve(server: FastAgiServer, folder: FolderState) -> None:
    import asyncio

    from ivr.flows import ROUTES

    try:
        port = await server.start()
    except OSError as exc:
        raise UserError(
            f"cannot listen on {server.host}:{server.port}: {exc.strerror}; pick another --port"
        ) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before the first line: a SIGTERM right
        loop.add_signal_handler(sig, stop.set)  # after it still stops gracefully
    click.echo(f"FastAGI listening on {server.host}:{port}; routes: {', '.join(sorted(ROUTES))}")
    click.echo(f"accepting connections from {describe(server.allowlist.networks)}")
    if note := folder.note():
        click.echo(note, err=note.startswith("Warning"))
    await stop.wait()
    click.echo(f"stopping: {server.active_calls} call(s) in progress, grace {server.grace:g}s")
    await server.close()
    refused = f", refused {server.peers_refused} connection(s)" if server.peers_refused else ""
    click.echo(f"stopped after {server.calls_started} call(s){refused}")


@agi.command()
@click.argument("route")
@click.option("--sounds-dir", help="Prompt folder as Asterisk sees it (default prompts/sounds).")
@click.option("--operator", help='Where 0 goes: "Goto:context,exten,prio" or "Dial:PJSIP/100,30".')
@_recordings_option
@click.pass_context
def stdio(ctx, route, sounds_dir, operator, recordings) -> None:
    """Serve ONE call as a classic AGI script on stdin/stdout (Asterisk starts it).

    \b
    Example (extensions.conf):
      exten => 1022,1,AGI(/opt/hotline/.venv/bin/hotline,agi,stdio,ivr)
    """
    from ivr.flows import ROUTES
    from ivr.stdio import run_stdio

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    context = _context(ctx, sounds_dir, operator, recordings)
    prepare_folder(Path(context["recordings_dir"]), asterisk_here=True)  # Asterisk started us
    run_stdio(ROUTES, route, **context, log_calls=True)


@click.command()
@click.option("--caller", default="0905123456", show_default=True, help="Caller's number.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--route", default="ivr", show_default=True, help="Flow to run.")
@click.option(
    "--keys",
    help='Keys for each request for input, e.g. "1,2,#" ("" = silence). '
    "When they run out the caller hangs up.",
)
@click.pass_context
def simulate(ctx, caller: str, lang: str, route: str, keys: str | None) -> None:
    """Walk the IVR in the terminal: prompt texts are shown, keys come from you or --keys.

    \b
    Example:
      hotline simulate --keys "1,2"
      hotline simulate --lang en --route readback --caller 0905123456
    """
    import asyncio

    from ivr.console import parse_keys
    from ivr.console import simulate as run_simulation
    from ivr.flows import ROUTES

    if route not in ROUTES:
        raise UserError(f"no route {route!r}; choose one of: {', '.join(sorted(ROUTES))}")
    source = iter(parse_keys(keys)) if keys is not None else _keyboard()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    context = _context(ctx)
    prepare_folder(Path(context["recordings_dir"]), asterisk_here=True)
    try:
        call = run_simulation(
            ROUTES, route, caller, lang, source, load_catalog(), click.echo, **context
        )
        asyncio.run(call)
    except KeyboardInterrupt:  # Ctrl-C at the keys> prompt: the caller walked away
        click.echo("\n[hangup] interrupted")
        raise SystemExit(130) from None


def _keyboard() -> Iterator[str]:
    """One line per request for keys; an empty line is silence; Ctrl-D hangs up."""
    while True:
        try:
            yield input("keys> ").strip()
        except EOFError:
            return

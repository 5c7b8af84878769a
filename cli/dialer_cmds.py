"""`hotline dialer run` (the daemon) and `hotline doctor` (is everything wired?).

Rules: parse, call dialer.engine / dialer.doctor, print. Options beat the config file's
[dialer] section (dial_string, context, channels, name, recordings_dir), which beats the
defaults (DESIGN.md "Wiring to Asterisk"). The AMI URL comes from --ami-url,
HOTLINE_AMI_URL or [ami] url; its secret is never printed. SIGINT/SIGTERM stop new calls;
calls under way finish (up to --grace), then the dialer exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
import socket

import click

from cli.settings import Settings, warn_if_secret_in_argv
from store.errors import UserError


def _dialer_conf(ctx: click.Context) -> dict:
    return ctx.find_root().obj.section("dialer")


def _ami_url(ctx: click.Context, ami_url: str | None) -> str:
    settings: Settings = ctx.find_root().obj
    return ami_url or settings.ami_url


@click.group()
def dialer() -> None:
    """The outbound dialer: calls the contacts of running campaigns over AMI."""


@dialer.command(name="run")
@click.option("--ami-url", help="ami://USER:SECRET@HOST:PORT (better: HOTLINE_AMI_URL or config).")
@click.option("--dial-string", help="Channel template [default: PJSIP/{number}@trunk].")
@click.option("--context", "context_name", help="Dialplan context [default: hotline-outbound].")
@click.option("--channels", type=click.IntRange(1, 5000), help="This box's most calls at once.")
@click.option("--name", help="This worker's name [default: host:AMI host:port].")
@click.option("--recordings-dir", help="Where Asterisk writes recorded calls.")
@click.option("--exit-when-idle", is_flag=True, help="Exit once no campaign is left to run.")
@click.option("--grace", default=60.0, show_default=True, help="Seconds calls get to finish.")
@click.option(
    "--log-phones", is_flag=True, help="Show full phone numbers in the log (debugging only)."
)
@click.pass_context
def dialer_run(
    ctx,
    ami_url,
    dial_string,
    context_name,
    channels,
    name,
    recordings_dir,
    exit_when_idle,
    grace,
    log_phones,
) -> None:
    """Dial the contacts of every running campaign, by its policy, until stopped.

    Start campaigns with `hotline campaign start`; several dialers (one per Asterisk box)
    can share a PostgreSQL database and its campaigns.

    \b
    Example:
      HOTLINE_AMI_URL=ami://hotline:SECRET@127.0.0.1:5038 hotline dialer run
      hotline dialer run --dial-string 'PJSIP/{number}@viettel' --channels 60
    """
    from functools import partial

    from dialer.ami import AmiUrl
    from dialer.dialstring import DEFAULT_DIAL_STRING, check_template
    from store.attempt_token import make_token

    conf = _dialer_conf(ctx)
    warn_if_secret_in_argv(ami_url, "--ami-url")
    url = AmiUrl.parse(_ami_url(ctx, ami_url))
    secret = ctx.find_root().obj.require_signing_secret()  # HOTLINE_ATTEMPT is signed
    options = {
        "worker": name or conf.get("name") or f"{socket.gethostname()}:{url.host}:{url.port}",
        "dial_string": check_template(
            dial_string or conf.get("dial_string") or DEFAULT_DIAL_STRING
        ),
        "context": context_name or conf.get("context") or "hotline-outbound",
        "channels": channels or int(conf.get("channels", 30)),
        "recordings_dir": _recordings(ctx, recordings_dir),
        "exit_when_idle": exit_when_idle,
        "sign": partial(make_token, secret),
        "retention": ctx.find_root().obj.section("retention"),
    }
    import asyncio

    _logging()
    if log_phones:
        from store.logmask import install_log_masking

        install_log_masking(show_phones=True)
        click.echo("Warning: --log-phones: the log shows full phone numbers", err=True)
    stats = asyncio.run(_run(ctx, url, options, grace))
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items()))
    followed = f", {stats.followed} followed from before a restart" if stats.followed else ""
    click.echo(
        f"dialer stopped: {stats.started} call(s) placed{followed}, most at once {stats.peak}"
        + (f"; after them: {outcomes}" if outcomes else "")
    )


async def _run(ctx: click.Context, url, options: dict, grace: float):
    import asyncio

    from dialer.ami import AmiError, AmiLink
    from dialer.engine import Dialer, DialerConfig
    from store.clock import clock_from_env

    sessions = _sessions(ctx)
    clock = clock_from_env(os.environ)
    link = AmiLink(url)
    try:
        await link.start()
    except AmiError as exc:
        await link.close()
        raise UserError(f"cannot use the AMI at {url.host}:{url.port}: {exc}") from None
    engine = Dialer(sessions, link, DialerConfig(**options), clock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, engine.stop)
    click.echo(
        f"dialer {options['worker']} on {url.redacted()}: {options['dial_string']} into "
        f"{options['context']}, {options['channels']} channels"
    )
    try:
        stats = await engine.run()
        try:
            await asyncio.wait_for(engine.drain(), grace)
        except TimeoutError:
            click.echo(f"{len(engine.live)} call(s) still up after {grace:g}s; leaving them")
    finally:
        await link.close()
    return stats


def _recordings(ctx: click.Context, option: str | None) -> str:
    """Where Asterisk writes recorded calls: --recordings-dir, [dialer] or [agi]
    recordings_dir, else var/recordings; absolute, as Asterisk needs it."""
    settings: Settings = ctx.find_root().obj
    chosen = (
        option
        or settings.section("dialer").get("recordings_dir")
        or settings.section("agi").get("recordings_dir")
        or "var/recordings"
    )
    return os.path.abspath(chosen)


def _sessions(ctx: click.Context):
    from cli.store_access import sessions_for

    return sessions_for(ctx)


def _recordings_dirs(dialer_conf: dict, agi_conf: dict, option: str | None) -> list[str]:
    """The IVR's recordings folder (feedback), then the dialer's when it has its own."""
    from ivr.recordings import recordings_dir

    folders = [str(recordings_dir(option or agi_conf.get("recordings_dir")))]
    if dialer_conf.get("recordings_dir"):
        folders.append(str(recordings_dir(dialer_conf["recordings_dir"])))
    return folders


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@click.command()
@click.option("--ami-url", help="ami://USER:SECRET@HOST:PORT (better: HOTLINE_AMI_URL or config).")
@click.option("--context", "context_name", help="Dialplan context [default: hotline-outbound].")
@click.option("--sounds-dir", help="Sounds folder the IVR plays from.")
@click.option(
    "--recordings-dir",
    "recordings",
    help="Folder Asterisk writes voice feedback to ([agi] recordings_dir; default var/recordings).",
)
@click.pass_context
def doctor(ctx, ami_url, context_name, sounds_dir, recordings) -> None:
    """Check the wiring: database, AMI login, dialplan contexts, prompts, recordings folders,
    calling windows.

    One line per check; exit 1 when anything is wrong, with what to do.

    \b
    Example:
      hotline doctor
    """
    import asyncio

    from dialer.doctor import run_checks
    from prompts import sounds_dir as sounds_folder

    settings: Settings = ctx.find_root().obj
    conf = _dialer_conf(ctx)
    agi = settings.section("agi")
    checks = asyncio.run(
        run_checks(
            database_url=settings.database_url,
            ami_url=_ami_url(ctx, ami_url),
            contexts=[context_name or conf.get("context") or "hotline-outbound"],
            sounds_dir=sounds_folder(sounds_dir, agi),
            recordings_dirs=_recordings_dirs(conf, agi, recordings),
        )
    )
    failed = 0
    for check in checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        failed += not check.ok
    if failed:
        raise click.ClickException(f"{failed} check(s) failed")

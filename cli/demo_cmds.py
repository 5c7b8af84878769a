"""`hotline demo`: the whole story, end to end, on generated sample data.

It runs the real commands on a fresh SQLite file under var/demo/ (or the --database-url
given to `hotline`), printing each command line before its output, so a newcomer sees
exactly what a supervisor would type: check-ins at Da Nang's own places are imported, a
confirmed case opens a campaign, the stand-in Asterisk (pbxsim), the FastAGI server and the
dialer run it as separate processes on a simulated clock (the morning after the exposure,
`--scale` real seconds per simulated second), the funnel is printed and the reports written
under var/reports/, then a citizen dials 1022 and declares. Its config file is
var/demo/hotline.toml (fresh each run: `db init` writes the signing secret into it), and
its log, phone numbers masked as everywhere, goes to var/demo/hotline.log.
"""

from __future__ import annotations

import logging
import shlex
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from dialer.sampledata import write_checkins, write_real_locations

DEMO_DIR = Path("var/demo")
DEMO_CONFIG = DEMO_DIR / "hotline.toml"
DEMO_LOG = DEMO_DIR / "hotline.log"
CASE_PHONE = "0905000001"
CITIZEN_PHONE = "0912345678"


def _run(ctx: click.Context, database_url: str, *args: str) -> None:
    click.secho("$ hotline " + shlex.join(args), fg="cyan")
    root = ctx.find_root().command
    try:
        root.main(
            ["--config", str(DEMO_CONFIG), "--database-url", database_url, *args],
            standalone_mode=False,
            prog_name="hotline",
        )
    except click.ClickException as exc:
        raise click.ClickException(
            f"demo step failed: hotline {shlex.join(args)}: {exc.format_message()}"
        ) from None
    click.echo()


@click.command()
@click.option("--rows", default=200_000, show_default=True, help="Check-ins to generate.")
@click.option(
    "--scale",
    default=0.003,
    show_default=True,
    type=click.FloatRange(0.0005, 1.0),
    help="Real seconds per simulated second while the campaign runs.",
)
@click.pass_context
def demo(ctx: click.Context, rows: int, scale: float) -> None:
    """The whole story on sample data: import, a case, a campaign dialed, the reports.

    \b
    Example:
      hotline demo
      hotline demo --rows 20000 --scale 0.002
    """
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    db_path = DEMO_DIR / "hotline.db"
    explicit = ctx.find_root().params.get("database_url")
    url = explicit or f"sqlite:///{db_path}"
    if not explicit:
        for stale in DEMO_DIR.glob("hotline.db*"):
            stale.unlink()
    DEMO_CONFIG.unlink(missing_ok=True)
    DEMO_CONFIG.touch(mode=0o600)
    with _logging_to(DEMO_LOG):
        _story(ctx, url, rows, scale)


@contextmanager
def _logging_to(path: Path):
    """INFO and up from every logger into `path` while the demo runs (masked like any log)."""
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


# The case: the morning at Chợ Hàn, the afternoon at Chợ Cồn (both busy markets).
EXPOSURES = [
    ("DN-0001", "2021-10-07 08:30", "2021-10-07 11:30"),
    ("DN-0002", "07/10/2021 15:00", "07/10/2021 17:00"),
]
BUSY = {1: 0.02, 2: 0.015}  # the markets' share of all visits
# The hotline's own campaign: 1,105 of 1,879 answered, 84 of 1,105 declared. Per dial, so
# that after retries about those shares of people are reached and declare.
ANSWER_RATE, DECLARE_RATE = 0.30, 0.09
CHANNELS = 20
# The dialer waits for the scheduled start (at once, if the clock is already past it).
START_CAMPAIGN = ("campaign", "start", "1", "--yes", "--at", "2021-10-08 08:30")


def _story(ctx: click.Context, url: str, rows: int, scale: float) -> None:
    locations, checkins = DEMO_DIR / "locations.csv", DEMO_DIR / "checkins.csv"
    places = write_real_locations(locations)
    write_checkins(
        checkins,
        rows,
        locations=places,
        start=datetime(2021, 10, 4),
        days=7,
        people=max(rows // 4, 10),
        bad_every=997,
        planted=[[CASE_PHONE, "DN-0001", "2021-10-07 09:10", "2021-10-07 11:20", "qr"]],
        busy=BUSY,
    )
    click.echo(
        f"generated {locations} ({places} places in Da Nang) and {checkins} ({rows} visits)\n"
    )
    _run(ctx, url, "db", "init")
    _run(ctx, url, "locations", "import", str(locations))
    _run(ctx, url, "checkins", "import", str(checkins))
    _run(ctx, url, "checkins", "import", str(checkins))
    case = ["cases", "add", "F0-DEMO"]
    for code, start, end in EXPOSURES:
        case += ["--exposure", code, start, end]
    _run(ctx, url, *case, "--phone", CASE_PHONE)
    clock = _simulated_clock(scale)
    _run(ctx, url, "campaign", "create", "--case", "F0-DEMO", "--channels", str(CHANNELS))
    _run(
        ctx,
        url,
        "campaign",
        "preview",
        "1",
        "--sample",
        "3",
        "--csv",
        str(DEMO_DIR / "contacts.csv"),
    )
    _dial(url, scale, clock, start=lambda: _run(ctx, url, *START_CAMPAIGN))
    _run(ctx, url, "campaign", "status", "1")
    _run(ctx, url, "report", "summary", "--campaign", "1")
    _reports(url)
    _inbound_call(url)


def _simulated_clock(scale: float):
    """From here on every command, child and the dialer share one clock: the morning after
    the exposure, 1/scale times faster than the wall clock."""
    import os

    from store.clock import SIM_CLOCK_ENV, ScaledClock

    clock = ScaledClock.starting(datetime.fromisoformat("2021-10-08T08:00:00+07:00"), scale)
    os.environ[SIM_CLOCK_ENV] = clock.spec()
    return clock


def _dial(url: str, scale: float, clock, start) -> None:
    from cli.demo_campaign import env_for, run_campaign
    from store.db import make_engine, session_factory

    click.secho(
        f"The stand-in Asterisk and our FastAGI server start, the campaign is set for 08:30, "
        f"the dialer starts (from here a simulated second lasts {scale:g} s):",
        fg="cyan",
    )
    engine = make_engine(url)
    try:
        run_campaign(
            sessions=session_factory(engine),
            campaign_id=1,
            env=env_for(DEMO_CONFIG.resolve(), url, clock.spec()),
            log_path=DEMO_LOG,
            scale=scale,
            answer_rate=ANSWER_RATE,
            declare_rate=DECLARE_RATE,
            channels=CHANNELS,
            clock=clock,
            start=start,
        )
    finally:
        engine.dispose()
    click.echo()


def _reports(url: str) -> None:
    from reports.bundle import write_campaign_reports
    from store.db import make_engine, session_factory

    engine = make_engine(url)
    try:
        written = write_campaign_reports(session_factory(engine), 1, Path("var/reports"))
    finally:
        engine.dispose()
    click.echo("reports: " + ", ".join(str(p) for p in written) + "\n")


def _inbound_call(url: str) -> None:
    from cli.demo_call import inbound_declaration_call, what_was_heard

    keys = "3,1,2,1,2,2,2#,2"
    click.secho(
        f"A citizen dials 1022 on the stand-in Asterisk (pbxsim) and presses {keys}:", fg="cyan"
    )
    transcript, declaration, logged = inbound_declaration_call(url, CITIZEN_PHONE, keys)
    for line in what_was_heard(transcript.lines):
        click.echo("  " + (line if len(line) <= 110 else line[:107] + "..."))
    if declaration is not None:
        state = "complete" if declaration.complete else "partial"
        click.echo(
            f"saved: {state} declaration from {declaration.phone}, answers "
            f"{declaration.answers}, confirmation code {declaration.confirmation_code}"
            + (", flagged for follow-up" if declaration.follow_up else "")
        )
    if logged is not None:
        click.echo(
            f"call log: {logged.caller}, path {' > '.join(logged.path)}, ended by {logged.outcome}"
        )

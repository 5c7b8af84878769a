"""`hotline demo`: the story so far, end to end, on generated sample data.

It runs the real commands in-process on a fresh SQLite file under var/demo/ (or the
--database-url given to `hotline`), printing each command line before its output, so a
newcomer sees exactly what a supervisor would type. Its config file is var/demo/hotline.toml
(fresh each run: `db init` writes the signing secret into it), and its log, phone numbers
masked as everywhere, goes to var/demo/hotline.log.
"""

from __future__ import annotations

import logging
import shlex
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from dialer.sampledata import write_checkins, write_locations

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
@click.option("--rows", default=20_000, show_default=True, help="Check-ins to generate.")
@click.pass_context
def demo(ctx: click.Context, rows: int) -> None:
    """Generate sample data, import it, open a case and preview who would be called."""
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
        _story(ctx, url, rows)


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


def _story(ctx: click.Context, url: str, rows: int) -> None:
    locations, checkins = DEMO_DIR / "locations.csv", DEMO_DIR / "checkins.csv"
    write_locations(locations, 40)
    write_checkins(
        checkins,
        rows,
        locations=40,
        start=datetime(2021, 10, 4),
        days=7,
        people=max(rows // 4, 10),
        bad_every=997,
        planted=[[CASE_PHONE, "DN-0001", "2021-10-07 09:10", "2021-10-07 11:20", "qr"]],
    )
    click.echo(f"generated {locations} (40 places) and {checkins} ({rows} visits)\n")
    _run(ctx, url, "db", "init")
    _run(ctx, url, "locations", "import", str(locations))
    _run(ctx, url, "checkins", "import", str(checkins))
    _run(ctx, url, "checkins", "import", str(checkins))
    _run(
        ctx,
        url,
        "cases",
        "add",
        "F0-DEMO",
        "--exposure",
        "DN-0001",
        "2021-10-07 09:00",
        "2021-10-07 11:30",
        "--exposure",
        "DN-0007",
        "07/10/2021 15:00",
        "07/10/2021 16:00",
        "--phone",
        CASE_PHONE,
    )
    _run(ctx, url, "campaign", "create", "--case", "F0-DEMO")
    _run(
        ctx,
        url,
        "campaign",
        "preview",
        "F0-DEMO notice",
        "--sample",
        "5",
        "--csv",
        str(DEMO_DIR / "contacts.csv"),
    )
    _run(ctx, url, "campaign", "list")
    _inbound_call(url)


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

"""`hotline appointments import`: vaccination appointments in, one summary line out.

Rules: parse, call dialer.appointments, print. The CSV options are the check-ins' (one
stack). Heavy modules are imported inside the command (cli/commands.py). After the
summary, one note line when some site has no recorded name yet (the reminder then names
its district, or only the day and time).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.import_cmds import _delimiter, csv_options, progress
from cli.store_access import engine_for


@click.group()
def appointments() -> None:
    """Vaccination appointments (lookup on 1022, reminder campaigns)."""


@appointments.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@csv_options
@click.pass_context
def appointments_import(ctx, file: Path, rejects, encoding, delimiter, silent) -> None:
    """Import appointments: columns phone, date, slot, site.

    Vietnamese headers so_dien_thoai, ngay, khung_gio, dia_diem work too. Date: YYYY-MM-DD
    or dd/mm/yyyy; slot: HH:MM-HH:MM (or 7h30-9h), city time. Bad rows go to the rejects
    file with their line number; importing twice adds nothing.

    \b
    Example:
      hotline appointments import lich-tiem.csv
      hotline campaign create --appointments 2021-10-12
    """
    from dialer.appointments import import_appointments, upcoming_sites
    from ivr.channel import DEFAULT_SOUNDS_DIR
    from ivr.flows.vaccination import missing_site_prompts
    from store.clock import clock_from_env

    engine = engine_for(ctx)
    with progress(file, silent) as on_read:
        summary = import_appointments(
            engine,
            file,
            rejects_path=rejects,
            encoding=encoding,
            delimiter=_delimiter(delimiter),
            on_read=on_read,
        )
    click.echo(summary.line())
    settings = ctx.find_root().obj
    sounds = (settings.section("agi") if settings else {}).get("sounds_dir") or DEFAULT_SOUNDS_DIR
    sites = upcoming_sites(engine, clock_from_env(os.environ).now())
    missing = missing_site_prompts(sites, str(sounds))
    if missing:
        click.echo(
            f"note: {len(missing)} site(s) have no recorded name yet, e.g. {missing[0]}; until "
            f"{_shown(Path(sounds))}/<lang>/<id>.wav exists, calls say only the district the "
            "name mentions"
        )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)

"""`hotline locations import` and `hotline checkins import`: CSV in, one summary line out."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from cli.store_access import engine_for

_csv_options = [
    click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where rejected rows go (default: FILE.rejects.csv).",
    ),
    click.option(
        "--encoding",
        default="utf-8-sig",
        show_default=True,
        help="Text encoding of FILE, e.g. cp1258 for Windows Vietnamese exports.",
    ),
    click.option("--delimiter", help="Field delimiter (default: sniffed among , ; tab |)."),
    click.option("--silent", is_flag=True, help="No progress bar."),
]


def csv_options(func):
    for option in reversed(_csv_options):
        func = option(func)
    return func


@contextmanager
def progress(path: Path, silent: bool):
    """A byte-based progress bar on stderr, for real files on a terminal only."""
    if silent or not sys.stderr.isatty() or not path.is_file():
        yield None
        return
    with click.progressbar(
        length=os.path.getsize(path), label=f"importing {path.name}", file=sys.stderr
    ) as bar:
        yield bar.update


def _delimiter(value: str | None) -> str | None:
    if value in ("\\t", "tab"):
        return "\t"
    if value is not None and len(value) != 1:
        raise click.BadParameter("must be one character (or 'tab')", param_hint="--delimiter")
    return value


def _run_import(ctx: click.Context, importer, file: Path, silent: bool, **options) -> None:
    """Run an importer on FILE with the progress bar, and print its one summary line."""
    engine = engine_for(ctx)
    with progress(file, silent) as on_read:
        summary = importer(engine, file, on_read=on_read, **options)
    click.echo(summary.line())


@click.group()
def locations() -> None:
    """Places with a QR poster."""


@locations.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@csv_options
@click.pass_context
def locations_import(ctx, file: Path, rejects, encoding, delimiter, silent) -> None:
    """Import or update locations: columns code, name, address, ward, district.

    New places get a spoken name (loc-<code>) when espeak-ng is installed and the sounds
    folder exists; otherwise build them later with: hotline prompts build --locations

    \b
    Example:
      hotline locations import locations.csv
    """
    from dialer.checkins import import_locations

    _run_import(
        ctx,
        import_locations,
        file,
        silent,
        rejects_path=rejects,
        encoding=encoding,
        delimiter=_delimiter(delimiter),
    )
    _place_prompts(ctx)


def _place_prompts(ctx: click.Context) -> None:
    """New places get their spoken name now when possible, else one line on how to later."""
    from prompts import sounds_dir
    from prompts.places import after_import
    from store.db import session_factory

    sessions = session_factory(engine_for(ctx))
    line = after_import(sessions, sounds_dir(None, ctx.find_root().obj.section("agi")))
    if line:
        click.echo(line)


@click.group()
def checkins() -> None:
    """QR and checkpoint check-ins."""


@checkins.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--source",
    type=click.Choice(["qr", "checkpoint"]),
    default="qr",
    show_default=True,
    help="Source for rows without a source column.",
)
@csv_options
@click.pass_context
def checkins_import(ctx, file: Path, source, rejects, encoding, delimiter, silent) -> None:
    """Import check-ins: phone, location_code, checked_in_at[, checked_out_at, source].

    Vietnamese headers so_dien_thoai, ma_dia_diem, thoi_gian_vao, thoi_gian_ra work too.
    Times: ISO 8601 (an offset, Z, or none = Asia/Ho_Chi_Minh) or dd/mm/yyyy HH:MM[:SS].
    Bad rows go to the rejects file with their line number; importing twice adds nothing.

    \b
    Example:
      hotline checkins import checkins.csv --encoding cp1258
    """
    from dialer.checkins import import_checkins

    _run_import(
        ctx,
        import_checkins,
        file,
        silent,
        source=source,
        rejects_path=rejects,
        encoding=encoding,
        delimiter=_delimiter(delimiter),
    )

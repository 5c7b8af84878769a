"""`hotline report …`: what the campaigns and the hotline did, for analysts and the health
department, as CSV (Excel-ready), TSV or JSON, and a chart.

Rules: parse, call reports.*, write. Output goes to --out FILE (complete or not at all) or to
stdout; phones are masked unless --unmask, and every unmasked export is recorded in
export_audit (who, when, what, how many rows). The clock is read here, once per command.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from cli.store_access import sessions_for
from dialer.times import CITY_ZONE, TimeError, parse_duration, parse_time
from store.errors import UserError

EXPORT_FORMATS = ("csv", "tsv", "json")


class SinceParam(click.ParamType):
    """A date (city midnight), a date and time (city time unless an offset), or a span back
    from now: 7d, 12h, 90m."""

    name = "since"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        text = value.strip()
        try:
            if text[-1:].isalpha():
                return datetime.now(UTC) - parse_duration(text)
            if len(text) == 10:
                day = datetime.fromisoformat(text)
                return day.replace(tzinfo=CITY_ZONE).astimezone(UTC)
            return parse_time(text)
        except (TimeError, ValueError):
            self.fail(f"{value!r}: use a date 2021-10-07, a time 2021-10-07 08:00, or 7d / 12h")


def _output_options(func):
    for option in reversed(
        [
            click.option(
                "--out",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write to FILE (default: stdout).",
            ),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(EXPORT_FORMATS),
                help="csv (UTF-8 with BOM, for Excel), tsv or json "
                "(default: from --out's suffix, else csv).",
            ),
            click.option(
                "--unmask",
                is_flag=True,
                help="Show whole phone numbers; the export is recorded in the audit.",
            ),
        ]  # fmt: skip
    ):
        func = option(func)
    return func


def _format(fmt: str | None, out: Path | None, choices=EXPORT_FORMATS) -> str:
    if fmt:
        return fmt
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in choices else choices[0]


def _export(ctx: click.Context, make: Callable, out: Path | None, fmt: str | None, unmask: bool):
    from reports.audit import close_audit, open_audit, os_user
    from reports.output import opened, write_table

    fmt = _format(fmt, out)
    sessions = sessions_for(ctx)
    with sessions() as session:
        export = make(session, unmask)
        audit = None
        with opened(out, fmt) as stream:  # a file that cannot be written fails before the audit
            if unmask:
                what = f"report {export.what}, unmasked, to {out or 'stdout'} ({fmt})"
                audit = open_audit(sessions, what, datetime.now(UTC), os_user())
            count = write_table(stream, fmt, export.header, export.rows)
    if audit is not None:
        close_audit(sessions, audit, count)
    if out is not None:
        click.echo(f"wrote {count} rows ({export.what}) to {out}")


def _campaign(session, id_or_name: str):
    from dialer.contacts import get_campaign

    return get_campaign(session, id_or_name)


@click.group()
def report() -> None:
    """Reports for analysts and the health department (CSV for Excel, TSV, JSON, PNG)."""


@report.command("summary")
@click.option("--campaign", "campaign_ref", help="One campaign (id or name; default: all).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (default: stdout).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(("text", *EXPORT_FORMATS)),
              help="text (default on stdout), csv, tsv or json.")  # fmt: skip
@click.pass_context
def report_summary(ctx, campaign_ref, out, fmt) -> None:
    """The funnel (contacts, dialed, answered, heard the notice to the end, pressed a key,
    declared, opted out, exhausted) with rates, by attempt number, by hour and by location.

    \b
    Example:
      hotline report summary --campaign 1
      hotline report summary --campaign 1 --out summary.csv
    """
    from reports.funnel import summarize
    from reports.output import opened, text_sections, write_sections

    fmt = _format(fmt, out, ("text", *EXPORT_FORMATS)) if out else (fmt or "text")
    with sessions_for(ctx)() as session:
        campaign = _campaign(session, campaign_ref) if campaign_ref else None
        sections = summarize(session, campaign).sections()
    if fmt == "text" and out is None:
        click.echo(text_sections(sections), nl=False)
        return
    with opened(out, fmt) as stream:
        if fmt == "text":
            stream.write(text_sections(sections))
        else:
            write_sections(stream, fmt, sections)
    if out is not None:
        click.echo(f"wrote the summary to {out}")


@report.command("campaign")
@click.argument("id_or_name")
@_output_options
@click.pass_context
def report_campaign(ctx, id_or_name, out, fmt, unmask) -> None:
    """One row per contact: why (place and time), attempts, final outcome, answered at,
    declared and the answers.

    \b
    Example:
      hotline report campaign 1 --out campaign-1.csv
    """
    from reports.tables import campaign_export

    _export(ctx, lambda s, u: campaign_export(s, _campaign(s, id_or_name), unmask=u),
            out, fmt, unmask)  # fmt: skip


@report.command("attempts")
@click.argument("id_or_name")
@_output_options
@click.pass_context
def report_attempts(ctx, id_or_name, out, fmt, unmask) -> None:
    """One row per call attempt, with the AMI reason and the hangup cause (number and text).

    \b
    Example:
      hotline report attempts 1 --format tsv --out attempts-1.tsv
    """
    from reports.tables import attempts_export

    _export(ctx, lambda s, u: attempts_export(s, _campaign(s, id_or_name), unmask=u),
            out, fmt, unmask)  # fmt: skip


_since_option = click.option(
    "--since", type=SinceParam(), help="Only from then on: 2021-10-07, '2021-10-07 08:00' or 7d."
)


@report.command("declarations")
@_since_option
@_output_options
@click.pass_context
def report_declarations(ctx, since, out, fmt, unmask) -> None:
    """Every health declaration (inbound and campaign), one row each, with the answers.

    \b
    Example:
      hotline report declarations --since 7d --out declarations.csv
    """
    from reports.tables import declarations_export

    _export(ctx, lambda s, u: declarations_export(s, since, unmask=u), out, fmt, unmask)


@report.command("calls")
@_since_option
@_output_options
@click.pass_context
def report_calls(ctx, since, out, fmt, unmask) -> None:
    """Every call to 1022: when, who, the path through the menus and how it ended.

    \b
    Example:
      hotline report calls --since 2021-10-07 --format json
    """
    from reports.tables import calls_export

    _export(ctx, lambda s, u: calls_export(s, since, unmask=u), out, fmt, unmask)


@report.command("feedback")
@_since_option
@_output_options
@click.pass_context
def report_feedback(ctx, since, out, fmt, unmask) -> None:
    """Every voice-feedback ticket: category, status, length and recording.

    \b
    Example:
      hotline report feedback --since 30d --out feedback.csv
    """
    from reports.tables import feedback_export

    _export(ctx, lambda s, u: feedback_export(s, since, unmask=u), out, fmt, unmask)


@report.command("chart")
@click.argument("id_or_name")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PNG file to write.")  # fmt: skip
@click.pass_context
def report_chart(ctx, id_or_name, out: Path) -> None:
    """A PNG of the campaign's funnel and of attempts and answers by hour.

    \b
    Example:
      hotline report chart 1 --out campaign-1.png
    """
    from reports.chart import draw_chart
    from reports.funnel import summarize

    with sessions_for(ctx)() as session:
        summary = summarize(session, _campaign(session, id_or_name))
    try:
        draw_chart(summary, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}; check --out") from None
    click.echo(f"wrote the chart of {summary.title} to {out}")

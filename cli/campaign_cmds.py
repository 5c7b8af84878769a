"""`hotline campaign create|preview|list|refresh`: notice campaigns from a case."""

from __future__ import annotations

from pathlib import Path

import click

from cli.store_access import session_scope
from dialer.times import TimeError, format_city, parse_duration


class DurationParam(click.ParamType):
    """90s, 10m, 2h, or a plain number of minutes."""

    name = "duration"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        try:
            return parse_duration(value)
        except TimeError as exc:
            self.fail(str(exc), param, ctx)


DURATION = DurationParam()


@click.group()
def campaign() -> None:
    """Outbound campaigns: who to call, and calling them."""


@campaign.command(name="create")
@click.option("--case", "case_code", required=True, help="Case code, e.g. F0-1234.")
@click.option("--name", help="Campaign name (default: '<case> notice').")
@click.option(
    "--margin",
    type=DURATION,
    default="30",
    show_default=True,
    help="Widen each exposure by this much on both sides (minutes, or 90s/2h).",
)
@click.option(
    "--dwell",
    type=DURATION,
    default="60",
    show_default=True,
    help="Assumed stay when nobody scanned out (minutes, or 90s/2h).",
)
@click.pass_context
def campaign_create(ctx, case_code, name, margin, dwell) -> None:
    """Make a draft notice campaign with everyone who met the case's exposures.

    \b
    Example:
      hotline campaign create --case F0-1234 --margin 30 --dwell 60
    """
    from dialer.contacts import create_campaign

    with session_scope(ctx) as session:
        c, counts = create_campaign(session, case_code, name=name, margin=margin, dwell=dwell)
        click.echo(
            f"campaign {c.id} {c.name!r} (draft): {counts.contacts} contacts, "
            f"priority 1: {counts.priority1}, priority 2: {counts.priority2}; "
            f"left out: {counts.case_phones_left_out} case phone(s), "
            f"{counts.opted_out_left_out} opted out"
        )


@campaign.command(name="preview")
@click.argument("id_or_name")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every contact to this CSV (UTF-8 with BOM, opens in Excel).",
)
@click.option("--sample", default=10, show_default=True, help="How many contacts to show.")
@click.pass_context
def campaign_preview(ctx, id_or_name, csv_path, sample) -> None:
    """Who would be called: totals by priority and by location, and a sample."""
    from dialer.contacts import get_campaign, preview
    from reports.contacts import write_contacts_csv

    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        p = preview(session, c, sample_size=sample)
        click.echo(f"campaign {c.id} {c.name!r} ({c.status}): {p.total} contacts")
        for priority, n in sorted(p.by_priority.items()):
            click.echo(f"  priority {priority}: {n}")
        click.echo("by location:")
        for code, loc_name, n in p.by_location:
            click.echo(f"  {code:<16} {n:>7}  {loc_name}")
        if p.sample:
            click.echo(f"first {len(p.sample)}:")
        for contact in p.sample:
            click.echo(
                f"  {contact.phone:<13} p{contact.priority}  {contact.location_code:<16}"
                f" {format_city(contact.checked_in_at)}  ({len(contact.why)} visit(s))"
            )
        if csv_path:
            n = write_contacts_csv(session, c, csv_path)
            click.echo(f"wrote {n} contacts to {csv_path}")


@campaign.command(name="list")
@click.pass_context
def campaign_list(ctx) -> None:
    """Campaigns with their contacts by status."""
    from dialer.contacts import list_campaigns

    with session_scope(ctx) as session:
        rows = list_campaigns(session)
        if not rows:
            click.echo("no campaigns yet; create one with: hotline campaign create --case CODE")
        for c, statuses in rows:
            total = sum(statuses.values())
            detail = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            click.echo(
                f"{c.id:>4}  {c.name:<28} {c.status:<10} {total:>7} contacts"
                + (f"  ({detail})" if detail else "")
            )


@campaign.command(name="refresh")
@click.argument("id_or_name")
@click.pass_context
def campaign_refresh(ctx, id_or_name) -> None:
    """Re-run the match after new check-ins arrive; adds only new people.

    A contact already dialed is never changed.
    """
    from dialer.contacts import get_campaign, refresh_campaign

    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        counts = refresh_campaign(session, c)
        click.echo(
            f"campaign {c.id} {c.name!r}: added {counts.added}, updated "
            f"{counts.updated} not yet dialed, kept {counts.kept_dialed} already dialed; "
            f"{counts.contacts} contacts match now"
        )

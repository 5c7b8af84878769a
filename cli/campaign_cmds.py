"""`hotline campaign …`: notice campaigns from a case, their policy, and driving them.

Rules: parse, call dialer.contacts / dialer.campaigns, print. Policy options are one
shared stack (create and set). Times come from the clock the dialer uses (the wall clock,
or HOTLINE_SIM_CLOCK in the demo), so `status` agrees with the running dialer.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from cli.store_access import session_scope
from dialer.times import TimeError, format_city, parse_duration, parse_time


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


def _clock():
    from store.clock import clock_from_env

    return clock_from_env(os.environ)


POLICY_OPTIONS = [
    click.option("--hours", help="Calling hours in city time [default: 07:30-20:30]."),
    click.option(
        "--days", help="Calling days, e.g. mon-sun, mon-fri, mon-fri,sun [default: mon-sun]."
    ),
    click.option("--channels", type=int, help="Most calls at once [default: 10]."),
    click.option("--cps", type=float, help="Most new calls per second [default: 2]."),
    click.option("--max-attempts", type=int, help="Most dials per person [default: 3]."),
    click.option("--retry-busy", type=DURATION, help="Wait after busy [default: 10m]."),
    click.option("--retry-no-answer", type=DURATION, help="Wait after no answer [default: 30m]."),
    click.option(
        "--retry-failed", type=DURATION, help="Wait after congestion or failure [default: 5m]."
    ),
    click.option(
        "--retry-machine", type=DURATION, help="Wait after an answering machine [default: 60m]."
    ),
    click.option("--ring-timeout", type=DURATION, help="How long a call rings [default: 30s]."),
    click.option(
        "--deadline", type=DURATION, help="Stop calling this long after the start, e.g. 2d."
    ),
    click.option(
        "--suppress",
        type=DURATION,
        help="Skip people another campaign called this recently [default: 24h].",
    ),
    click.option("--amd/--no-amd", default=None, help="Detect answering machines [default: off]."),
    click.option(
        "--leave-message/--no-leave-message",
        default=None,
        help="Leave machines a short message [default: off].",
    ),
    click.option(
        "--record/--no-record", default=None, help="Record answered calls [default: off]."
    ),
    click.option("--caller-id", help="Caller ID shown to the people called."),
]


def policy_options(command):
    for option in reversed(POLICY_OPTIONS):
        command = option(command)
    return command


def _policy(kwargs: dict) -> dict:
    """Option values as dialer.campaigns names them (ring timeout etc. in seconds)."""
    return {k: kwargs.pop(k) for k in list(kwargs) if k in _POLICY_NAMES}


_POLICY_NAMES = {
    "hours",
    "days",
    "channels",
    "cps",
    "max_attempts",
    "retry_busy",
    "retry_no_answer",
    "retry_failed",
    "retry_machine",
    "ring_timeout",
    "deadline",
    "suppress",
    "amd",
    "leave_message",
    "record",
    "caller_id",
}


@click.group()
def campaign() -> None:
    """Outbound campaigns: who to call, and calling them."""


@campaign.command(name="create")
@click.option("--case", "case_code", help="Case code, e.g. F0-1234.")
@click.option(
    "--appointments",
    "appointment_day",
    metavar="DATE",
    help="Instead of a case: remind everyone booked for vaccination that day (YYYY-MM-DD).",
)
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
@policy_options
@click.pass_context
def campaign_create(ctx, case_code, appointment_day, name, margin, dwell, **kwargs) -> None:
    """Make a draft notice campaign with everyone who met the case's exposures.

    With --appointments DATE instead: a vaccination reminder campaign calling everyone
    booked that day (each phone once, its earliest slot).

    Calling policy can be given now or later with `campaign set` (before the start or
    while paused).

    \b
    Example:
      hotline campaign create --case F0-1234 --margin 30 --dwell 60
      hotline campaign create --case F0-1234 --hours 08:00-20:00 --channels 30 --deadline 2d
      hotline campaign create --appointments 2021-10-12 --hours 07:30-11:00
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import create_campaign

    settings = _policy(kwargs)
    if (case_code is None) == (appointment_day is None):
        raise click.UsageError("give either --case CODE or --appointments DATE")
    if appointment_day is not None:
        _create_reminders(ctx, appointment_day, name, settings)
        return
    with session_scope(ctx) as session:
        c, counts = create_campaign(
            session, case_code, name=name, margin=margin, dwell=dwell, now=_clock().now()
        )
        lifecycle.apply_settings(c, **settings)
        click.echo(
            f"campaign {c.id} {c.name!r} (draft): {counts.contacts} contacts, "
            f"priority 1: {counts.priority1}, priority 2: {counts.priority2}; "
            f"left out: {counts.case_phones_left_out} case phone(s), "
            f"{counts.opted_out_left_out} opted out"
        )


def _create_reminders(ctx, day_text: str, name: str | None, settings: dict) -> None:
    from dialer import campaigns as lifecycle
    from dialer.appointments import create_reminder_campaign, parse_day

    try:
        day = parse_day(day_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--appointments") from None
    with session_scope(ctx) as session:
        c, n = create_reminder_campaign(session, day, name=name, now=_clock().now())
        lifecycle.apply_settings(c, **settings)
        click.echo(
            f"campaign {c.id} {c.name!r} (draft): {n.contacts} contacts for "
            f"{n.appointments} appointment(s); left out: {n.shared_phone} on a phone already "
            f"called, {n.opted_out} opted out"
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


@campaign.command(name="set")
@click.argument("id_or_name")
@policy_options
@click.pass_context
def campaign_set(ctx, id_or_name, **kwargs) -> None:
    """Change a campaign's calling policy (in draft, scheduled or paused).

    \b
    Example:
      hotline campaign pause 1
      hotline campaign set 1 --channels 20 --hours 08:00-19:00 --retry-busy 15m
      hotline campaign resume 1
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign

    settings = _policy(kwargs)
    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        changed = lifecycle.set_policy(c, **settings)
        if not changed:
            raise click.UsageError("nothing to change; give at least one option (see --help)")
        click.echo(f"campaign {c.id} {c.name!r}: {describe_policy(c)}")


def describe_policy(c) -> str:
    deadline = f", deadline {c.deadline_s // 3600}h" if c.deadline_s else ""
    extras = "".join(f", {name}" for name, on in (("AMD", c.amd), ("recorded", c.record)) if on)
    return (
        f"hours {c.calling_hours} {c.calling_days}, {c.max_channels} channels, "
        f"{c.calls_per_second:g} calls/s, {c.max_attempts} attempts "
        f"(retry busy {c.retry_busy_s // 60}m, no answer {c.retry_no_answer_s // 60}m, "
        f"failed {c.retry_failed_s // 60}m, machine {c.retry_machine_s // 60}m), "
        f"ring {c.ring_timeout_s}s{deadline}{extras}"
    )


@campaign.command(name="start")
@click.argument("id_or_name")
@click.option("--at", "start_at", help="Start later, e.g. '2021-10-08 07:30' (city time).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def campaign_start(ctx, id_or_name, start_at, yes) -> None:
    """Start calling (a running `hotline dialer run` picks it up).

    Shows who will be called and asks to confirm, unless --yes.

    \b
    Example:
      hotline campaign start 1
      hotline campaign start 1 --at '2021-10-08 07:30' --yes
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign, preview

    try:
        at = parse_time(start_at) if start_at else None
    except TimeError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        p = preview(session, c, sample_size=0)
        by_priority = ", ".join(f"priority {k}: {v}" for k, v in sorted(p.by_priority.items()))
        click.echo(f"campaign {c.id} {c.name!r}: {p.total} contacts ({by_priority or 'none'})")
        click.echo(f"  {describe_policy(c)}")
        when = f"at {format_city(at)}" if at else "now"
        if not yes and not click.confirm(f"Start calling {p.total} people {when}?"):
            raise click.ClickException("not started")
        status = lifecycle.start(c, _clock().now(), at)
        when = f" (starts {format_city(at)})" if status == "scheduled" else ""
        click.echo(f"campaign {c.id} is {status}{when}")


@campaign.command(name="pause")
@click.argument("id_or_name")
@click.pass_context
def campaign_pause(ctx, id_or_name) -> None:
    """Stop new calls (calls under way finish and are recorded).

    \b
    Example:
      hotline campaign pause 1
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign

    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        lifecycle.pause(c)
        click.echo(f"campaign {c.id} is paused; calls under way finish")


@campaign.command(name="resume")
@click.argument("id_or_name")
@click.pass_context
def campaign_resume(ctx, id_or_name) -> None:
    """Carry on calling a paused campaign.

    \b
    Example:
      hotline campaign resume 1
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign

    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        click.echo(f"campaign {c.id} is {lifecycle.resume(c, _clock().now())}")


@campaign.command(name="cancel")
@click.argument("id_or_name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def campaign_cancel(ctx, id_or_name, yes) -> None:
    """Stop a campaign for good: everyone not yet reached is left uncalled.

    \b
    Example:
      hotline campaign cancel 1 --yes
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign

    with session_scope(ctx) as session:
        c = get_campaign(session, id_or_name)
        if not yes and not click.confirm(f"Cancel campaign {c.id} {c.name!r} for good?"):
            raise click.ClickException("not cancelled")
        n = lifecycle.cancel(session, c, _clock().now())
        click.echo(f"campaign {c.id} is cancelled; {n} pending contact(s) will not be called")


@campaign.command(name="status")
@click.argument("id_or_name", required=False)
@click.option("--watch", is_flag=True, help="Refresh until the campaign ends (Ctrl-C stops).")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between refreshes.")
@click.pass_context
def campaign_status(ctx, id_or_name, watch, interval) -> None:
    """Progress: contacts by status, channels in use, calls per minute, estimated finish.

    Without ID: every campaign that is not finished.

    \b
    Example:
      hotline campaign status 1 --watch
    """
    from dialer import campaigns as lifecycle
    from dialer.contacts import get_campaign, list_campaigns

    while True:
        with session_scope(ctx) as session:
            if id_or_name:
                chosen = [get_campaign(session, id_or_name)]
            else:
                chosen = [c for c, _ in list_campaigns(session) if c.status not in lifecycle.FINAL]
                if not chosen:
                    click.echo("no campaign is running, scheduled or paused")
            now = _clock().now()
            lines = []
            for c in chosen:
                lines += status_lines(lifecycle.status(session, c, now))
            finished = all(c.status in lifecycle.FINAL for c in chosen)
        click.echo("\n".join(lines))
        if not watch or finished:
            return
        time.sleep(interval)
        click.echo()


def status_lines(st) -> list[str]:
    from dialer import campaigns as lifecycle

    c = st.campaign
    since = f" since {format_city(c.started_at)}" if c.started_at else ""
    if c.finished_at:
        since += f", ended {format_city(c.finished_at)}"
    counts = ", ".join(
        f"{name.replace('_', ' ')} {st.contacts[name]}" for name in lifecycle.STATUS_ORDER
    )
    finish = format_city(st.finish_estimate)[-5:] if st.finish_estimate else "-"
    return [
        f"campaign {c.id} {c.name!r} {c.status}{since}; hours {c.calling_hours} {c.calling_days}",
        f"  {st.total} contacts: {counts}",
        f"  dialed {st.dialed}, channels in use {st.live}/{c.max_channels}, "
        f"{st.calls_last_minute} calls/min, estimated finish {finish}",
    ]

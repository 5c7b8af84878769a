"""`hotline feedback list`: the voice-feedback tickets callers left on 1022.

Rules: parse, query through reports.feedback_list, print. --since takes a date (city
midnight), a date and time (city time unless an offset is given) or a span back from now
(7d, 12h, 90m; now from the process clock, HOTLINE_SIM_CLOCK in simulations). Bad input is
one `Error:` line.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click

from cli.store_access import session_scope
from dialer.times import CITY_ZONE, TimeError, parse_duration, parse_time
from store.clock import clock_from_env
from store.models import FEEDBACK_CATEGORIES, FEEDBACK_STATUSES


class SinceParam(click.ParamType):
    name = "since"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        text = value.strip()
        try:
            if text[-1:].isalpha():
                return clock_from_env(os.environ).now() - parse_duration(text)
            if len(text) == 10:
                day = datetime.fromisoformat(text)
                return day.replace(tzinfo=CITY_ZONE).astimezone(UTC)
            return parse_time(text)
        except (TimeError, ValueError):
            self.fail(f"{value!r}: use a date 2021-10-07, a time '2021-10-07 08:00', or 7d / 12h")


@click.group()
def feedback() -> None:
    """Voice feedback left on 1022: tickets, categories, recordings."""


@feedback.command("list")
@click.option("--since", type=SinceParam(), help="Only from then on: 2021-10-07, or 7d, 12h.")
@click.option("--category", type=click.Choice(FEEDBACK_CATEGORIES), help="Only this category.")
@click.option("--status", type=click.Choice(FEEDBACK_STATUSES), help="Only this status.")
@click.pass_context
def list_tickets(ctx, since, category, status) -> None:
    """One line per ticket, oldest first: when, category, status, length, caller (masked)
    and the recording's path.

    Statuses: new (kept by the caller), cancelled, hangup (the caller hung up while
    recording or before choosing; the part recorded is kept), failed (Asterisk could not
    record), recording (the server stopped mid-call).

    \b
    Example:
      hotline feedback list --since 7d
      hotline feedback list --since 2021-10-09 --category covid
    """
    from reports.feedback_list import feedback_tickets, format_tickets

    with session_scope(ctx) as session:
        lines = format_tickets(feedback_tickets(session, since, category, status))
    for line in lines:
        click.echo(line)

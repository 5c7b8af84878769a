"""`hotline calls list`: the calls to 1022, where each caller went and how it ended.

Rules: parse, call reports.calls, print one line per call (city time, masked number,
duration, outcome, path through the menus). Heavy modules are imported inside the
command (cli/commands.py).
"""

from __future__ import annotations

import os
from datetime import datetime

import click

from cli.store_access import session_scope
from dialer.times import TimeError, format_city, parse_duration, parse_time


def parse_since(text: str, now: datetime) -> datetime:
    """'2h' / '30m' / '1d' ago, or a moment: '2021-10-07 08:00' (city time)."""
    try:
        return now - parse_duration(text)
    except TimeError:
        pass
    try:
        return parse_time(text)
    except TimeError:
        raise click.BadParameter(
            f"{text!r} is neither a duration (2h, 30m, 1d) nor a time ('2021-10-07 08:00')",
            param_hint="--since",
        ) from None


@click.group()
def calls() -> None:
    """Calls to 1022 (the call log)."""


@calls.command(name="list")
@click.option("--since", help="Only calls that started this long ago (2h, 1d) or since a time.")
@click.option("--limit", default=50, show_default=True, help="At most this many, the newest.")
@click.pass_context
def calls_list(ctx, since: str | None, limit: int) -> None:
    """Calls to 1022, oldest first: start, caller, duration, outcome, path through the menus.

    \b
    Example:
      hotline calls list --since 2h
      hotline calls list --since '2021-10-07 08:00' --limit 500
    """
    from reports.calls import recent_calls
    from store.clock import clock_from_env

    if limit < 1:
        raise click.BadParameter("must be at least 1", param_hint="--limit")
    moment = parse_since(since, clock_from_env(os.environ).now()) if since else None
    with session_scope(ctx) as session:
        lines = recent_calls(session, moment, limit)
    if not lines:
        click.echo("no calls" + (f" since {format_city(moment)}" if moment else " yet"))
        return
    for line in lines:
        took = "-" if line.seconds is None else f"{line.seconds // 60}m{line.seconds % 60:02d}s"
        click.echo(
            f"{format_city(line.started_at)}  {line.caller:<14} {took:>7}  "
            f"{line.outcome:<11} {' > '.join(line.path)}"
        )
    click.echo(f"{len(lines)} call(s)")

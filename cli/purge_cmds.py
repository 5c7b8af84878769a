"""`hotline purge`: delete personal data older than its retention period.

Rules: parse, call store.retention, print one line per kind of data. Periods come from the
config file's [retention] section (check-ins 30 days unless it says otherwise); the clock
is read here, once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.store_access import sessions_for


@click.command()
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@click.pass_context
def purge(ctx: click.Context, dry_run: bool) -> None:
    """Delete check-ins, contacts (with their call attempts), recordings, declarations and
    inbound-call records older than their periods, in short batches (the dialer and the IVR
    keep running). Periods: [retention] in the config file, e.g. checkins = "30d",
    contacts = "90d", recordings = "90d", declarations = "180d", calls = "90d" (or "never").

    \b
    Example:
      hotline purge --dry-run
      hotline --config /etc/hotline.toml purge
    """
    from store.retention import purge as run_purge
    from store.retention import read_periods

    periods = read_periods(ctx.find_root().obj.section("retention"))
    sessions = sessions_for(ctx)
    result = run_purge(sessions, datetime.now(UTC), periods, dry_run=dry_run)
    for line in result.lines():
        click.echo(line)

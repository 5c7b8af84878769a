"""`hotline feedback list`: the voice-feedback tickets callers left on 1022.

Rules: parse, query through reports.feedback_list, print. --since reads as in `hotline
report` (a date, a date and time, or a span back from now: 7d, 12h). Bad input is one
`Error:` line. Light at import (cli/commands.py): the categories and statuses are checked
against store.models' lists when the command runs.
"""

from __future__ import annotations

import click

from cli.report_cmds import SinceParam
from cli.store_access import session_scope
from store.errors import UserError


@click.group()
def feedback() -> None:
    """Voice feedback left on 1022: tickets, categories, recordings.

    \b
    Example:
      hotline feedback list --since 7d --category covid
    """


@feedback.command("list")
@click.option("--since", type=SinceParam(), help="Only from then on: 2021-10-07, or 7d, 12h.")
@click.option("--category", help="Only this category: procedures, public_services, covid or other.")
@click.option("--status", help="Only this status: recording, new, cancelled, failed or hangup.")
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
    from store.models import FEEDBACK_CATEGORIES, FEEDBACK_STATUSES

    for option, value, known in (("--category", category, FEEDBACK_CATEGORIES),
                                 ("--status", status, FEEDBACK_STATUSES)):  # fmt: skip
        if value is not None and value not in known:
            raise UserError(f"{option} {value!r}: choose one of {', '.join(known)}")
    with session_scope(ctx) as session:
        lines = format_tickets(feedback_tickets(session, since, category, status))
    for line in lines:
        click.echo(line)

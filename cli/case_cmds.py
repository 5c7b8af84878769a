"""`hotline cases add|list`: confirmed cases and the places and times they were."""

from __future__ import annotations

import click

from cli.store_access import session_scope
from dialer.times import format_city


@click.group()
def cases() -> None:
    """Confirmed cases (F0/F1) and their exposures."""


@cases.command(name="add")
@click.argument("code")
@click.option(
    "--exposure",
    "exposures",
    nargs=3,
    multiple=True,
    metavar="LOCATION_CODE START END",
    help="Where and when the case was; repeat for each place.",
)
@click.option(
    "--phone", "phones", multiple=True, help="The case's own phone (never called); repeatable."
)
@click.option(
    "--classification",
    type=click.Choice(["F0", "F1"], case_sensitive=False),
    default="F0",
    show_default=True,
)
@click.option("--note", default="", help="Free text for supervisors.")
@click.pass_context
def cases_add(ctx, code, exposures, phones, classification, note) -> None:
    """Open a case with its exposures. START and END: like check-in times (city time).

    \b
    Example:
      hotline cases add F0-1234 --exposure DN-CHO-HAN "2021-10-07 09:00" "2021-10-07 11:30" \\
          --phone 0905123456
    """
    from dialer.cases import add_case

    with session_scope(ctx) as session:
        case = add_case(
            session, code, exposures, phones=phones, classification=classification, note=note
        )
        click.echo(
            f"case {case.code} ({case.classification}): {len(case.exposures)} "
            f"exposure(s), {len(case.phones)} own phone(s)"
        )


@cases.command(name="list")
@click.pass_context
def cases_list(ctx) -> None:
    """List cases with their exposures (times in city time)."""
    from dialer.cases import list_cases

    with session_scope(ctx) as session:
        rows = list_cases(session)
        if not rows:
            click.echo("no cases yet; add one with: hotline cases add")
        for case in rows:
            click.echo(f"{case.code}  {case.classification}  {len(case.phones)} own phone(s)")
            for e in case.exposures:
                click.echo(
                    f"  {e.location.code}  {format_city(e.start)} .. {format_city(e.end)}"
                    f"  {e.location.name}"
                )

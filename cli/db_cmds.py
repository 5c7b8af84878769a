"""`hotline db init|upgrade`: create or upgrade the schema to the newest revision."""

from __future__ import annotations

import click

from cli.store_access import engine_for


@click.group()
def db() -> None:
    """Create or upgrade the database schema."""


def _upgrade(ctx: click.Context) -> None:
    from store.migrate import upgrade

    engine = engine_for(ctx, require_schema=False)
    before, after = upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"database {where} is up to date (revision {after})")
    elif before is None:
        click.echo(f"created database {where} (revision {after})")
    else:
        click.echo(f"upgraded database {where} from {before} to {after}")


@db.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the schema, or upgrade it to the newest revision.

    \b
    Example:
      hotline --database-url postgresql+psycopg://postgres@127.0.0.1/hotline db init
    """
    _upgrade(ctx)


@db.command(name="upgrade")
@click.pass_context
def upgrade_cmd(ctx: click.Context) -> None:
    """Upgrade the schema to the newest revision (same as init on an existing database)."""
    _upgrade(ctx)

"""`hotline db init|upgrade`: create or upgrade the schema to the newest revision.

`db init` also writes a signing secret into the config file when none is configured
(cli/config_secret.py); it says where, never what.
"""

from __future__ import annotations

import click

from cli.config_secret import write_new_secret
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
    """Create the schema, or upgrade it to the newest revision; with no signing secret
    configured (HOTLINE_SECRET or [security] secret), write a new one into the config file
    (hotline.toml unless --config; created with mode 0600).

    \b
    Example:
      hotline --database-url postgresql+psycopg://postgres@127.0.0.1/hotline db init
    """
    _upgrade(ctx)
    settings = ctx.find_root().obj
    if settings is not None and not settings.signing_secret:
        write_new_secret(settings.config_file)
        click.echo(f"wrote a new signing secret to {settings.config_file} ([security] secret)")


@db.command(name="upgrade")
@click.pass_context
def upgrade_cmd(ctx: click.Context) -> None:
    """Upgrade the schema to the newest revision (same as init on an existing database)."""
    _upgrade(ctx)

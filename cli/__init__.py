"""The `hotline` command: a thin click front over the packages.

Rules: parse, call a package, print. User errors (bad input, missing data) are
raised by the packages as `store.errors.UserError` and become one line
`Error: …` with exit code 1; usage errors keep click's exit code 2. Commands are
registered in cli/commands.py and imported only when used (its comment says what a
command module may import at its top).
"""

from __future__ import annotations

import sys

import click

from cli.commands import LazyGroup
from cli.settings import Settings
from store.errors import UserError


class HotlineGroup(LazyGroup):
    """Turns UserError from any subcommand into one line and exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=HotlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="HOTLINE_CONFIG",
    help="TOML configuration file (default: hotline.toml if present).",
)
@click.option("--database-url", help="SQLAlchemy URL; overrides HOTLINE_DATABASE_URL and config.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, database_url: str | None) -> None:
    """Tổng đài 1022: IVR over AGI and outbound campaigns over AMI.

    \b
    Example:
      hotline db init
      hotline checkins import checkins.csv
    """
    ctx.obj = Settings.load(config_path=config_path, database_url=database_url)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

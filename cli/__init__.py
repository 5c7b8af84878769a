"""The `hotline` command: a thin click front over the packages.

Rules: parse, call a package, print. User errors (bad input, missing data) are
raised by the packages as `store.errors.UserError` and become one line
`Error: …` with exit code 1; usage errors keep click's exit code 2. Every command runs
with log masking on (store/logmask.py: phone numbers masked, secrets hidden). Commands are
registered in cli/commands.py and imported only when used (its comment says what a
command module may import at its top).
"""

from __future__ import annotations

import sys

import click

from cli.commands import LazyGroup
from cli.settings import Settings, warn_if_secret_in_argv
from store.errors import UserError
from store.logmask import hide_in_logs, install_log_masking


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
    install_log_masking(show_phones=False)
    warn_if_secret_in_argv(database_url, "--database-url")
    ctx.obj = Settings.load(config_path=config_path, database_url=database_url)
    hide_in_logs(*ctx.obj.secret_values())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`hotline db init|upgrade`: create or upgrade the schema to the newest revision."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """Create or upgrade the database schema."""

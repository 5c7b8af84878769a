"""Schema creation and upgrades through Alembic, from the first revision on.

`upgrade(engine)` is what `hotline db init` and `db upgrade` run: it creates an empty
database or brings an old one to head, and is a no-op when already there.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from store.db import unreachable
from store.errors import UserError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to head; returns (revision before, revision after)."""
    try:
        before = current_revision(engine)
        command.upgrade(alembic_config(engine), "head")
    except sa.exc.OperationalError as exc:
        raise unreachable(exc) from None
    return before, current_revision(engine)


def require_current(engine: Engine) -> None:
    """Commands that use data refuse to run on a missing or old schema, naming the fix."""
    rev = current_revision(engine)
    if rev is None:
        raise UserError("the database has no schema yet; run: hotline db init")
    if rev != head_revision():
        raise UserError(
            f"the database schema is at {rev}, not {head_revision()}; run: hotline db upgrade"
        )

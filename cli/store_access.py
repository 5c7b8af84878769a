"""Opening the database for a command: the engine for the configured URL, schema checked.

SQLAlchemy and Alembic are imported when a command opens the database, not before
(cli/commands.py: commands that do not use the database do not pay for it).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from cli.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session


def engine_for(ctx: click.Context, *, require_schema: bool = True) -> Engine:
    from store.db import check_reachable, make_engine
    from store.migrate import require_current

    settings: Settings = ctx.find_root().obj
    engine = make_engine(settings.database_url)
    check_reachable(engine)
    if require_schema:
        require_current(engine)
    ctx.call_on_close(engine.dispose)
    return engine


def sessions_for(ctx: click.Context):
    """A session factory on the command's database (schema checked)."""
    from store.db import session_factory

    return session_factory(engine_for(ctx))


@contextmanager
def session_scope(ctx: click.Context):
    """One transaction: committed when the command succeeds, rolled back otherwise."""
    from store.db import session_factory

    session: Session = session_factory(engine_for(ctx))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

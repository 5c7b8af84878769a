"""Opening the database for a command: the engine for the configured URL, schema checked."""

from __future__ import annotations

from contextlib import contextmanager

import click
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cli.settings import Settings
from store.db import check_reachable, make_engine, session_factory
from store.migrate import require_current


def engine_for(ctx: click.Context, *, require_schema: bool = True) -> Engine:
    settings: Settings = ctx.find_root().obj
    engine = make_engine(settings.database_url)
    check_reachable(engine)
    if require_schema:
        require_current(engine)
    ctx.call_on_close(engine.dispose)
    return engine


@contextmanager
def session_scope(ctx: click.Context):
    """One transaction: committed when the command succeeds, rolled back otherwise."""
    session: Session = session_factory(engine_for(ctx))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""Engine and session factory.

Rules: SQLite runs in WAL mode with foreign keys on and a busy timeout, so the dialer,
the FastAGI server and a supervisor's CLI can share one file; its parent folder is made
on first use. A URL that cannot be used is a UserError naming the flag that fixes it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from store.errors import UserError
from store.logmask import hide_secrets
from store.sqlite_pragmas import apply_pragmas


def make_engine(url: str, **kwargs) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise UserError(
            f"cannot read database URL {hide_secrets(url)!r}; "
            "fix --database-url or HOTLINE_DATABASE_URL"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    try:
        return sa.create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise UserError(
            f"database driver {exc.name!r} is not installed; run: pip install 'hotline[postgres]'"
        ) from None


def _sqlite_engine(parsed: sa.URL, **kwargs) -> Engine:
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        apply_pragmas(dbapi_conn)

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def check_reachable(engine: Engine) -> None:
    """Fail early with one line when the server is down or the schema is missing."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        raise unreachable(exc) from None


def unreachable(exc: Exception) -> UserError:
    """The one line a supervisor sees when the database cannot be reached."""
    return UserError(f"cannot connect to the database: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text.strip().splitlines()[0]

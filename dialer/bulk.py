"""Bulk writers for check-ins, one per database, behind one small interface.

Rules: `write(rows)` takes tuples (phone, location_id, checked_in_at, checked_out_at,
source) with aware UTC datetimes, commits them as one transaction, and adds what was
really inserted (duplicates excluded) to `inserted`. They bypass the ORM on purpose:
millions of rows must go in at the speed of the database's own loader.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

_INSERT_SQLITE = (
    "INSERT OR IGNORE INTO checkin "
    "(phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_PG_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS checkin_staging "
    "(phone text, location_id integer, checked_in_at timestamptz, "
    "checked_out_at timestamptz, source text, batch_id integer) ON COMMIT DELETE ROWS"
)
_PG_MERGE = (
    "INSERT INTO checkin (phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT phone, location_id, checked_in_at, checked_out_at, source, batch_id "
    "FROM checkin_staging ON CONFLICT ON CONSTRAINT uq_checkin_visit DO NOTHING"
)


def _sqlite_text(value: datetime | None) -> str | None:
    """Same text as store.types.UtcDateTime on SQLite, without SQLAlchemy per row."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # combine(d, d.time()) is d.replace(tzinfo=None) at a fifth of the cost.
    return _combine(value, value.time()).isoformat(" ", "microseconds")


_combine = datetime.combine


class CheckinWriter:
    inserted: int = 0

    def write(self, rows: list[tuple]) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SqliteCheckinWriter(CheckinWriter):
    def __init__(self, dbapi_conn, batch_id: int):
        self._conn = dbapi_conn
        self._batch_id = batch_id
        self.inserted = 0
        self._conn.execute("PRAGMA cache_size=-262144")

    def write(self, rows: list[tuple]) -> None:
        text = _sqlite_text
        batch = self._batch_id
        before = self._conn.total_changes
        self._conn.executemany(
            _INSERT_SQLITE,
            [
                (phone, loc, text(cin), text(cout), src, batch)
                for phone, loc, cin, cout, src in rows
            ],
        )
        self._conn.commit()
        self.inserted += self._conn.total_changes - before


class PostgresCheckinWriter(CheckinWriter):
    def __init__(self, dbapi_conn, batch_id: int):
        self._conn = dbapi_conn
        self._batch_id = batch_id
        self.inserted = 0
        with self._conn.cursor() as cur:
            cur.execute(_PG_STAGING)
        self._conn.commit()

    def write(self, rows: list[tuple]) -> None:
        batch = self._batch_id
        with self._conn.cursor() as cur:
            with cur.copy("COPY checkin_staging FROM STDIN") as copy:
                for phone, loc, cin, cout, src in rows:
                    copy.write_row((phone, loc, cin, cout, src, batch))
            cur.execute(_PG_MERGE)
            self.inserted += cur.rowcount
        self._conn.commit()


@contextmanager
def writer_for(engine: Engine, batch_id: int):
    raw = engine.raw_connection()
    try:
        dialect = engine.dialect.name
        dbapi = raw.driver_connection
        if dialect == "sqlite":
            yield SqliteCheckinWriter(dbapi, batch_id)
        elif dialect == "postgresql":
            yield PostgresCheckinWriter(dbapi, batch_id)
        else:
            raise NotImplementedError(f"no bulk check-in writer for {dialect}")
    finally:
        raw.close()

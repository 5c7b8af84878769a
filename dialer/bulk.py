"""Bulk writers for check-ins, one per database, behind one small interface.

Rules: `write(rows)` takes tuples (phone, location_id, checked_in_at, checked_out_at,
source) with aware UTC datetimes; after `close()` every row written is committed and
`inserted` counts what really went in (duplicates excluded). Commits come at least every
few hundred thousand rows, so a killed import keeps most of its work and a second run
skips it. They bypass the ORM on purpose: millions of rows must go in at the speed
of the database's own loader.

Each writer stores a chunk in a helper thread while the caller parses the next one
(see CheckinWriter). On SQLite a chunk travels as one JSON array into one INSERT …
SELECT FROM json_each, so SQLite works without the GIL for the whole statement (with
executemany the GIL would be taken back for every row, and the two threads would only
take turns); each chunk goes in sorted by the index (location, time), so it touches each
index page once. Commits are fewer than chunks there because each one rewrites every index
page the chunks touched. On PostgreSQL the
chunk is COPY text, built here, loaded into a staging table and merged by the server.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from store.types import sqlite_text

_INSERT_SQLITE = (
    "INSERT OR IGNORE INTO checkin "
    "(phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, ? FROM json_each(?) "
    "ORDER BY value->>1, value->>2, key"
)
_PG_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS checkin_staging "
    "(phone text, location_id integer, checked_in_at timestamptz, "
    "checked_out_at timestamptz, source text, batch_id integer, seq bigserial) "
    "ON COMMIT DELETE ROWS"
)
_PG_NULL = "\\N"
_PG_COPY = (
    "COPY checkin_staging (phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "FROM STDIN"
)
_PG_MERGE = (
    "INSERT INTO checkin (phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT phone, location_id, checked_in_at, checked_out_at, source, batch_id "
    "FROM checkin_staging ORDER BY location_id, checked_in_at, seq "
    "ON CONFLICT ON CONSTRAINT uq_checkin_visit DO NOTHING"
)


class CheckinWriter:
    """write() prepares a chunk in the caller's thread; a helper thread stores it.

    The helper spends its time in the database (SQLite's C code, or waiting for the
    PostgreSQL server), where it holds no GIL, so the next chunk is parsed meanwhile.
    At most one chunk is in flight, so memory stays constant.
    """

    inserted: int = 0

    def __init__(self, threaded: bool = True) -> None:
        self.inserted = 0
        self._thread = ThreadPoolExecutor(1, "checkin-writer") if threaded else None
        self._pending: Future | None = None

    def write(self, rows: list[tuple]) -> None:
        prepared = self._prepare(rows)
        if self._thread is None:
            self._store(prepared, len(rows))
            return
        self._wait()
        self._pending = self._thread.submit(self._store, prepared, len(rows))

    def _prepare(self, rows: list[tuple]):  # pragma: no cover - interface
        raise NotImplementedError

    def _store(self, prepared, count: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def _finish(self) -> None:
        """Commit what is left, once the last chunk is stored."""

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # re-raises what the helper raised

    def close(self) -> None:
        """Wait until everything written is committed."""
        try:
            self._wait()
            self._finish()
        finally:
            if self._thread is not None:
                self._thread.shutdown()


class SqliteCheckinWriter(CheckinWriter):
    # About 3.5 s of work at 114,000 rows/s: the dialer and the FastAGI server, which share
    # the file, never wait on the import's write lock near their 10 s busy timeout.
    commit_rows = 400_000

    def __init__(self, dbapi_conn, batch_id: int):
        super().__init__(threaded=_crosses_threads(dbapi_conn))
        self._conn = dbapi_conn
        self._batch_id = batch_id
        self._uncommitted = 0
        self._conn.execute("PRAGMA cache_size=-262144")

    def _prepare(self, rows: list[tuple]) -> str:
        text = sqlite_text
        return json.dumps(
            [(phone, loc, text(cin), text(cout), src) for phone, loc, cin, cout, src in rows]
        )

    def _store(self, prepared: str, count: int) -> None:
        before = self._conn.total_changes
        self._conn.execute(_INSERT_SQLITE, (self._batch_id, prepared))
        self.inserted += self._conn.total_changes - before
        self._uncommitted += count
        if self._uncommitted >= self.commit_rows:
            self._finish()

    def _finish(self) -> None:
        self._conn.commit()
        self._uncommitted = 0


def _crosses_threads(dbapi_conn) -> bool:
    """False for a connection made with check_same_thread (SQLAlchemy's in-memory SQLite):
    its writer then stores each chunk in the caller's thread."""
    usable = []

    def probe() -> None:
        try:
            dbapi_conn.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return
        usable.append(True)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return bool(usable)


class PostgresCheckinWriter(CheckinWriter):
    """COPY text built in the caller's thread; COPY, merge and commit in the helper."""

    def __init__(self, dbapi_conn, batch_id: int):
        super().__init__()
        self._conn = dbapi_conn
        self._batch_id = batch_id
        with self._conn.cursor() as cur:
            cur.execute(_PG_STAGING)
        self._conn.commit()

    def _prepare(self, rows: list[tuple]) -> bytes:
        # COPY text format. Phones are +84 and digits, sources one of CHECKIN_SOURCES and
        # times ISO text: no tab, newline or backslash that would need escaping.
        tail = f"\t{self._batch_id}\n"
        return "".join(
            [
                f"{phone}\t{loc}\t{cin.isoformat()}\t"
                f"{cout.isoformat() if cout is not None else _PG_NULL}\t{src}{tail}"
                for phone, loc, cin, cout, src in rows
            ]
        ).encode()

    def _store(self, prepared: bytes, count: int) -> None:
        with self._conn.cursor() as cur:
            with cur.copy(_PG_COPY) as copy:
                copy.write(prepared)
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
            writer: CheckinWriter = SqliteCheckinWriter(dbapi, batch_id)
        elif dialect == "postgresql":
            writer = PostgresCheckinWriter(dbapi, batch_id)
        else:
            raise NotImplementedError(f"no bulk check-in writer for {dialect}")
        try:
            yield writer
        finally:
            writer.close()
    finally:
        raw.close()

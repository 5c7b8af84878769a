"""Bulk writers for check-ins, one per database, behind one small interface.

Rules: `write(rows)` takes tuples (phone, location_id, checked_in_at, checked_out_at,
source) with the times as UTC text in store.types.SQLITE_FORMAT (dialer.stored_times),
checked_out_at None when unknown; after `close()` every row written is committed and
`inserted` counts what really went in (duplicates excluded). Commits come at least every
few hundred thousand rows, so a killed import keeps most of its work and a second run
skips it. They bypass the ORM on purpose: millions of rows must go in at the speed
of the database's own loader.

Each writer stores a chunk while the caller parses the next one. On SQLite a chunk is
JSON text that a loader process stores (dialer/sqlite_loader.py says why a process).
On PostgreSQL the chunk is COPY text, built here and split by location between two
connections whose server processes store at the same time. Each part is first copied
straight into checkin, sorted in the unique index's order, which is the server's fastest
path and succeeds whenever every visit is new (a city's new day of data). When one is
already there (the same file again, or an overlapping export) the COPY fails, is rolled
back to a savepoint, and that connection merges from then on: COPY into a staging table,
then insert the visits checkin lacks, each probed in the unique index. A visit always goes
through the same connection, in file order, so its first row still wins; ids are no
longer in file order.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import Connection

from sqlalchemy.engine import Engine

from dialer import sqlite_loader
from store.errors import UserError

_PG_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS checkin_staging "
    "(location_id integer, checked_in_at timestamptz, phone text, "
    "checked_out_at timestamptz, source text, batch_id integer) "
    "ON COMMIT DELETE ROWS"
)
_PG_NULL = "\\N"
# A COPY line's columns: the unique index's first, so that sorting the lines sorts by place
# (as text: each place's lines together), then time, then phone.
_PG_COPY_COLUMNS = "(location_id, checked_in_at, phone, checked_out_at, source, batch_id)"
_PG_COPY_DIRECT = "COPY checkin " + _PG_COPY_COLUMNS + " FROM STDIN"
_PG_COPY_STAGING = "COPY checkin_staging FROM STDIN"
# A chunk's sort before the merge fits in memory (the default 4 MB spills it to disk), and
# each staged row is looked up in checkin's unique index: whatever the planner's estimate,
# never a hash or merge join that reads all of checkin for every chunk.
_PG_MERGE_SETTINGS = (
    "SET LOCAL work_mem = '64MB'",
    "SET LOCAL enable_hashjoin = off",
    "SET LOCAL enable_mergejoin = off",
)
POSTGRES_LANES = 2  # server processes storing at once (docs/bench-foundation.md)
# The visits not stored yet, the first of each in file order (ctid: the staging table is
# filled by one COPY), inserted in the unique index's order. Cheaper than ON CONFLICT,
# whose speculative insertion cost 0.8 s more per 300,000 rows.
_PG_MERGE = (
    "INSERT INTO checkin (phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT DISTINCT ON (location_id, checked_in_at, phone) "
    "phone, location_id, checked_in_at, checked_out_at, source, batch_id "
    "FROM checkin_staging s WHERE NOT EXISTS (SELECT FROM checkin c "
    "WHERE c.location_id = s.location_id AND c.checked_in_at = s.checked_in_at "
    "AND c.phone = s.phone) "
    "ORDER BY location_id, checked_in_at, phone, ctid"
)
# When another import stored one of the same visits after this merge's snapshot.
_PG_MERGE_RACING = (
    "INSERT INTO checkin (phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT phone, location_id, checked_in_at, checked_out_at, source, batch_id "
    "FROM checkin_staging "
    "ORDER BY location_id, checked_in_at, phone, ctid "
    "ON CONFLICT ON CONSTRAINT uq_checkin_visit DO NOTHING"
)


class CheckinWriter:
    """write() prepares a chunk in the caller's thread; helper threads store it, one per
    lane (a lane is a database connection and the rows it is given).

    The helpers spend their time waiting for the database server, where they hold no
    GIL, so the next chunk is parsed meanwhile. At most one chunk is in flight, so memory
    stays constant.
    """

    inserted: int = 0

    def __init__(self, lanes: int = 1, threaded: bool = True) -> None:
        self.inserted = 0
        self._pool = ThreadPoolExecutor(lanes, "checkin-writer") if threaded else None
        self._pending: list[Future] = []

    def write(self, rows: list[tuple]) -> None:
        parts = self._prepare(rows)
        if self._pool is None:
            self.inserted += sum(self._store(lane, *part) for lane, part in enumerate(parts))
            return
        self._wait()
        self._pending = [
            self._pool.submit(self._store, lane, *part) for lane, part in enumerate(parts)
        ]

    def _prepare(self, rows: list[tuple]) -> list[tuple]:  # pragma: no cover - interface
        """(prepared, row count) for each lane."""
        raise NotImplementedError

    def _store(self, lane: int, prepared, count: int) -> int:  # pragma: no cover - interface
        """Store one lane's part of a chunk; return the rows that really went in."""
        raise NotImplementedError

    def _finish(self) -> None:
        """Commit what is left, once the last chunk is stored."""

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            self.inserted += future.result()  # re-raises what the helper raised

    def close(self) -> None:
        """Wait until everything written is committed."""
        try:
            self._wait()
            self._finish()
        finally:
            if self._pool is not None:
                self._pool.shutdown()


# About 3.5 s of work at 114,000 rows/s: the dialer and the FastAGI server, which share the
# file, never wait on the import's write lock near their 10 s busy timeout.
SQLITE_COMMIT_ROWS = 400_000


class SqliteCheckinWriter(CheckinWriter):
    """JSON text built in the caller's process, stored by the loader process."""

    commit_rows = SQLITE_COMMIT_ROWS

    def __init__(self, path: str, batch_id: int):
        super().__init__(threaded=False)
        self._awaiting = 0  # answers the loader owes: counted down only once received
        self._failed = False  # the loader died or raised: nothing more to send it
        ours, theirs = socket.socketpair()
        with theirs:
            self._loader = subprocess.Popen(
                sqlite_loader.command(theirs.fileno(), path, batch_id, self.commit_rows),
                pass_fds=(theirs.fileno(),),
            )
        self._pipe = Connection(ours.detach())

    def write(self, rows: list[tuple]) -> None:
        payload = json.dumps(rows)  # the times are already the stored text
        self._wait()
        self._send(("store", payload, len(rows)))

    def _wait(self) -> None:
        while self._awaiting and not self._failed:
            self.inserted += self._answer()

    def _send(self, message: tuple) -> None:
        try:
            self._pipe.send(message)
        except OSError:  # it died: its exit code says more than the broken pipe
            raise self._stopped() from None
        self._awaiting += 1

    def _answer(self) -> int:
        try:
            status, value = self._pipe.recv()
        except (EOFError, OSError):
            raise self._stopped() from None
        self._awaiting -= 1
        if status == "error":
            self._failed = True
            if isinstance(value, sqlite3.Error):  # locked, disk full: the machine's, not ours
                raise UserError(f"storing check-ins failed: {value}{_KEPT}") from value
            raise value
        return value

    def _stopped(self) -> UserError:
        self._failed = True
        why = f"the check-in loader process stopped (exit code {self._loader.wait()})"
        return UserError(why + _KEPT)

    def _finish(self) -> None:
        if not self._failed:
            self._send(("close",))
            self._answer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._pipe.close()
            self._loader.wait()


class InMemorySqliteWriter(CheckinWriter):
    """A database in memory has no file another process could open: its chunks are
    stored in the caller's thread, on the caller's connection."""

    def __init__(self, dbapi_conn, batch_id: int):
        super().__init__(threaded=False)
        self._loader = sqlite_loader.Loader(dbapi_conn, batch_id, SQLITE_COMMIT_ROWS)

    def _prepare(self, rows: list[tuple]) -> list[tuple[str, int]]:
        return [(json.dumps(rows), len(rows))]

    def _store(self, lane: int, prepared: str, count: int) -> int:
        return self._loader.store(prepared, count)

    def _finish(self) -> None:
        self._loader.commit()


_KEPT = "; the rows stored before are kept: run the same import again to add the rest"


def _file_of(dbapi_conn) -> str:
    """The database file of a SQLite connection, "" for one in memory."""
    for _seq, name, file in dbapi_conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""


class PostgresCheckinWriter(CheckinWriter):
    """COPY text built in the caller's thread; COPY (and merge) and commit in the helpers,
    each lane on its own connection with the rows of its locations (location_id % lanes)."""

    direct_first = True  # False: merge from the start (tests of the merge)

    def __init__(self, dbapi_conns: list, batch_id: int):
        super().__init__(lanes=len(dbapi_conns))
        self._conns = dbapi_conns
        self._batch_id = batch_id
        self._direct = [self.direct_first] * len(dbapi_conns)  # per lane, until a conflict
        for conn in self._conns:
            with conn.cursor() as cur:
                cur.execute(_PG_STAGING)
            conn.commit()

    def _prepare(self, rows: list[tuple]) -> list[tuple[list[str], int]]:
        # COPY text format. Phones are +84 and digits, sources one of CHECKIN_SOURCES and
        # times UTC text (+00 says so): no tab, newline or backslash that would need escaping.
        tail = f"\t{self._batch_id}\n"
        lanes: list[list[str]] = [[] for _ in self._conns]
        count = len(lanes)
        for phone, loc, cin, cout, src in rows:
            lanes[loc % count].append(
                f"{loc}\t{cin}+00\t{phone}\t{_PG_NULL if cout is None else cout + '+00'}"
                f"\t{src}{tail}"
            )
        return [(lines, len(lines)) for lines in lanes]

    def _store(self, lane: int, lines: list[str], count: int) -> int:
        """Lines in file order: copied sorted into checkin, or merged (see the module)."""
        conn = self._conns[lane]
        with conn.cursor() as cur:
            if self._direct[lane] and self._copied(cur, lines):
                inserted = count
            else:
                self._direct[lane] = False  # a visit stored before: merge from now on
                inserted = self._merge(cur, "".join(lines).encode())
        conn.commit()
        return inserted

    @staticmethod
    def _copied(cur, lines: list[str]) -> bool:
        """COPY the lines, sorted, straight into checkin; False (and nothing stored) when
        one of the visits is there already."""
        from psycopg.errors import UniqueViolation

        cur.execute("SAVEPOINT direct")
        try:
            with cur.copy(_PG_COPY_DIRECT) as copy:
                copy.write("".join(sorted(lines)).encode())
        except UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT direct")
            return False
        return True

    @staticmethod
    def _merge(cur, text: bytes) -> int:
        from psycopg.errors import UniqueViolation

        with cur.copy(_PG_COPY_STAGING) as copy:
            copy.write(text)
        for setting in _PG_MERGE_SETTINGS:
            cur.execute(setting)
        cur.execute("SAVEPOINT merge")
        try:
            cur.execute(_PG_MERGE)
        except UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT merge")
            cur.execute(_PG_MERGE_RACING)
        return cur.rowcount


@contextmanager
def writer_for(engine: Engine, batch_id: int):
    """The database's writer, on connections of its own (closed when the block ends)."""
    dialect = engine.dialect.name
    lanes = {"sqlite": 1, "postgresql": POSTGRES_LANES}.get(dialect)
    if lanes is None:
        raise NotImplementedError(f"no bulk check-in writer for {dialect}")
    with ExitStack() as stack:
        dbapis = []
        for _ in range(lanes):
            raw = engine.raw_connection()
            stack.callback(raw.close)
            dbapis.append(raw.driver_connection)
        if dialect == "sqlite":
            path = _file_of(dbapis[0])
            writer: CheckinWriter = (
                SqliteCheckinWriter(path, batch_id)
                if path
                else InMemorySqliteWriter(dbapis[0], batch_id)
            )
        else:
            writer = PostgresCheckinWriter(dbapis, batch_id)
        try:
            yield writer
        finally:
            writer.close()

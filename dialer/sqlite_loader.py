"""Check-ins into SQLite, in a process of their own while the importer parses.

Why a process and not a thread: on 2 cores, a thread storing chunks while the importer's
thread parsed the next slowed both (600,000 rows: stored in 2.5-3.6 s alone, 5.5-9.1 s
beside the parser; the parser 10-50% slower), although SQLite holds no GIL while it
works; the same two jobs in two processes do not slow each other
(docs/bench-foundation.md).
The process (`python -m dialer.sqlite_loader`, started by dialer.bulk) gets its chunks as
JSON text over a socket pair, framed and pickled by multiprocessing's Connection, answers
each with the rows that really went in, and commits every `commit_rows`. Only the
standard library here: it starts while the first chunk is parsed.

A chunk is one INSERT … SELECT FROM json_each, so SQLite does the whole chunk in C, sorted
by the index (location, time) so it touches each index page once. Commits are fewer than
chunks because each one rewrites every index page the chunks touched.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
from multiprocessing.connection import Connection

from store.sqlite_pragmas import apply_pragmas

INSERT = (
    "INSERT OR IGNORE INTO checkin "
    "(phone, location_id, checked_in_at, checked_out_at, source, batch_id) "
    "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, ? FROM json_each(?) "
    "ORDER BY value->>1, value->>2, key"
)
CACHE_PAGES = "PRAGMA cache_size=-262144"  # 256 MB: the index pages a large import touches


class Loader:
    """Stores chunks on one connection; the caller's process or the loader process."""

    def __init__(self, conn: sqlite3.Connection, batch_id: int, commit_rows: int):
        self._conn = conn
        self._batch_id = batch_id
        self._commit_rows = commit_rows
        self._uncommitted = 0
        conn.execute(CACHE_PAGES)

    def store(self, payload: str, count: int) -> int:
        """One chunk (JSON rows); the rows that went in, duplicates excluded."""
        before = self._conn.total_changes
        self._conn.execute(INSERT, (self._batch_id, payload))
        self._uncommitted += count
        if self._uncommitted >= self._commit_rows:
            self.commit()
        return self._conn.total_changes - before

    def commit(self) -> None:
        self._conn.commit()
        self._uncommitted = 0


def serve(pipe: Connection, path: str, batch_id: int, commit_rows: int) -> None:
    """The loop of the loader process: ("store", payload, count) -> ("ok", inserted), and
    ("close",) commits and ends it.

    An error goes back as ("error", exception) and ends the process; what was not committed
    is rolled back, as when the importer is killed (the pipe closes: EOFError here).
    """
    conn = sqlite3.connect(path)
    try:
        apply_pragmas(conn)
        loader = Loader(conn, batch_id, commit_rows)
        while True:
            message = pipe.recv()
            if message[0] == "close":
                loader.commit()
                pipe.send(("ok", 0))
                return
            pipe.send(("ok", loader.store(message[1], message[2])))
    except (EOFError, OSError):  # the importer is gone: what was not committed rolls back
        return
    except Exception as exc:
        pipe.send(("error", exc))
    finally:
        conn.close()


def command(fd: int, path: str, batch_id: int, commit_rows: int) -> list[str]:
    """How the importer starts the loader process, on its end of a socket pair (fd)."""
    return [sys.executable, "-m", __name__, str(fd), path, str(batch_id), str(commit_rows)]


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importer's to handle
    fd, path, batch_id, commit_rows = argv
    with Connection(int(fd)) as pipe:
        serve(pipe, path, int(batch_id), int(commit_rows))


if __name__ == "__main__":
    main(sys.argv[1:])

"""How every SQLite connection of ours is set up, in one place (store.db, the bulk loader).

WAL, foreign keys on, a busy timeout and synchronous=NORMAL, so the dialer, the FastAGI
server, a supervisor's CLI and the check-in loader process can share one file. No
SQLAlchemy here: the loader process opens its connection with the sqlite3 module alone.
"""

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
)


def apply_pragmas(dbapi_conn) -> None:
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()

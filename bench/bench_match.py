"""Exposure matching at 1 M and 5 M check-ins (issue "Foundation" §8): cost follows matches.

Two SQLite databases with the real schema (store.migrate.upgrade), filled through the
real importer from generated files over the same 2,000 places and 30 days, are kept
under bench/data/ and reused (their names carry the schema revision). A case with three
exposures is added with dialer.cases.add_case, then timed: dialer.contacts.find_matches
(the case's visits through the (location, checked_in_at) index, then the pure matcher)
and create_campaign (the same plus writing the contacts), each in a fresh connection as
a `hotline campaign create` would, rolled back after. The reference is the same work on
the table five times smaller: the target is at most 0.5 s at 5 M and at most 1.5x the
1 M time, i.e. a bigger table costs (almost) nothing, only more matches do. The same
three lookups as full table scans show what the (location, checked_in_at) index saves.

    .venv/bin/python -m bench.bench_match [--repeat N] [--sizes 1000000,5000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import common
from dialer import exposure
from dialer.cases import add_case, get_case
from dialer.checkins import import_checkins, import_locations
from dialer.contacts import create_campaign, find_matches
from dialer.times import parse_time
from store.db import make_engine
from store.migrate import head_revision, upgrade
from store.types import sqlite_text

EXPOSURES = [  # (location, start, end), city time: a market morning, a café, an evening
    ("DN-0001", "2021-09-15 09:00", "2021-09-15 11:30"),
    ("DN-0777", "2021-09-16 14:00", "2021-09-16 15:00"),
    ("DN-1500", "2021-09-20 18:00", "2021-09-20 20:00"),
]
CASE = "F0-BENCH"
TARGET_SECONDS = 0.5
TARGET_RATIO = 1.5
MARGIN, DWELL = exposure.DEFAULT_MARGIN, exposure.DEFAULT_DWELL


def database(rows: int, locations: Path) -> Path:
    """The filled database for `rows` check-ins, built once through the real importer."""
    db = common.DATA / f"match-{rows}-rev{head_revision()}.db"
    if db.exists():
        print(f"data: {db.relative_to(common.DATA.parent.parent)} (reused)")
        return db
    checkins = common.checkins_csv(rows)
    part = db.with_name(db.name + ".part")
    common.remove_sqlite(part)
    engine = make_engine(common.sqlite_url(part))
    upgrade(engine)
    import_locations(engine, locations)
    started = time.perf_counter()
    summary = import_checkins(engine, checkins)
    took = time.perf_counter() - started
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    common.remove_sqlite(Path(str(part) + "-wal"))
    common.remove_sqlite(Path(str(part) + "-shm"))
    part.replace(db)
    print(f"data: {db.relative_to(common.DATA.parent.parent)} ({summary.line()} in {took:.0f} s)")
    return db


def measure(db: Path, label: str) -> dict:
    """One repetition: fresh connection, add the case, time the two calls, roll back."""
    engine = make_engine(common.sqlite_url(db))
    try:
        with Session(engine) as session:
            add_case(session, CASE, EXPOSURES, phones=["0905000001"])
            session.flush()
            started = time.perf_counter()
            matches = find_matches(session, get_case(session, CASE), MARGIN, DWELL)
            find_s = time.perf_counter() - started
            session.expire_all()
            started = time.perf_counter()
            _campaign, counts = create_campaign(session, CASE, name=f"{CASE} {label}")
            create_s = time.perf_counter() - started
            session.rollback()
    finally:
        engine.dispose()
    return {
        "find": find_s,
        "create": create_s,
        "matches": len(matches),
        "visits": sum(len(m.visits) for m in matches),
        "contacts": counts.contacts,
    }


def plan(db: Path) -> str:
    """How SQLite reads the visits of one exposure (the query of dialer.contacts)."""
    engine = make_engine(common.sqlite_url(db))
    sql = (
        "EXPLAIN QUERY PLAN SELECT id, phone, checked_in_at, checked_out_at FROM checkin "
        "WHERE location_id = 1 AND checked_in_at >= '2021-09-15' AND checked_in_at <= '2021-09-16'"
    )
    with engine.connect() as conn:
        detail = " / ".join(row[-1] for row in conn.exec_driver_sql(sql))
    engine.dispose()
    return detail


def scan_reference(db: Path) -> float:
    """The same three lookups without the index (NOT INDEXED): what the index saves."""
    engine = make_engine(common.sqlite_url(db))
    sql = (
        "SELECT count(*) FROM checkin NOT INDEXED WHERE location_id = "
        "(SELECT id FROM location WHERE code = ?) AND checked_in_at BETWEEN ? AND ?"
    )
    reach = MARGIN + DWELL + timedelta(hours=3)
    started = time.perf_counter()
    with engine.connect() as conn:
        for code, start, end in EXPOSURES:
            lo, hi = parse_time(start) - reach, parse_time(end) + MARGIN
            conn.exec_driver_sql(sql, (code, sqlite_text(lo), sqlite_text(hi))).scalar_one()
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def table_rows(db: Path) -> int:
    engine = make_engine(common.sqlite_url(db))
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM checkin")).scalar_one()
    engine.dispose()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="repetitions per size (median)")
    parser.add_argument("--sizes", default="1000000,5000000", help="check-ins per database")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(
        f"match: a case with {len(EXPOSURES)} exposures over {common.LOCATIONS:,} places and "
        f"{common.DAYS} days; margin {MARGIN}, dwell {DWELL}"
    )
    print(common.machine_line())
    locations = common.locations_csv()
    dbs = {rows: database(rows, locations) for rows in sizes}
    print(f"plan: {plan(dbs[sizes[-1]])}")
    print()
    medians = {}
    for rows, db in dbs.items():
        runs = [measure(db, f"run {i}") for i in range(args.repeat)]
        first = runs[0]
        find = common.median([r["find"] for r in runs])
        create = common.median([r["create"] for r in runs])
        medians[rows] = (find, create)
        print(
            f"  {table_rows(db):>10,} check-ins: find_matches {find * 1000:7.1f} ms, "
            f"create_campaign {create * 1000:7.1f} ms (median of {args.repeat}); "
            f"{first['contacts']} contacts from {first['visits']} matching visits"
        )
        spread = ", ".join(f"{r['create'] * 1000:.0f}" for r in runs)
        print(f"  {'':>10}  create_campaign runs (ms): {spread}")
        scan = scan_reference(db)
        print(f"  {'':>10}  reference: the same lookups as full scans: {scan * 1000:7.1f} ms")
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        find_ratio = medians[big][0] / medians[small][0]
        create_ratio = medians[big][1] / medians[small][1]
        print()
        print(
            f"  ratio {big // 1_000_000} M / {small // 1_000_000} M: find_matches "
            f"{find_ratio:.2f}x, create_campaign {create_ratio:.2f}x"
        )
        worst = max(medians[big])
        met = worst <= TARGET_SECONDS and max(find_ratio, create_ratio) <= TARGET_RATIO
        print(
            f"  target <= {TARGET_SECONDS} s at {big:,} and <= {TARGET_RATIO}x the {small:,} "
            f"time: {'met' if met else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

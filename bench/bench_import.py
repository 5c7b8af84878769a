"""Check-in import speed (issues "Foundation" §8 and 10 §2), beside each database's loader.

Measures the real path - dialer.checkins.import_checkins, what `hotline checkins import`
runs - on generated files into a fresh database with the real schema
(store.migrate.upgrade), and in the same run the database's bare loader on the same
file into a bare table: `sqlite3 db ".import --csv"` and psql's `\\copy`. The reference
parses nothing, checks nothing and maintains no index; it shows how far the importer is
from the floor, not a target. Two files of the same size: phones repeating (300,000
people) and every phone new (a city's first day of data). Target: 100,000 rows/s on
SQLite and on PostgreSQL in both cases, so that Da Nang's 7.7 million check-ins go in
under 80 s.

    .venv/bin/python -m bench.bench_import [--rows N] [--repeat N] [--postgres URL]
                                           [--skip-postgres] [--phones repeated|new|both]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import common
from dialer.checkins import import_checkins, import_locations
from store.db import make_engine
from store.migrate import upgrade

TARGET_ROWS_PER_S = 100_000
DA_NANG_CHECKINS = 7_700_000
POSTGRES_PATH = (
    "COPY sorted straight into checkin, or into a staging table and INSERT of the visits "
    "not stored yet once one is, "
    "on two connections split by place"
)


def _import_once(url: str, locations: Path, checkins: Path) -> dict:
    """Fresh schema and locations (untimed), then the timed check-in import."""
    engine = make_engine(url)
    upgrade(engine)
    import_locations(engine, locations)
    started, cpu = time.perf_counter(), _cpu_with_loader()
    summary = import_checkins(engine, checkins)
    seconds, cpu = time.perf_counter() - started, _cpu_with_loader() - cpu
    engine.dispose()
    loader_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "imported": summary.imported, "loader_mb": loader_rss}


def _cpu_with_loader() -> float:
    """CPU seconds of this process and of its finished children (SQLite's loader process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _resources(result: dict) -> str:
    """CPU of the importer's threads and of its loader process (more than the wall time when
    they overlap), peak RSS of each."""
    loader = f" (loader {result['loader_mb']:.0f} MB)" if result["loader_mb"] else ""
    return f"  cpu {result['cpu']:5.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB{loader}"


def _line(label: str, rows: int, seconds: float, extra: str = "") -> str:
    return (
        f"  {label:<34} {rows:>11,} rows {seconds:8.2f} s {common.rate(rows, seconds):>18}{extra}"
    )


def bench_sqlite(rows: int, repeat: int, locations: Path, checkins: Path) -> float:
    db = common.DATA / "bench-import.db"
    runs = []
    for i in range(repeat):
        common.remove_sqlite(db)
        url = common.sqlite_url(db)
        result = common.in_child(lambda url=url: _import_once(url, locations, checkins))
        runs.append(result["seconds"])
        label = f"hotline checkins import, run {i + 1}"
        print(_line(label, result["imported"], result["seconds"], _resources(result)))
    common.remove_sqlite(db)
    median = common.median(runs)
    print(_line(f"hotline checkins import, median of {repeat}", rows, median))
    ref = _sqlite_reference(checkins, rows)
    if ref:
        print(_line("reference: sqlite3 .import --csv", rows, ref, "  (bare table, no index)"))
        print(f"  importer / reference: {median / ref:.1f}x the time")
        indexed = _sqlite_reference(checkins, rows, indexed=True)
        note = "  (the same unique index, no parsing)"
        print(_line("sqlite3 .import, indexed table", rows, indexed, note))
    return rows / median


_INDEXED_TABLE = (
    "CREATE TABLE t (phone, location_code, checked_in_at, checked_out_at, source, "
    "UNIQUE (location_code, checked_in_at, phone));"
)


def _sqlite_reference(checkins: Path, rows: int, *, indexed: bool = False) -> float | None:
    """sqlite3's own .import; `indexed`: into a table with checkin's unique index."""
    shell = shutil.which("sqlite3")
    if shell is None:
        print("  reference skipped: no sqlite3 shell on PATH (apt-get install sqlite3)")
        return None
    db = common.DATA / "bench-import-ref.db"
    common.remove_sqlite(db)
    commands = [shell, str(db)]
    if indexed:
        commands += [_INDEXED_TABLE, f".import --csv --skip 1 {checkins} t"]
    else:
        commands += [f".import --csv {checkins} t"]
    started = time.perf_counter()
    subprocess.run(commands, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    count = subprocess.run(
        [shell, str(db), "SELECT count(*) FROM t"], check=True, capture_output=True, text=True
    ).stdout.strip()
    common.remove_sqlite(db)
    if int(count) != rows:
        print(f"  note: the reference loaded {count} rows")
    return seconds


def bench_postgres(admin_url: str, rows: int, locations: Path, checkins: Path) -> float:
    with common.postgres_scratch(admin_url) as url:
        result = common.in_child(lambda: _import_once(url, locations, checkins))
        label = "hotline checkins import"
        print(_line(label, result["imported"], result["seconds"], _resources(result)))
    ref = _psql_reference(admin_url, checkins)
    if ref:
        print(_line("reference: psql \\copy", rows, ref, "  (bare table, no index)"))
        print(f"  importer / reference: {result['seconds'] / ref:.1f}x the time")
        indexed = _psql_reference(admin_url, checkins, indexed=True)
        note = "  (the same unique index, no parsing)"
        print(_line("psql \\copy, indexed table", rows, indexed, note))
    return rows / result["seconds"]


def _psql_reference(admin_url: str, checkins: Path, *, indexed: bool = False) -> float | None:
    """psql's \\copy; `indexed`: into a table with checkin's unique index."""
    psql = shutil.which("psql")
    if psql is None:
        print("  reference skipped: no psql on PATH (apt-get install postgresql-client)")
        return None
    with common.postgres_scratch(admin_url) as url:
        target = common.libpq_url(url)
        create = "CREATE TABLE t (phone text, location_code text, checked_in_at timestamp, "
        create += "checked_out_at timestamp, source text)"
        if indexed:
            create += "; ALTER TABLE t ADD UNIQUE (location_code, checked_in_at, phone)"
        subprocess.run([psql, "-qX", target, "-c", create], check=True)
        copy = f"\\copy t FROM '{checkins}' WITH (FORMAT csv, HEADER true)"
        started = time.perf_counter()
        subprocess.run([psql, "-qX", target, "-c", copy], check=True, capture_output=True)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="check-ins in the file")
    parser.add_argument("--repeat", type=int, default=3, help="SQLite runs (median)")
    parser.add_argument("--postgres", help=f"admin URL (default: ${common.POSTGRES_ENV})")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--phones", choices=["repeated", "new", "both"], default="both", help="which files"
    )
    args = parser.parse_args(argv)

    print(
        f"import: {args.rows:,} check-ins, {common.LOCATIONS:,} locations, "
        f"{common.DAYS} days; phones from {common.PEOPLE:,} people, and every phone new"
    )
    print(common.machine_line())
    locations = common.locations_csv()
    files = {}
    if args.phones in ("repeated", "both"):
        files[f"phones repeating ({common.PEOPLE:,} people)"] = common.checkins_csv(args.rows)
    if args.phones in ("new", "both"):
        files["every phone new"] = common.new_phone_checkins_csv(args.rows)
    print()
    print("SQLite (WAL, synchronous=NORMAL, as `hotline` opens it; a loader process stores)")
    for label, checkins in files.items():
        print(f" {label}:")
        per_s = bench_sqlite(args.rows, args.repeat, locations, checkins)
        print(f"  target >= {TARGET_ROWS_PER_S:,} rows/s: {_verdict(per_s)}")
        hint = " (see --rows 5000000)" if args.rows < 5_000_000 else ""
        print(
            f"  Da Nang's {DA_NANG_CHECKINS / 1e6:.1f} M check-ins at this rate: "
            f"~{DA_NANG_CHECKINS / per_s:.0f} s if it held; rows cost more as the indexes "
            f"grow{hint}"
        )
    print()
    admin = common.postgres_admin_url(args.postgres)
    if args.skip_postgres:
        print("PostgreSQL: skipped (--skip-postgres)")
    elif admin is None:
        print(f"PostgreSQL: skipped (set {common.POSTGRES_ENV} or pass --postgres URL)")
    else:
        print(f"PostgreSQL ({POSTGRES_PATH})")
        for label, checkins in files.items():
            print(f" {label}:")
            per_s = bench_postgres(admin, args.rows, locations, checkins)
            print(f"  target >= {TARGET_ROWS_PER_S:,} rows/s: {_verdict(per_s)}")
    return 0


def _verdict(per_s: float) -> str:
    return "met" if per_s >= TARGET_ROWS_PER_S else "MISSED"


if __name__ == "__main__":
    sys.exit(main())

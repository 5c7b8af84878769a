"""What the benchmarks share: generated data under bench/data/, timing, scratch databases.

Rules: data files are made by dialer.sampledata with fixed seeds, so the same name means
the same bytes; a missing file is regenerated (written to a temporary name first, so an
interrupted run never leaves half a file behind). Each measured run happens in a forked
child, so its peak RSS is its own and not the high-water mark of earlier runs.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from dialer.sampledata import write_checkins, write_locations

DATA = Path(__file__).resolve().parent / "data"
POSTGRES_ENV = "HOTLINE_TEST_POSTGRES_URL"
LOCATIONS = 2_000
DAYS = 30
START = datetime(2021, 9, 1)  # city time, as the QR system writes it
PEOPLE = 300_000


def _generated(path: Path, make: Callable[[Path], None]) -> Path:
    if path.exists():
        print(f"data: {path.relative_to(DATA.parent.parent)} (reused)")
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    started = time.perf_counter()
    make(tmp)
    tmp.replace(path)
    took = time.perf_counter() - started
    print(f"data: {path.relative_to(DATA.parent.parent)} (generated in {took:.1f} s)")
    return path


def locations_csv(count: int = LOCATIONS) -> Path:
    return _generated(DATA / f"locations-{count}.csv", lambda p: write_locations(p, count))


def checkins_csv(rows: int, people: int = PEOPLE) -> Path:
    """`rows` visits over LOCATIONS places and DAYS days from START (seed 3)."""
    name = f"checkins-{rows}-p{people}-l{LOCATIONS}-d{DAYS}.csv"
    return _generated(
        DATA / name,
        lambda p: write_checkins(
            p, rows, locations=LOCATIONS, start=START, days=DAYS, people=people
        ),
    )


def new_phone_checkins_csv(rows: int) -> Path:
    """Like checkins_csv, but every row carries a phone of its own (a city's first day)."""
    name = f"checkins-{rows}-new-phones-l{LOCATIONS}-d{DAYS}.csv"
    return _generated(
        DATA / name,
        lambda p: write_checkins(
            p, rows, locations=LOCATIONS, start=START, days=DAYS, people=0, every_phone_new=True
        ),
    )


def machine_line() -> str:
    load = os.getloadavg()[0]
    busy = " - busy: other work shares these cores, figures are noisy" if load > 0.7 else ""
    return f"machine: {os.cpu_count()} cores, load average {load:.2f} at start{busy}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(func: Callable[[], dict]) -> dict:
    """Run `func` in a forked process; its result dict gains the child's peak RSS."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            result = func()
            result["peak_rss_mb"] = peak_rss_mb()
            send.send(result)
        except BaseException as exc:  # report, the parent raises
            send.send({"error": f"{type(exc).__name__}: {exc}"})

    proc = ctx.Process(target=child)
    proc.start()
    result = receive.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


def median(values: list[float]) -> float:
    return statistics.median(values)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def remove_sqlite(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


def postgres_admin_url(option: str | None) -> str | None:
    return option or os.environ.get(POSTGRES_ENV) or None


@contextmanager
def postgres_scratch(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of `admin_url`, dropped afterwards (as in the tests)."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"hotline_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://… -> postgresql://…, what psql understands."""
    url = sa.engine.make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "n/a"

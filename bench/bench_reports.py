"""Reports stream, purges hold short locks (issue 9): figures beside same-run references.

A scratch SQLite database gets one finished campaign of N contacts (default 200,000) with one
to three attempts each, a declaration for every fifth, and 1 M check-ins. Then, each in a
forked child (so peak RSS is its own):

- `report campaign` to a CSV file (joins, masking, excel_safe, the BOM) against a bare
  `SELECT * FROM contact` written by csv.writer: rows/s and peak RSS; the same export at a
  quarter of the contacts shows that memory does not grow with the table.
- `report summary` against one `SELECT count(*)` over call_attempt.
- `purge` of the campaign's contacts and of the check-ins, in batches: total time and the
  longest single transaction (the longest a writer beside it could wait) against one
  `DELETE` of the same rows in one transaction.

    .venv/bin/python -m bench.bench_reports [--contacts N] [--checkins N]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench import common
from reports.funnel import summarize
from reports.output import opened, write_table
from reports.tables import campaign_export
from store import retention
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CallAttempt, Campaign, CheckIn, Contact, Declaration, Location

NOW = datetime(2022, 6, 1, tzinfo=UTC)
OUTCOMES = ["answered", "busy", "no_answer", "answered", "failed"]


def fill(url: str, contacts: int, checkins: int, campaigns: int = 1) -> None:
    rnd = random.Random(9)
    engine = make_engine(url)
    upgrade(engine)
    start = datetime(2021, 10, 8, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(Location), [{"code": f"DN-{i:04d}", "name": f"Chợ số {i}",
                                            "max_stay_s": 0} for i in range(200)])  # fmt: skip
        for c in range(campaigns):
            conn.execute(sa.insert(Campaign).values(name=f"bench {c}", status="completed",
                         created_at=start, finished_at=start + timedelta(days=2)))  # fmt: skip
        rows, attempts, declarations = [], [], []
        for i in range(contacts):
            rows.append({"campaign_id": 1 + i % campaigns, "phone": f"+8490{i:07d}",
                         "location_code": f"DN-{i % 200:04d}", "checked_in_at": start,
                         "why": [{"location_code": f"DN-{i % 200:04d}"}], "status": "answered",
                         "attempts": 1, "created_at": start, "priority": 1})  # fmt: skip
        conn.execute(sa.insert(Contact), rows)
        for contact_id in range(1, contacts + 1):
            for n in range(1, rnd.randint(1, 3) + 1):
                when = start + timedelta(minutes=rnd.randint(0, 12 * 60))
                outcome = rnd.choice(OUTCOMES)
                attempts.append({"contact_id": contact_id, "attempt_no": n, "number": "x",
                                 "channel_id": f"b-{contact_id}-{n}", "originated_at": when,
                                 "answered_at": when if outcome == "answered" else None,
                                 "outcome": outcome, "state": "done", "worker": ""})  # fmt: skip
            if contact_id % 5 == 0:
                declarations.append({"phone": "+84900000000", "source": "campaign",
                                     "contact_id": contact_id, "complete": True,
                                     "answers": {"fever": False}, "created_at": start})  # fmt: skip
        for chunk in range(0, len(attempts), 50_000):
            conn.execute(sa.insert(CallAttempt), attempts[chunk : chunk + 50_000])
        conn.execute(sa.insert(Declaration), declarations)
        visits = ({"phone": f"+8491{i:07d}", "location_id": 1 + i % 200,
                   "checked_in_at": start - timedelta(days=60, seconds=i), "source": "qr"}
                  for i in range(checkins))  # fmt: skip
        batch = []
        for visit in visits:
            batch.append(visit)
            if len(batch) == 100_000:
                conn.execute(sa.insert(CheckIn), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(CheckIn), batch)
    engine.dispose()


def export(url: str, out: Path) -> dict:
    sessions = session_factory(make_engine(url))
    started = time.perf_counter()
    with sessions() as s:
        exp = campaign_export(s, s.get(Campaign, 1))
        with opened(out, "csv") as stream:
            rows = write_table(stream, "csv", exp.header, exp.rows)
    return {"rows": rows, "seconds": time.perf_counter() - started}


def bare_export(url: str, out: Path) -> dict:
    engine = make_engine(url)
    started = time.perf_counter()
    rows = 0
    with engine.connect() as conn, out.open("w", newline="") as f:
        writer = csv.writer(f)
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(
            sa.text("SELECT * FROM contact")
        )
        for row in result:
            writer.writerow(row)
            rows += 1
    return {"rows": rows, "seconds": time.perf_counter() - started}


def summary(url: str) -> dict:
    sessions = session_factory(make_engine(url))
    started = time.perf_counter()
    with sessions() as s:
        summarize(s, s.get(Campaign, 1))
    return {"seconds": time.perf_counter() - started}


def count_attempts(url: str) -> dict:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT count(*) FROM call_attempt")).scalar()
    return {"seconds": time.perf_counter() - started}


def timed_purge(url: str) -> dict:
    engine = make_engine(url)
    longest, opened_at = [0.0], [0.0]

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        opened_at[0] = time.perf_counter()

    @sa.event.listens_for(engine, "commit")
    def _commit(conn):
        longest[0] = max(longest[0], time.perf_counter() - opened_at[0])

    periods = retention.read_periods({"recordings": "never", "declarations": "never",
                                      "calls": "never"})  # fmt: skip
    started = time.perf_counter()
    counts = retention.purge(session_factory(engine), NOW, periods).as_dict()
    return {"seconds": time.perf_counter() - started, "longest": longest[0], **counts}


def one_delete(url: str) -> dict:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM call_attempt"))
        conn.execute(sa.text("DELETE FROM contact"))
        conn.execute(sa.text("DELETE FROM checkin"))
    return {"seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    args = parser.parse_args()
    print(common.machine_line())
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp = Path(tmp)
        big, small = tmp / "big.db", tmp / "small.db"
        started = time.perf_counter()
        fill(common.sqlite_url(big), args.contacts, args.checkins)
        fill(common.sqlite_url(small), args.contacts // 4, 0)
        print(f"data: {args.contacts:,} contacts, {args.checkins:,} check-ins "
              f"(filled in {time.perf_counter() - started:.0f} s)")  # fmt: skip
        url = common.sqlite_url(big)
        ours = common.in_child(lambda: export(url, tmp / "campaign.csv"))
        bare = common.in_child(lambda: bare_export(url, tmp / "bare.csv"))
        quarter = common.in_child(lambda: export(common.sqlite_url(small), tmp / "small.csv"))
        print(
            f"report campaign: {ours['rows']:,} rows in {ours['seconds']:.1f} s "
            f"({common.rate(ours['rows'], ours['seconds'])}), peak RSS "
            f"{ours['peak_rss_mb']:.0f} MB; at a quarter of the rows "
            f"{quarter['peak_rss_mb']:.0f} MB"
        )
        print(
            "  reference, a bare select of every contact column to csv.writer: "
            f"{common.rate(bare['rows'], bare['seconds'])}, peak RSS {bare['peak_rss_mb']:.0f} MB"
        )
        s, ref = common.in_child(lambda: summary(url)), common.in_child(lambda: count_attempts(url))
        print(
            f"report summary: {s['seconds']:.2f} s; reference, counting the attempts: "
            f"{ref['seconds']:.2f} s"
        )
        copy = tmp / "copy.db"
        copy.write_bytes(big.read_bytes())
        p = common.in_child(lambda: timed_purge(url))
        one = common.in_child(lambda: one_delete(common.sqlite_url(copy)))
        print(
            f"purge: {p['contacts']:,} contacts, {p['attempts']:,} attempts, "
            f"{p['checkins']:,} check-ins in {p['seconds']:.1f} s; longest transaction "
            f"{1000 * p['longest']:.0f} ms"
        )
        print(f"  reference, one DELETE of the same rows: {one['seconds']:.1f} s, all of it "
              "in one transaction")  # fmt: skip


if __name__ == "__main__":
    main()

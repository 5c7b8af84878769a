"""Dialer benchmark: a campaign against pbxsim, every part in its own process.

`hotline pbxsim run` (the PBX), `hotline agi serve` (the notice flow) and `hotline dialer
run` (the process measured) share one simulated clock (HOTLINE_SIM_CLOCK) at a small time
scale and one database; this script seeds the campaign and reads the figures back from the
attempts the dialer recorded, so nothing here can flatter the dialer.

Figures, in campaign (simulated) time unless marked real:
- channel utilisation while work was waiting: channel-seconds in use between the first and
  the last dial, over channels x that span (the reference is 100 %);
- campaign time against its floor, total call time / channels, measured in the same run;
- the highest concurrency and the most dials in any one-second window, beside the limits.
A second run holds 500 channels at 50 calls per second (real) in one dialer process.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dialer.campaigns import apply_settings, start
from dialer.pacing import most_in_any_window
from store.clock import SIM_CLOCK_ENV, ScaledClock
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CallAttempt, Campaign, Contact, Location

CITY = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2021, 10, 8, 7, 30, tzinfo=CITY)
HOTLINE = [sys.executable, "-c", "from cli import main; main()"]
SECRET = "bench-signing-secret-0123456789abcdef"


@dataclass
class Run:
    name: str
    contacts: int
    channels: int
    cps: float  # per second of campaign time
    scale: float


def seed(url: str, run: Run) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        s.add(Location(code="DN-0001", name="Chợ Hàn", district="Hải Châu"))
        campaign = Campaign(name=run.name, created_at=START, status="draft")
        apply_settings(campaign, channels=run.channels, cps=run.cps, max_attempts=1)
        s.add(campaign)
        s.flush()
        s.execute(
            sa.insert(Contact),
            [
                {
                    "campaign_id": campaign.id,
                    "phone": f"+849{10_000_000 + i:08d}",
                    "priority": 1 + i % 2,
                    "location_code": "DN-0001",
                    "checked_in_at": START - timedelta(days=1, minutes=i),
                    "why": [],
                    "status": "pending",
                    "attempts": 0,
                    "created_at": START,
                }
                for i in range(run.contacts)
            ],
        )
        start(campaign, START)
    engine.dispose()


def started(proc: subprocess.Popen, pattern: str) -> int:
    """Read the child's first lines until the port it listens on shows."""
    for _ in range(20):
        line = proc.stdout.readline()
        found = re.search(pattern, line)
        if found:
            return int(found.group(1))
    raise RuntimeError(f"{proc.args} did not start")


def measure(run: Run, url: str, workdir: Path) -> dict:
    seed(url, run)
    clock = ScaledClock.starting(START, run.scale)
    env = {
        **os.environ,
        SIM_CLOCK_ENV: clock.spec(),
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_SECRET": SECRET,
        "HOTLINE_CONFIG": str(workdir / "none.toml"),
    }
    (workdir / "none.toml").write_text("")
    agi = subprocess.Popen(
        [*HOTLINE, "agi", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        stderr=subprocess.DEVNULL,
    )
    pbx = None
    try:
        agi_port = started(agi, r"listening on 127\.0\.0\.1:(\d+)")
        pbx = subprocess.Popen(
            [
                *HOTLINE,
                "pbxsim",
                "run",
                "--ami-port",
                "0",
                "--scale",
                str(run.scale),
                "--channels",
                str(run.channels * 4),
                "--agi-url",
                f"agi://127.0.0.1:{agi_port}",
                "--seed",
                "1022",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ami_port = started(pbx, r"AMI on 127\.0\.0\.1:(\d+)")
        env["HOTLINE_AMI_URL"] = f"ami://hotline:hotline@127.0.0.1:{ami_port}"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [
                *HOTLINE,
                "dialer",
                "run",
                "--exit-when-idle",
                "--channels",
                str(run.channels),
                "--name",
                "bench",
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        real = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        for proc in (pbx, agi):
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**figures(url, run), "real_s": real, "dialer_cpu_s": cpu}


def figures(url: str, run: Run) -> dict:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(CallAttempt.originated_at, CallAttempt.ended_at, CallAttempt.outcome)
        ).all()
    engine.dispose()
    starts = sorted(r[0] for r in rows)
    first, last_dial = starts[0], starts[-1]
    end = max(r[1] for r in rows)
    busy = sum((r[1] - r[0]).total_seconds() for r in rows)
    span = (last_dial - first).total_seconds()
    in_span = sum(
        (min(r[1], last_dial) - max(r[0], first)).total_seconds() for r in rows if r[0] < last_dial
    )
    campaign = (end - first).total_seconds()
    floor = busy / run.channels
    edges = sorted([(r[0], 1) for r in rows] + [(r[1], -1) for r in rows])
    live = peak = 0
    for _, d in edges:
        live += d
        peak = max(peak, live)
    offsets = [(t - first).total_seconds() for t in starts]
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r[2]] = outcomes.get(r[2], 0) + 1
    return {
        "calls": len(rows),
        "utilisation": in_span / (run.channels * span) if span else 0.0,
        "campaign_s": campaign,
        "floor_s": floor,
        "mean_call_s": busy / len(rows),
        "peak": peak,
        "max_per_second": most_in_any_window(offsets, 1.0 - 1e-6),
        "mean_per_second": (len(rows) - 1) / span if span else 0.0,
        "outcomes": outcomes,
    }


def report(run: Run, f: dict) -> None:
    ratio = f["campaign_s"] / f["floor_s"]
    print(
        f"{run.name}: {f['calls']} calls, {run.channels} channels, limit {run.cps:g} calls/s "
        f"(campaign time), time scale {run.scale:g}"
    )
    print(f"  outcomes {dict(sorted(f['outcomes'].items()))}; mean call {f['mean_call_s']:.1f} s")
    print(f"  channel utilisation while work waited: {f['utilisation']:.1%}   (reference 100 %)")
    print(
        f"  campaign time {f['campaign_s']:.0f} s = {ratio:.3f} x the floor "
        f"(total call time / channels = {f['floor_s']:.0f} s, same run)"
    )
    print(
        f"  highest concurrency {f['peak']} (limit {run.channels}); most dials in one second "
        f"{f['max_per_second']} (limit {run.cps:g}); {f['mean_per_second']:.2f} dials/s on "
        f"average while work waited = {f['mean_per_second'] / run.scale:.1f} real dials/s"
    )
    print(
        f"  real: {f['real_s']:.1f} s, {f['calls'] / f['real_s']:.1f} calls/s; "
        f"dialer CPU {f['dialer_cpu_s']:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_dialer")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--postgres", help="run on this PostgreSQL URL instead of SQLite")
    parser.add_argument("--skip-load", action="store_true", help="skip the 500-channel run")
    args = parser.parse_args(argv)
    runs = [Run("utilisation", args.contacts, 30, 5.0, args.scale)]
    if not args.skip_load:
        # 50 new calls a real second into 500 channels: at scale 0.12 a call of about
        # 80 campaign seconds lasts about 10 real seconds, so both limits are reached
        runs.append(Run("load", 4000, 500, 50 * 0.12, 0.12))
    for run in runs:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.postgres or f"sqlite:///{tmp}/bench.db"
            if args.postgres:
                reset_postgres(args.postgres)
            report(run, measure(run, url, Path(tmp)))
    return 0


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

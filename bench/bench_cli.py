"""`hotline` start-up time (issue 10 §3), beside `python -c pass` measured in the same run.

Runs the installed `hotline` script, as a supervisor types it, several times each in turn
(so a burst of load on the machine hits every command alike) and prints the median wall
time and CPU time of each. Target: `hotline --help`, `hotline say 1879` and `hotline menu
check` each under 0.3 s on 2 cores. A command that opens the database (`hotline cases
list` on a scratch SQLite file) is shown too: it pays for SQLAlchemy and Alembic, which
the others no longer load.

    .venv/bin/python -m bench.bench_cli [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

TARGET_S = 0.3
HOTLINE = Path(sys.executable).with_name("hotline")
QUICK = [["--help"], ["say", "1879"], ["menu", "check"]]
WITH_DATABASE = ["cases", "list"]


def _run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the child's own) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict:
    """Median (wall, cpu) per label; the commands take turns, one run each per round."""
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for argv in commands.values():  # warm the page cache and .pyc files, untimed
        _run_once(argv, env)
    for _ in range(runs):
        for label, argv in commands.items():
            times[label].append(_run_once(argv, env))
    return {
        label: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for label, got in times.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (median)")
    args = parser.parse_args(argv)
    if not HOTLINE.exists():
        print(f"cli: skipped, no {HOTLINE} (run make install)")
        return 0
    print(f"cli: median of {args.runs} runs of each command, taking turns")
    print(common.machine_line())
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, HOTLINE_DATABASE_URL=f"sqlite:///{scratch}/hotline.db")
        subprocess.run([str(HOTLINE), "db", "init"], check=True, capture_output=True, env=env)
        commands = {"reference: python -c pass": [sys.executable, "-c", "pass"]}
        commands |= {"hotline " + " ".join(c): [str(HOTLINE), *c] for c in QUICK}
        commands["hotline " + " ".join(WITH_DATABASE)] = [str(HOTLINE), *WITH_DATABASE]
        results = measure(commands, args.runs, env)
    floor = results["reference: python -c pass"][0]
    for label, (wall, cpu) in results.items():
        line = f"  {label:<28} {wall:6.3f} s  cpu {cpu:6.3f} s"
        if label.startswith("hotline"):
            line += f"  python + {wall - floor:.3f} s"
        if label.removeprefix("hotline ").split() in QUICK:
            line += f"  target < {TARGET_S} s: {'met' if wall < TARGET_S else 'MISSED'}"
        elif label.startswith("hotline"):
            line += "  (opens the database: loads SQLAlchemy and Alembic)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

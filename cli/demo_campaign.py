"""The demo's campaign: pbxsim, the FastAGI server and the dialer, each its own process.

Rules: the children are the real commands (`hotline pbxsim run`, `hotline agi serve`,
`hotline dialer run --exit-when-idle`) on free loopback ports, sharing the demo's database,
config file (its signing secret) and simulated clock (HOTLINE_SIM_CLOCK), with their logs
appended to the demo's log; the AMI secret travels in the environment, never in argv. The
parent prints progress from the database until the dialer exits, then stops the others.
Any child that cannot start is one line, never a hang.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import click

POPULATION_SEED = 1879


def hotline_command() -> list[str]:
    script = Path(sys.executable).with_name("hotline")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from cli import main; main()"]


def _started(proc: subprocess.Popen, pattern: str, what: str) -> int:
    for _ in range(20):
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(pattern, line)
        if found:
            return int(found.group(1))
    raise click.ClickException(f"demo: {what} did not start (see the demo's log)")


def run_campaign(
    *,
    sessions,
    campaign_id: int,
    env: dict[str, str],
    log_path: Path,
    scale: float,
    answer_rate: float,
    declare_rate: float,
    channels: int,
    clock,
    start,
) -> None:
    """Start the PBX and the FastAGI server, then `start()` (the campaign, so that the dialer
    has something to wait for), then the dialer, and follow it to the end."""
    hotline = hotline_command()
    children: list[subprocess.Popen] = []
    with log_path.open("a", encoding="utf-8") as log:

        def child(*args: str, extra: dict | None = None) -> subprocess.Popen:
            proc = subprocess.Popen(
                [*hotline, *args],
                env={**env, **(extra or {})},
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            children.append(proc)
            return proc

        try:
            shown = [
                ("agi", "serve", "--port", "0"),
                (
                    "pbxsim", "run", "--ami-port", "0", "--scale", f"{scale:g}",
                    "--answer-rate", f"{answer_rate:g}", "--declare-rate", f"{declare_rate:g}",
                    "--seed", str(POPULATION_SEED), "--channels", "200",
                ),
                ("dialer", "run", "--exit-when-idle", "--channels", str(channels)),
            ]  # fmt: skip
            agi_port = _started(child(*shown[0]), r"listening on 127\.0\.0\.1:(\d+)", "agi serve")
            pbx = child(*shown[1], "--agi-url", f"agi://127.0.0.1:{agi_port}")
            ami_port = _started(pbx, r"AMI on 127\.0\.0\.1:(\d+)", "pbxsim")
            for args in shown[:2]:
                click.secho("$ hotline " + " ".join(args) + " &", fg="cyan")
            click.echo()
            start()
            click.secho("$ hotline " + " ".join(shown[2]) + " &", fg="cyan")
            dialer = child(
                *shown[2], extra={"HOTLINE_AMI_URL": f"ami://hotline:hotline@127.0.0.1:{ami_port}"}
            )
            _progress(sessions, campaign_id, dialer, clock)
            if dialer.returncode != 0:
                raise click.ClickException("demo: the dialer stopped with an error (see the log)")
        finally:
            for proc in children:
                if proc.poll() is None:
                    proc.terminate()
            for proc in children:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _progress(sessions, campaign_id: int, dialer: subprocess.Popen, clock) -> None:
    """A line every two seconds (and one at the end) until the dialer exits."""
    from dialer import campaigns as lifecycle
    from dialer.calling_hours import CITY_ZONE
    from store.models import Campaign

    while True:
        done = dialer.poll() is not None
        with sessions() as session:
            st = lifecycle.status(session, session.get(Campaign, campaign_id), clock.now())
            c = st.contacts
            click.echo(
                f"  {clock.now().astimezone(CITY_ZONE):%H:%M}  dialed {st.dialed:>4}"
                f"/{st.total}  answered {c['answered'] + c['declared'] + c['opted_out']:>4}"
                f"  declared {c['declared']:>3}  opted out {c['opted_out']:>2}"
                f"  channels {st.live:>2}  {st.calls_last_minute:>3} calls/min"
            )
        if done:
            return
        for _ in range(20):
            if dialer.poll() is not None:
                break
            time.sleep(0.1)


def env_for(config: Path, url: str, clock_spec: str) -> dict[str, str]:
    from store.clock import SIM_CLOCK_ENV

    return {
        **os.environ,
        "HOTLINE_CONFIG": str(config),
        "HOTLINE_DATABASE_URL": url,
        SIM_CLOCK_ENV: clock_spec,
    }

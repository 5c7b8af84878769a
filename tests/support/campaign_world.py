"""A campaign, a stand-in PBX and our FastAGI server, for the dialer's tests.

Real parts over loopback: pbxsim speaks AMI and places FastAGI calls to our server, which
runs the real notice flow on the test database; the dialer under test is ours, in-process
(`run_dialer`) or as `hotline dialer run` in a child process (`dialer_process`). Everyone
shares one ScaledClock, so campaign time (retries, windows) runs 1/scale times faster.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from suite_secrets import SUITE_SIGNING_SECRET

from dialer.ami import AmiLink, AmiUrl
from dialer.campaigns import apply_settings, start
from dialer.engine import Dialer, DialerConfig
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from pbxsim import PbxSim, SimConfig
from pbxsim.population import PopulationConfig
from store.attempt_token import make_token
from store.clock import SIM_CLOCK_ENV, ScaledClock
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CallAttempt, Campaign, Contact, Location

SECRET = SUITE_SIGNING_SECRET.encode()

CITY = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY_8AM = datetime(2021, 10, 8, 8, 0, tzinfo=CITY)
VISIT = datetime(2021, 10, 7, 9, 0, tzinfo=CITY)
FINAL = {"answered", "declared", "opted_out", "failed", "exhausted", "expired"}


def sessions_for(url: str):
    engine = make_engine(url)
    upgrade(engine)
    return session_factory(engine)


def seed(sessions, phones, *, now, name="F0-T notice", case_id=None, run=True, **settings) -> int:
    """A campaign calling `phones` (E.164), started at `now` unless run=False."""
    with sessions.begin() as s:
        if s.scalar(sa.select(Location.id).where(Location.code == "DN-0001")) is None:
            s.add(Location(code="DN-0001", name="Chợ Hàn", district="Hải Châu"))
        campaign = Campaign(name=name, created_at=now, status="draft", case_id=case_id)
        apply_settings(campaign, **settings)
        s.add(campaign)
        s.flush()
        for i, phone in enumerate(phones):
            visit = VISIT + timedelta(minutes=i)
            s.add(
                Contact(
                    campaign_id=campaign.id,
                    phone=phone,
                    priority=1,
                    location_code="DN-0001",
                    checked_in_at=visit,
                    why=[
                        {
                            "checkin_id": i + 1,
                            "location_code": "DN-0001",
                            "checked_in_at": visit.isoformat(),
                            "checked_out_at": None,
                        }
                    ],
                    created_at=now,
                )
            )
        if run:
            start(campaign, now)
        return campaign.id


@dataclass
class Rig:
    sessions: object
    sims: list[PbxSim]  # one per "Asterisk box"
    server: FastAgiServer
    clock: ScaledClock
    ami_ports: list[int]
    url: str

    @property
    def sim(self) -> PbxSim:
        return self.sims[0]

    @property
    def ami_port(self) -> int:
        return self.ami_ports[0]

    @property
    def ami(self) -> AmiUrl:
        return AmiUrl("127.0.0.1", self.ami_port, "hotline", "hotline")


@asynccontextmanager
async def rig(url, *, scale=0.001, start=FRIDAY_8AM, population=None, channels=60, boxes=1):
    """pbxsim (`boxes` of them) + our FastAGI server (the real notice flow) on the
    database at `url`."""
    sessions = sessions_for(url)
    clock = ScaledClock.starting(start, scale)
    server = FastAgiServer(
        ROUTES, port=0, sessions=sessions, clock=clock.now, signing_secret=SECRET
    )
    agi_port = await server.start()
    sims = [
        PbxSim(
            SimConfig(
                agi_url=f"agi://127.0.0.1:{agi_port}",
                scale=scale,
                channels=channels,
                population=population or PopulationConfig(seed=7, last_digit=True),
            )
        )
        for _ in range(boxes)
    ]
    ports = [await sim.start(ami_port=0) for sim in sims]
    try:
        yield Rig(sessions, sims, server, clock, ports, url)
    finally:
        for sim in sims:
            await sim.close()
        await server.close(grace=1)


async def run_dialer(r: Rig, *, timeout=60.0, worker="w1", links=None, **config):
    """Our dialer until every campaign is done (exit_when_idle); returns its Stats.
    `links`, a list, receives the AMI link (for tests that break it)."""
    link = AmiLink(r.ami, ping_interval=1.0, ping_timeout=2.0, backoff=(0.05, 0.5))
    await link.start()
    if links is not None:
        links.append(link)
    options = {
        "worker": worker,
        "exit_when_idle": True,
        "refresh": 0.05,
        "heartbeat": 0.5,
        "sign": functools.partial(make_token, SECRET),
    }
    dialer = Dialer(r.sessions, link, DialerConfig(**{**options, **config}), r.clock)
    try:
        return await asyncio.wait_for(dialer.run(), timeout)
    finally:
        await link.close()


async def dialer_process(r: Rig, *args: str, worker="w1", box=0):
    """`hotline dialer run` in a child process on the rig's PBX (`box`), database, clock."""
    env = {
        **os.environ,
        SIM_CLOCK_ENV: r.clock.spec(),
        "HOTLINE_DATABASE_URL": r.url,
        "HOTLINE_AMI_URL": f"ami://hotline:hotline@127.0.0.1:{r.ami_ports[box]}",
        "HOTLINE_SECRET": SUITE_SIGNING_SECRET,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from cli import main; main()",
        "dialer",
        "run",
        "--name",
        worker,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until(predicate, timeout=30.0, every=0.02):
    """Wait until predicate() (a blocking check, run in a thread) is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(predicate):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(every)


# --- what the database says ---------------------------------------------------------------------
def contacts(sessions, campaign_id=None) -> dict[str, Contact]:
    with sessions() as s:
        query = sa.select(Contact)
        if campaign_id is not None:
            query = query.where(Contact.campaign_id == campaign_id)
        return {c.phone: c for c in s.scalars(query)}


def attempts(sessions, phone=None) -> list[CallAttempt]:
    with sessions() as s:
        query = sa.select(CallAttempt).order_by(CallAttempt.id)
        if phone is not None:
            query = query.where(CallAttempt.number == phone)
        return list(s.scalars(query))


def count_attempts(sessions) -> int:
    """Attempts dialed (a claim held ready, still `queued`, is not a call)."""
    with sessions() as s:
        return s.scalar(
            sa.select(sa.func.count()).select_from(CallAttempt).where(CallAttempt.state != "queued")
        )


def campaign_status(sessions, campaign_id) -> str:
    with sessions() as s:
        return s.get(Campaign, campaign_id).status


def check_invariants(sessions, max_attempts=3) -> None:
    """After a campaign: every contact final, every attempt ended, none beyond the policy,
    and no contact ever on two calls at once."""
    with sessions() as s:
        for contact in s.scalars(sa.select(Contact)):
            assert contact.status in FINAL, (contact.phone, contact.status)
            assert contact.lease_owner is None, contact.phone
            rows = list(
                s.scalars(
                    sa.select(CallAttempt)
                    .where(CallAttempt.contact_id == contact.id)
                    .order_by(CallAttempt.originated_at)
                )
            )
            assert len(rows) == contact.attempts <= max_attempts, (contact.phone, len(rows))
            assert [a.attempt_no for a in rows] == list(range(1, len(rows) + 1))
            for a, b in zip(rows, rows[1:], strict=False):
                assert a.ended_at is not None and a.ended_at <= b.originated_at, contact.phone
            assert all(a.ended_at is not None and a.state in ("done", "retry_wait") for a in rows)


def peak_concurrency(rows: list[CallAttempt]) -> int:
    edges = sorted(
        [(a.originated_at, 1) for a in rows] + [(a.ended_at, -1) for a in rows],
        key=lambda e: (e[0], e[1]),
    )
    live = peak = 0
    for _, delta in edges:
        live += delta
        peak = max(peak, live)
    return peak

"""Campaign upkeep on APScheduler 3, on the dialer's event loop, one scheduler per database.

Rules (PROTOCOL.md, "APScheduler"): AsyncIOScheduler on the same loop; jobs are
"module:function" text references with plain ids as arguments; coalesce on, an explicit
misfire grace, one instance at a time; the job store is memory only, because the state
lives in our tables (campaign start_at, deadline_at; contact leases) and the jobs are
re-derived from them every few seconds. Only the worker holding the "scheduler" lease
runs them, so two dialer processes never run a job twice; another takes over when its
lease runs out. Every job is idempotent: running it late or twice changes nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dialer import ledger
from dialer.calling_hours import CITY_ZONE
from store.clock import SystemClock
from store.models import Campaign

if TYPE_CHECKING:
    from dialer.engine import Dialer

log = logging.getLogger("hotline.dialer")
logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run is noise
LEASE_NAME = "scheduler"
_seat: SchedulerSeat | None = None  # the seat whose jobs run in this process


class SchedulerSeat:
    """Takes the scheduler lease when it can and runs the jobs while it holds it."""

    def __init__(self, dialer: Dialer) -> None:
        self.dialer = dialer
        self.sessions = dialer.sessions
        self.clock = dialer.clock
        self.owner = dialer.config.worker
        self.scheduler = None
        self.ttl = timedelta(seconds=max(3 * dialer.config.heartbeat, 15) / self.clock.real(1.0))

    async def run(self) -> None:
        while True:
            try:
                held = await self.dialer.db(
                    ledger.take_lease, LEASE_NAME, self.owner, self.clock.now(), self.ttl
                )
            except sa.exc.IntegrityError:  # another worker inserted the lease first
                held = False
            except Exception:
                log.exception("cannot take the scheduler lease")
                held = False
            if held and self.scheduler is None:
                self._start()
            elif not held and self.scheduler is not None:
                log.info("scheduler lease lost; another dialer runs the campaign jobs")
                self._shutdown()
            await asyncio.sleep(self.dialer.config.heartbeat)

    def _start(self) -> None:
        global _seat
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        _seat = self
        real = self.clock.real
        self.scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=CITY_ZONE,
            job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
        )
        self.scheduler.add_job(
            "dialer.jobs:housekeeping",
            "interval",
            seconds=max(0.5, real(15)),
            id="housekeeping",
            next_run_time=self.clock.wall(self.clock.now()),
        )
        self.scheduler.add_job(
            "dialer.jobs:plan_dates",
            "interval",
            seconds=max(0.5, min(5.0, real(60))),
            id="plan_dates",
            next_run_time=self.clock.wall(self.clock.now()),
        )
        if isinstance(self.clock, SystemClock):
            self.scheduler.add_job(
                "dialer.jobs:purge_daily", "cron", hour=3, minute=0, id="purge_daily"
            )
        self.scheduler.start()
        log.info("this dialer runs the campaign jobs (start times, deadlines, upkeep)")

    def _shutdown(self) -> None:
        global _seat
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if _seat is self:
            _seat = None

    async def close(self) -> None:
        if self.scheduler is not None:
            self._shutdown()
            try:
                await self.dialer.db(ledger.drop_lease, LEASE_NAME, self.owner)
            except Exception:
                log.warning("could not give back the scheduler lease; it expires by itself")


def _current() -> SchedulerSeat | None:
    return _seat


# --- the jobs (text references) ---------------------------------------------------------------
def housekeeping() -> dict[str, int]:
    """Start what is due, expire what is late, settle dead workers' calls, finish campaigns."""
    seat = _current()
    if seat is None:
        return {}
    now = seat.clock.now()
    with seat.sessions.begin() as s:
        started = ledger.start_due(s, now)
    with seat.sessions.begin() as s:
        expired = ledger.expire_past_deadline(s, now)
    with seat.sessions.begin() as s:
        orphans = ledger.expired_leases(s, now, but_worker=seat.owner)
    for row in orphans:
        with seat.sessions.begin() as s:
            plan = ledger.plan_of(s.get(Campaign, row.campaign_id))
            ledger.finish(s, row.attempt_id, now=now, policy=plan.policy, lost=True)
    with seat.sessions.begin() as s:
        completed = ledger.complete_finished(s, now)
    for cid in started:
        log.info("campaign %s started (its start time came)", cid)
    if expired:
        log.info("%d pending contact(s) expired at their campaign's deadline", expired)
    if orphans:
        log.warning("settled %d call(s) of a dialer whose lease ran out", len(orphans))
    for cid in completed:
        log.info("campaign %s completed: every contact is final", cid)
    if started or completed:
        seat.dialer._wake.set()
    return {"started": len(started), "expired": expired, "orphans": len(orphans)}


def plan_dates() -> None:
    """One date job per scheduled start and per deadline, at the moment it falls due."""
    seat = _current()
    if seat is None or seat.scheduler is None:
        return
    with seat.sessions() as s:
        rows = s.execute(
            sa.select(Campaign.id, Campaign.status, Campaign.start_at, Campaign.deadline_at).where(
                Campaign.status.in_(("scheduled", "running", "paused"))
            )
        ).all()
    now = seat.clock.now()
    for cid, status, start_at, deadline_at in rows:
        for kind, moment in (
            ("start", start_at if status == "scheduled" else None),
            ("deadline", deadline_at),
        ):
            if moment is None or moment <= now:
                continue
            seat.scheduler.add_job(
                "dialer.jobs:housekeeping",
                "date",
                run_date=seat.clock.wall(moment),
                id=f"{kind}-{cid}",
                replace_existing=True,
            )


def purge_daily() -> None:
    """Retention, once a day, with the periods of the config file's [retention] table."""
    seat = _current()
    if seat is None:
        return
    from store import retention

    counts = retention.purge(
        seat.sessions, seat.clock.now(), retention.read_periods(seat.dialer.config.retention)
    )
    for line in counts.lines():
        log.info("retention: %s", line)

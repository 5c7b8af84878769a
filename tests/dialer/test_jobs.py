"""The scheduler's jobs, run by hand at chosen times: starts, deadlines, dead workers, purge.

The jobs are what APScheduler calls ("dialer.jobs:housekeeping", …); here they run on a
database with rows on both sides of each moment, under a fake clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from campaign_world import FRIDAY_8AM, seed, sessions_for

from dialer import jobs
from store.models import CallAttempt, Campaign, CheckIn, Contact, Location

NOW = FRIDAY_8AM.astimezone(UTC)


class FixedClock:
    def __init__(self, now: datetime):
        self.moment = now

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def seat(sqlite_url, monkeypatch):
    sessions = sessions_for(sqlite_url)
    stub = SimpleNamespace(
        sessions=sessions,
        clock=FixedClock(NOW),
        owner="me",
        dialer=SimpleNamespace(
            _wake=SimpleNamespace(set=lambda: None),
            config=SimpleNamespace(retention={"checkins": "30d"}),
        ),
    )
    monkeypatch.setattr(jobs, "_seat", stub)
    return stub


def status(sessions, cid):
    with sessions() as s:
        return s.get(Campaign, cid).status


def test_a_scheduled_campaign_starts_when_its_time_comes(seat):
    cid = seed(seat.sessions, ["+84905000001"], now=NOW, run=False, deadline="2h")
    with seat.sessions.begin() as s:
        c = s.get(Campaign, cid)
        c.status, c.start_at = "scheduled", NOW + timedelta(minutes=30)
    jobs.housekeeping()
    assert status(seat.sessions, cid) == "scheduled"
    seat.clock.moment = NOW + timedelta(minutes=30)
    jobs.housekeeping()
    with seat.sessions() as s:
        c = s.get(Campaign, cid)
        assert (c.status, c.started_at) == ("running", NOW + timedelta(minutes=30))
        assert c.deadline_at == NOW + timedelta(hours=2, minutes=30)


def test_past_the_deadline_the_pending_expire_and_the_campaign_completes(seat):
    cid = seed(seat.sessions, ["+84905000001", "+84905000002"], now=NOW, deadline="1h")
    seat.clock.moment = NOW + timedelta(minutes=59)
    jobs.housekeeping()
    assert status(seat.sessions, cid) == "running"
    seat.clock.moment = NOW + timedelta(hours=1)
    jobs.housekeeping()
    with seat.sessions() as s:
        rows = s.execute(sa.select(Contact.status, Contact.final_reason)).all()
    assert rows == [("expired", "deadline passed")] * 2
    assert status(seat.sessions, cid) == "completed"


def test_a_dead_worker_s_calls_are_settled_when_its_lease_runs_out(seat):
    cid = seed(seat.sessions, ["+84905000001"], now=NOW)
    with seat.sessions.begin() as s:
        contact = s.scalars(sa.select(Contact)).one()
        contact.status, contact.attempts = "dialing", 1
        contact.lease_owner, contact.lease_expires_at = "gone", NOW + timedelta(minutes=3)
        s.add(
            CallAttempt(
                contact_id=contact.id,
                worker="gone",
                state="dialing",
                number=contact.phone,
                channel_id="hotline-x",
                originated_at=NOW,
            )
        )
    jobs.housekeeping()
    assert [a.state for a in _attempts(seat.sessions)] == ["dialing"]  # the lease still holds
    seat.clock.moment = NOW + timedelta(minutes=3, seconds=1)
    jobs.housekeeping()
    [attempt] = _attempts(seat.sessions)
    assert (attempt.outcome, attempt.state) == ("unknown", "retry_wait")
    with seat.sessions() as s:
        contact = s.scalars(sa.select(Contact)).one()
        assert (contact.status, contact.lease_owner) == ("pending", None)
        assert contact.next_attempt_at == NOW + timedelta(minutes=30)  # from the dial
    assert status(seat.sessions, cid) == "running"


def test_the_daily_purge_uses_the_configured_periods(seat):
    with seat.sessions.begin() as s:
        s.add(Location(code="DN-0009", name="Chợ"))
        s.flush()
        where = s.scalar(sa.select(Location.id).where(Location.code == "DN-0009"))
        for days in (31, 29):
            s.add(
                CheckIn(
                    phone=f"+849050000{days}",
                    location_id=where,
                    checked_in_at=NOW - timedelta(days=days),
                )
            )
    jobs.purge_daily()
    with seat.sessions() as s:
        assert list(s.scalars(sa.select(CheckIn.phone))) == ["+84905000029"]


def _attempts(sessions):
    with sessions() as s:
        return list(s.scalars(sa.select(CallAttempt)))

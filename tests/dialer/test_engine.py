"""The dialer against pbxsim: every outcome, retries, AMD, windows, pacing, pause, never-call.

pbxsim runs in last-digit mode unless a test says otherwise (the fixture dialplan's fates:
1 answers and presses 1, 2 busy, 3 rings out, 4 congestion, 5 answers and hangs up,
6 machine, 7 rejected, 8 a person for AMD, 9 answers and presses 2, 0 unallocated).
Campaign time runs 1000 times faster than the wall clock; nothing here sleeps on a guess.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from campaign_world import (
    FRIDAY_8AM,
    attempts,
    campaign_status,
    check_invariants,
    contacts,
    count_attempts,
    peak_concurrency,
    rig,
    run_dialer,
    seed,
    until,
)

from dialer.pacing import most_in_any_window
from pbxsim.population import PopulationConfig
from store.models import BadNumber, Campaign, Contact, Declaration, OptOut

PHONES = [f"+8490500010{d}" for d in range(10)]


def test_every_outcome_is_recorded_as_the_pbx_reported_it(sqlite_url):
    async def scenario():
        async with rig(sqlite_url) as r:
            cid = seed(r.sessions, PHONES, now=r.clock.now(), cps=50, channels=20)
            await run_dialer(r)
            return r.sessions, cid

    sessions, cid = asyncio.run(scenario())
    final = {p[-1]: (c.status, c.attempts) for p, c in contacts(sessions).items()}
    assert final == {
        "0": ("failed", 1),  # unallocated: never again
        "1": ("answered", 1),
        "2": ("exhausted", 3),  # busy, busy, busy
        "3": ("exhausted", 3),  # no answer x3
        "4": ("exhausted", 3),  # congestion x3
        "5": ("answered", 1),  # answered and hung up at once: reached all the same
        "6": ("answered", 1),  # a machine, but AMD is off: nobody can tell
        "7": ("failed", 1),  # rejected: never again
        "8": ("answered", 1),
        "9": ("answered", 1),
    }
    seen = {(a.number[-1], a.outcome, a.reason, a.hangup_cause) for a in attempts(sessions)}
    assert {
        ("0", "failed", 0, 1),
        ("2", "busy", 5, 17),
        ("3", "no_answer", 3, 19),
        ("4", "congestion", 8, 34),
        ("7", "failed", 0, 21),
        ("1", "answered", 4, 16),
    } <= seen
    with sessions() as s:
        bad = dict(s.execute(sa.select(BadNumber.phone, BadNumber.cause)).all())
        assert bad == {PHONES[0]: 1, PHONES[7]: 21}
        assert s.get(Campaign, cid).status == "completed"
    check_invariants(sessions)


def test_retries_wait_from_the_dial_per_outcome(sqlite_url):
    phones = [PHONES[2], PHONES[3], PHONES[4]]

    async def scenario():
        async with rig(sqlite_url, scale=0.01) as r:  # 1 s of campaign time is 10 ms
            seed(
                r.sessions,
                phones,
                now=r.clock.now(),
                retry_busy="2m",
                retry_no_answer="3m",
                retry_failed="1m",
                ring_timeout="20s",
            )
            await run_dialer(r)
            return r.sessions

    sessions = asyncio.run(scenario())
    for phone, wait in zip(phones, (2, 3, 1), strict=True):
        dials = [a.originated_at for a in attempts(sessions, phone)]
        gaps = [later - earlier for earlier, later in zip(dials, dials[1:], strict=False)]
        assert len(dials) == 3
        # never early; late only by the dialer's reaction time (a few real ms)
        late = timedelta(minutes=wait, seconds=30)
        assert all(timedelta(minutes=wait) <= g < late for g in gaps), (phone, gaps)


def test_amd_sends_machines_back_for_later_and_lets_people_through(sqlite_url):
    async def scenario():
        async with rig(sqlite_url) as r:
            seed(r.sessions, [PHONES[6], PHONES[8]], now=r.clock.now(), amd=True, max_attempts=2)
            await run_dialer(r)
            return r.sessions

    sessions = asyncio.run(scenario())
    machine, person = contacts(sessions)[PHONES[6]], contacts(sessions)[PHONES[8]]
    assert (machine.status, machine.attempts, person.status) == ("exhausted", 2, "answered")
    tries = attempts(sessions, PHONES[6])
    assert [(a.outcome, a.amd_status) for a in tries] == [("machine", "MACHINE")] * 2
    assert tries[1].originated_at - tries[0].originated_at >= timedelta(minutes=60)
    check_invariants(sessions, max_attempts=2)


def test_nobody_is_called_before_the_window_opens(sqlite_url):
    async def scenario():
        early = FRIDAY_8AM.replace(hour=7, minute=28)
        async with rig(sqlite_url, scale=0.01, start=early) as r:  # 1 s is 10 ms here
            seed(r.sessions, [PHONES[1], PHONES[5]], now=r.clock.now())
            await run_dialer(r)
            return r.sessions

    sessions = asyncio.run(scenario())
    opening = FRIDAY_8AM.replace(hour=7, minute=30)
    first = min(a.originated_at for a in attempts(sessions))
    assert opening <= first < opening + timedelta(seconds=30)


def test_channels_and_calls_per_second_are_never_exceeded(sqlite_url):
    phones = [f"+8490600{i:04d}" for i in range(120)]
    population = PopulationConfig(seed=3, outcomes={"answer": 0.8, "busy": 0.2})

    async def scenario():
        async with rig(sqlite_url, population=population) as r:
            seed(r.sessions, phones, now=r.clock.now(), channels=8, cps=2, max_attempts=1)
            stats = await run_dialer(r)
            return r.sessions, stats

    sessions, stats = asyncio.run(scenario())
    rows = attempts(sessions)
    assert len(rows) == 120 and stats.peak <= 8
    assert peak_concurrency(rows) <= 8
    starts = [(a.originated_at - FRIDAY_8AM).total_seconds() for a in rows]
    assert most_in_any_window(starts, 1.0 - 1e-6) <= 2
    check_invariants(sessions, max_attempts=1)


def test_pause_stops_new_calls_and_resume_carries_on(sqlite_url):
    phones = [f"+8490700{i:04d}" for i in range(40)]
    population = PopulationConfig(seed=5, outcomes={"answer": 1.0}, behaviours={"ack": 1.0})

    async def scenario():
        async with rig(sqlite_url, population=population) as r:
            cid = seed(r.sessions, phones, now=r.clock.now(), channels=4, cps=5)
            dialing = asyncio.ensure_future(run_dialer(r, exit_when_idle=False))
            await until(lambda: count_attempts(r.sessions) >= 8)
            with r.sessions.begin() as s:
                s.get(Campaign, cid).status = "paused"
            await until(lambda: all(a.ended_at for a in attempts(r.sessions)))  # none ready
            during = count_attempts(r.sessions)
            await asyncio.sleep(r.clock.real(600))  # ten minutes of campaign time, paused
            after_pause = count_attempts(r.sessions)
            with r.sessions.begin() as s:
                s.get(Campaign, cid).status = "running"
            await until(lambda: campaign_status(r.sessions, cid) == "completed")
            dialing.cancel()
            return r.sessions, during, after_pause

    sessions, during, after_pause = asyncio.run(scenario())
    assert 8 <= during < 40 and after_pause == during
    assert {c.status for c in contacts(sessions).values()} == {"answered"}
    check_invariants(sessions)


def test_an_opted_out_person_is_never_called_again(sqlite_url):
    phones = [f"+8490800{i:04d}" for i in range(5)]
    population = PopulationConfig(seed=1, outcomes={"answer": 1.0}, behaviours={"opt_out": 1.0})

    async def scenario():
        async with rig(sqlite_url, population=population) as r:
            seed(r.sessions, phones, now=r.clock.now())
            await run_dialer(r)
            second = seed(r.sessions, phones, now=r.clock.now(), name="second", suppress="0s")
            await run_dialer(r)
            return r.sessions, second

    sessions, second = asyncio.run(scenario())
    assert {c.status for c in contacts(sessions, 1).values()} == {"opted_out"}
    later = contacts(sessions, second).values()
    assert {(c.status, c.attempts) for c in later} == {("opted_out", 0)}
    with sessions() as s:
        assert set(s.scalars(sa.select(OptOut.phone))) == set(phones)
    assert len(attempts(sessions)) == 5


def test_another_campaign_s_recent_call_defers_the_next_one(sqlite_url):
    phones = [PHONES[1], PHONES[9]]

    async def scenario():
        async with rig(sqlite_url) as r:
            seed(r.sessions, phones, now=r.clock.now())
            await run_dialer(r)
            second = seed(r.sessions, phones, now=r.clock.now(), name="second", suppress="45m")
            await run_dialer(r)
            return r.sessions, second

    sessions, second = asyncio.run(scenario())
    for phone in phones:
        first, again = attempts(sessions, phone)
        assert again.originated_at - first.originated_at >= timedelta(minutes=45)
    assert {c.status for c in contacts(sessions, second).values()} == {"answered"}


def test_someone_who_declared_for_the_case_is_not_called_about_it_again(sqlite_url):
    async def scenario():
        async with rig(sqlite_url) as r:
            now = r.clock.now()
            with r.sessions.begin() as s:
                from store.models import Case

                case = Case(code="F0-9", created_at=now)
                s.add(case)
                s.flush()
                case_id = case.id
            first = seed(r.sessions, [PHONES[1]], now=now, case_id=case_id, run=False)
            with r.sessions.begin() as s:
                contact = s.scalars(sa.select(Contact).where(Contact.campaign_id == first)).one()
                contact.status = "declared"
                s.add(
                    Declaration(
                        phone=PHONES[1],
                        source="campaign",
                        contact_id=contact.id,
                        answers={},
                        complete=True,
                        created_at=now,
                    )
                )
            second = seed(r.sessions, [PHONES[1]], now=now, name="again", case_id=case_id)
            await run_dialer(r)
            return r.sessions, second

    sessions, second = asyncio.run(scenario())
    [contact] = contacts(sessions, second).values()
    assert (contact.status, contact.attempts) == ("declared", 0)
    assert contact.final_reason == "already declared for this case"
    assert attempts(sessions) == []

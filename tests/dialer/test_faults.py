"""The dialer when things break: killed mid-campaign, AMI link dropped, two dialers at once.

The dialer runs as `hotline dialer run` in a child process where a crash is part of the
test (SIGKILL, no goodbye), against pbxsim and our FastAGI server in this process. After
the dust settles the database must say: every contact in exactly one final state, every
attempt ended, nobody dialed beyond the policy, nobody on two calls at once.
"""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa
from campaign_world import (
    attempts,
    check_invariants,
    count_attempts,
    dialer_process,
    peak_concurrency,
    rig,
    run_dialer,
    seed,
    until,
)

from pbxsim.population import PopulationConfig
from store.models import CallAttempt, Campaign

PEOPLE = PopulationConfig(seed=11, outcomes={"answer": 0.7, "busy": 0.2, "noanswer": 0.1})


def _phones(n: int, prefix: str = "+8491") -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


def _ringing(sessions, sim) -> int:
    """Calls to the never-answering numbers that the PBX really has ringing now."""
    try:
        up = {leg.uniqueid for leg, _, _ in list(sim.channels.values())}
    except RuntimeError:  # the PBX changed its channels while we looked
        return 0
    with sessions() as s:
        ids = s.scalars(
            sa.select(CallAttempt.channel_id).where(
                CallAttempt.state == "dialing", CallAttempt.number.like("%3")
            )
        )
        return len(set(ids) & up)


def test_a_killed_dialer_restarts_and_every_contact_ends_exactly_once(sqlite_url):
    # last digits: 1 answers, 2 busy, 3 rings until the 300 s ring timeout (9 s real here,
    # longer than a restart takes), 5 answers and hangs up, 9 answers and presses 2
    phones = [f"+849100{i:03d}{d}" for i in range(4) for d in "12359"]

    async def scenario():
        async with rig(sqlite_url, scale=0.03) as r:
            cid = seed(
                r.sessions,
                phones,
                now=r.clock.now(),
                channels=10,
                cps=5,
                ring_timeout="300s",
                retry_busy="1m",
                max_attempts=1,
                suppress="0s",
            )
            first = await dialer_process(r, worker="box1")
            await until(lambda: _ringing(r.sessions, r.sim) >= 2)
            first.kill()  # SIGKILL: no chance to tidy up
            await first.wait()
            up = {leg.uniqueid for leg, _, _ in r.sim.channels.values()}  # ringing now
            again = await dialer_process(r, "--exit-when-idle", worker="box1")
            out, err = await asyncio.wait_for(again.communicate(), 180)
            assert again.returncode == 0, err.decode()
            return r.sessions, cid, out.decode(), up

    sessions, cid, out, up = asyncio.run(scenario())
    check_invariants(sessions, max_attempts=1)
    with sessions() as s:
        assert s.get(Campaign, cid).status == "completed"
    # the calls still ringing when the dialer died were followed to their real outcome (one
    # it was killed while sending may never have reached the PBX: that one is unknown)
    ringing = [a for a in attempts(sessions) if a.channel_id in up and a.number.endswith("3")]
    assert len(ringing) >= 2
    assert {(a.outcome, a.reason, a.hangup_cause) for a in ringing} == {("no_answer", 3, 19)}
    found = re.search(r"(\d+) followed from before a restart", out)
    assert found and int(found.group(1)) >= len(ringing), out


def test_a_dropped_ami_link_is_rebuilt_and_the_campaign_completes(sqlite_url):
    async def scenario():
        async with rig(sqlite_url, scale=0.002, population=PEOPLE) as r:
            cid = seed(r.sessions, _phones(40), now=r.clock.now(), channels=10, cps=5)
            links: list = []
            dialing = asyncio.ensure_future(run_dialer(r, links=links, timeout=120))
            await until(lambda: count_attempts(r.sessions) >= 12)
            for session in list(r.sim.ami_sessions):  # the PBX end hangs up the link
                session.writer.transport.abort()
            stats = await dialing
            return r.sessions, cid, links[0].reconnects, stats

    sessions, cid, reconnects, stats = asyncio.run(scenario())
    assert reconnects >= 1
    check_invariants(sessions)
    with sessions() as s:
        assert s.get(Campaign, cid).status == "completed"


@pytest.mark.postgres
def test_two_dialers_share_a_campaign_and_never_dial_anyone_twice_at_once(postgres_url):
    async def scenario():
        async with rig(postgres_url, scale=0.002, population=PEOPLE, boxes=2) as r:
            cid = seed(r.sessions, _phones(60), now=r.clock.now(), channels=12, cps=10)
            procs = [
                await dialer_process(r, "--exit-when-idle", worker=f"box{b}", box=b) for b in (0, 1)
            ]
            results = [await asyncio.wait_for(p.communicate(), 180) for p in procs]
            for proc, (_, err) in zip(procs, results, strict=True):
                assert proc.returncode == 0, err.decode()
            return r.sessions, cid

    sessions, cid = asyncio.run(scenario())
    check_invariants(sessions)
    rows = attempts(sessions)
    assert {a.worker for a in rows} == {"box0", "box1"}  # both took part
    assert peak_concurrency(rows) <= 12  # the campaign's channels, across both boxes
    # nothing broke, so no worker mistook the other's live calls for a dead worker's
    assert not [a for a in rows if a.outcome == "unknown"]
    with sessions() as s:
        assert s.get(Campaign, cid).status == "completed"

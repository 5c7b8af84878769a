"""The dialer on a real Asterisk: a campaign through the shipped hotline-outbound context.

The dialer logs in as the shipped least-privilege AMI user and dials the test network
(`Local/{number}@test-pstn`, its fates by last digit); our FastAGI server answers the
notice; the scripted test caller is the person on a number ending in 9. Every outcome must
be recorded as Asterisk reported it, and the person's declaration saved.
"""

from __future__ import annotations

import asyncio
import functools
import wave
from pathlib import Path

import sqlalchemy as sa
from asterisk_calls import hotline_fastagi
from campaign_world import SECRET, attempts, check_invariants, contacts, seed, sessions_for
from real_asterisk import TEST_NETWORK
from scripted_caller import Listen, Press, ScriptedCaller

from dialer.ami import AmiLink, AmiUrl
from dialer.engine import Dialer, DialerConfig
from store.attempt_token import make_token
from store.clock import SystemClock
from store.models import BadNumber, Campaign, Declaration

ALWAYS = {"hours": "00:00-24:00"}  # CI runs at any hour


async def _dial(pbx, sessions, prompt_sounds, *, timeout=150, recordings=None):
    clock = SystemClock()
    link = AmiLink(AmiUrl.parse(pbx.dialer_ami_url), ping_interval=2, backoff=(0.1, 1))
    config = DialerConfig(
        worker="asterisk-test",
        dial_string=TEST_NETWORK,
        exit_when_idle=True,
        refresh=0.1,
        heartbeat=1.0,
        sign=functools.partial(make_token, SECRET),
        recordings_dir=recordings,
    )
    async with hotline_fastagi(
        pbx, prompt_sounds, sessions=sessions, signing_secret=SECRET, clock=clock.now
    ):
        await link.start()
        try:
            return await asyncio.wait_for(Dialer(sessions, link, config, clock).run(), timeout)
        finally:
            await link.close()


def test_a_campaign_on_the_real_asterisk_records_what_asterisk_reported(
    pbx, prompt_sounds, tmp_path
):
    sessions = sessions_for(f"sqlite:///{tmp_path / 'h.db'}")
    numbers = {d: f"+8490500009{d}" for d in "0234579"}
    # declare now; no symptoms (2 x4); one person using this phone was there
    person = [Listen(), Press("1")] + [Listen(), Press("2")] * 4 + [Listen(), Press("1#")]
    person += [Listen()]

    async def scenario():
        cid = seed(
            sessions,
            list(numbers.values()),
            now=SystemClock().now(),
            ring_timeout="8s",
            max_attempts=1,
            cps=5,
            record=True,
            **ALWAYS,
        )
        async with ScriptedCaller(pbx) as caller:
            callee = caller.expect_callee("0905000099", person)
            await _dial(pbx, sessions, prompt_sounds, recordings=str(tmp_path / "recordings"))
            transcript = await asyncio.wait_for(callee, 10)
        return cid, transcript

    cid, transcript = asyncio.run(scenario())
    by_digit = {a.number[-1]: a for a in attempts(sessions)}
    reported = {d: (a.outcome, a.reason, a.hangup_cause) for d, a in by_digit.items()}
    assert reported == {
        "0": ("failed", 0, 1),  # unallocated
        "2": ("busy", 5, 17),
        "3": ("no_answer", 3, 19),
        "4": ("congestion", 8, 34),
        "5": ("answered", 4, by_digit["5"].hangup_cause),
        "7": ("failed", 0, 21),  # rejected
        "9": ("answered", 4, by_digit["9"].hangup_cause),
    }
    final = {p[-1]: c.status for p, c in contacts(sessions).items()}
    assert final == {
        "0": "failed",
        "2": "exhausted",
        "3": "exhausted",
        "4": "exhausted",
        "5": "answered",
        "7": "failed",
        "9": "declared",
    }
    call = by_digit["9"]
    assert call.notice_heard_at is not None and call.key_pressed == "1"
    # the answered call was recorded by Asterisk (MixMonitor) where the attempt says
    recording = Path(call.recording_path)
    assert recording.parent.parent == tmp_path / "recordings" and recording.suffix == ".wav"
    with wave.open(str(recording)) as w:
        assert w.getframerate() == 8000 and w.getnframes() > 8000  # more than a second
    assert "pressed 1" in transcript.lines and transcript.far_end_hung_up
    with sessions() as s:
        declaration = s.get(Declaration, call.declaration_id)
        assert declaration.complete and declaration.phone == numbers["9"]
        assert declaration.answers == {
            "symptoms": False,
            "fever": False,
            "cough": False,
            "breathing": False,
            "people": 1,
        }
        assert set(s.scalars(sa.select(BadNumber.phone))) == {numbers["0"], numbers["7"]}
        assert s.get(Campaign, cid).status == "completed"
    check_invariants(sessions, max_attempts=1)
    assert pbx.log_problems(pbx.mark) == []


def test_with_amd_a_machine_is_sent_back_for_later_and_a_person_hears_the_notice(
    pbx, prompt_sounds, tmp_path
):
    sessions = sessions_for(f"sqlite:///{tmp_path / 'h.db'}")
    machine, person = "+84905000086", "+84905000088"

    async def scenario():
        seed(
            sessions,
            [machine, person],
            now=SystemClock().now(),
            amd=True,
            max_attempts=2,
            retry_machine="1s",
            **ALWAYS,
        )
        await _dial(pbx, sessions, prompt_sounds)

    asyncio.run(scenario())
    tries = attempts(sessions, machine)
    assert [(a.outcome, a.amd_status) for a in tries] == [("machine", "MACHINE")] * 2
    assert contacts(sessions)[machine].status == "exhausted"
    [heard] = attempts(sessions, person)
    assert (heard.outcome, heard.amd_status) == ("answered", None)
    assert contacts(sessions)[person].status == "answered"


def test_an_originate_asterisk_refuses_pauses_the_campaign_and_costs_no_attempt(
    pbx, prompt_sounds, tmp_path
):
    sessions = sessions_for(f"sqlite:///{tmp_path / 'h.db'}")

    async def scenario():
        cid = seed(sessions, ["+84905000091"], now=SystemClock().now(), **ALWAYS)
        link = AmiLink(AmiUrl.parse(pbx.dialer_ami_url))
        await link.start()
        config = DialerConfig(
            worker="refused",
            dial_string=TEST_NETWORK,
            context="no-such-context",
            exit_when_idle=True,
            refresh=0.1,
            sign=functools.partial(make_token, SECRET),
        )
        try:
            stats = await asyncio.wait_for(Dialer(sessions, link, config).run(), 30)
        finally:
            await link.close()
        return cid, stats

    cid, stats = asyncio.run(scenario())
    assert stats.refused == 1
    with sessions() as s:
        assert s.get(Campaign, cid).status == "paused"
    [contact] = contacts(sessions).values()
    assert (contact.status, contact.attempts) == ("pending", 0)
    assert attempts(sessions) == []

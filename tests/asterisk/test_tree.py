"""The tree a citizen walks, on the real Asterisk: the shipped dialplan, our FastAGI server
with the real routes and a database, the scripted test caller listening and pressing keys.

Lean on purpose (a real call costs seconds): twenty callers dial 1022 at once, and between
them walk every branch: type-ahead in the greeting, the four procedures, back, English,
repeat, a wrong key, the exposure and vaccination lookups, today's bulletin, voice
feedback, the operator (the queue has nobody: back in the IVR, a callback booked), a
caller the hotline was trying to reach, a declaration with exactly the keys pressed, a
hangup mid-declaration. Then the dialer calls a reminder campaign and a callback campaign
through the real PBX; then the FastAGI server stops mid-call and the caller is sent to
hotline-error. The same scenarios run on pbxsim in tests/pbxsim/test_tree_calls.py.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from asterisk_calls import ami_login, hotline_fastagi
from campaign_world import FRIDAY_8AM, until
from real_asterisk import TEST_NETWORK
from scripted_caller import HangUp, Listen, Press, Say, ScriptedCaller
from suite_secrets import SUITE_SIGNING_SECRET

from dialer.ami import AmiLink, AmiUrl
from dialer.campaigns import start
from dialer.engine import Dialer, DialerConfig
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from store.attempt_token import make_token
from store.clock import ScaledClock
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import (
    Appointment,
    Campaign,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
)

SECRET = SUITE_SIGNING_SECRET.encode()


@pytest.fixture
def clock():
    """Campaign time at the wall clock's pace, from a Friday morning inside calling hours."""
    return ScaledClock.starting(FRIDAY_8AM, 1.0)


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def heard_then(*keys: str) -> list:
    """Listen to the end, press, for each key in turn."""
    return [step for key in keys for step in (Listen(), Press(key))]


# Regular callers type ahead: each question is answered as soon as it starts.
DECLARES = [*heard_then("3", "1", "2"), *[step for key in ("1", "2", "2", "2#")
                                          for step in (Listen(at_most=0.3), Press(key))],
            *heard_then("2"), Listen(), HangUp()]  # fmt: skip
INBOUND = {
    # the greeting cut short by 1, two procedures, back, the operator: the one operator on
    # duty never answers, so after the queue's wait the caller is back in the IVR, where 1
    # books a callback (then the IVR says goodbye and hangs up)
    "0905100001": [
        Listen(at_most=0.3),
        Press("1"),
        *heard_then("1", "2", "9", "0"),
        Listen(quiet_s=4),  # the transfer, the queue's 3 s, the offer
        Press("1"),
        Listen(),
    ],  # fmt: skip
    # English, * again, a wrong key, the COVID-19 menu, today's bulletin
    "0905100002": [*heard_then("9", "*", "7", "3", "4"), Listen(), HangUp()],
    # exposure lookup of another number, the caller's own vaccination slot, back
    "0905100003": [*heard_then("3", "2", "0912345678#", "3", "9"), Listen(), HangUp()],
    # voice feedback: category 1, speaks after the beep, # ends it
    "0905100007": [
        *heard_then("2", "1"),
        Listen(),
        Say("hello-world"),
        Press("#"),
        Listen(),
        HangUp(),
    ],  # fmt: skip
    # the hotline has been trying to reach this caller: told why, then declares
    "0905100004": [*heard_then("1", "2", "2", "2", "2", "1#"), Listen(), HangUp()],
    # hangs up in the middle of the declaration
    "0905100005": [*heard_then("3", "1", "2", "1"), Listen(), HangUp()],
    # the other two procedures
    "0905100006": [*heard_then("1", "3", "4"), Listen(), HangUp()],
    **{f"09051001{n:02d}": DECLARES for n in range(13)},
}
OPERATOR = "Local/0905999993@test-pstn"  # the test network: a number ending in 3 never answers


@pytest.fixture
def operator_on_duty(pbx):
    """One operator in the queue who never answers (so the queue's wait runs out)."""
    pbx.rx(f"queue add member {OPERATOR} to hotline-operators")
    yield
    pbx.rx(f"queue remove member {OPERATOR} from hotline-operators")


def seed_inbound(sessions, now) -> None:
    with sessions.begin() as s:
        s.add(Location(code="DN-0001", name="Chợ Hàn", district="Hải Châu"))
        s.add(Appointment(phone="+84905100003", site="TTYT quận Sơn Trà",
                          slot_start=now + timedelta(days=3),
                          slot_end=now + timedelta(days=3, hours=1)))  # fmt: skip
        campaign = Campaign(name="F0-1 notice", created_at=now, status="running")
        s.add(campaign)
        s.flush()
        s.add(Contact(campaign_id=campaign.id, phone="+84905100004", created_at=now,
                      location_code="DN-0001", checked_in_at=now - timedelta(days=1),
                      why=[]))  # fmt: skip


def test_twenty_callers_at_once_walk_every_branch(
    pbx, prompt_sounds, sessions, clock, tmp_path, operator_on_duty
):
    seed_inbound(sessions, clock.now())

    async def scenario():
        async with (
            hotline_fastagi(pbx, prompt_sounds, sessions=sessions, log_calls=True,
                            clock=clock.now, recordings_dir=str(tmp_path)) as server,
            ScriptedCaller(pbx) as caller,
            ami_login(pbx) as ami,
        ):  # fmt: skip
            transcripts = await asyncio.gather(
                *(caller.call(ami, script, callerid=number) for number, script in INBOUND.items())
            )
            await asyncio.wait_for(server.wait_idle(), 20)
            return dict(zip(INBOUND, transcripts, strict=True)), server.outcomes

    transcripts, outcomes = asyncio.run(scenario())
    for number, transcript in transcripts.items():
        assert "heard nothing" not in transcript.lines, (number, str(transcript))
    assert "error" not in outcomes and sum(outcomes.values()) >= 20, outcomes
    with sessions() as s:
        log = {c.caller: (c.path, c.outcome) for c in s.scalars(sa.select(InboundCall))}
        declarations = {d.phone: d for d in s.scalars(sa.select(Declaration))}
        contacts = {c.phone: c for c in s.scalars(sa.select(Contact))}
        callbacks = s.scalars(sa.select(Campaign).where(Campaign.kind == "callback")).all()
        feedback = s.scalars(sa.select(Feedback)).all()

    # type-ahead, procedures, back, the operator, the callback
    assert log["+84905100001"] == (
        ["main", "procedures", "flow:procedure-birth", "procedures", "flow:procedure-residence",
         "procedures", "main", "operator", "callback-offer", "callback"],
        "callback",
    ), str(transcripts["0905100001"])  # fmt: skip
    assert log["+84905100006"][0] == [
        "main", "procedures", "flow:procedure-land", "procedures", "flow:procedure-business",
        "procedures",
    ]  # fmt: skip
    assert transcripts["0905100001"].far_end_hung_up
    assert [c.name for c in callbacks] == ["callbacks"]
    assert contacts["+84905100001"].status == "pending"  # the dialer will call back
    # English, repeat, a wrong key, the bulletin
    assert log["+84905100002"] == (
        ["main", "flow:language", "main", "covid", "flow:bulletin", "covid"], "hangup",
    )  # fmt: skip
    # the lookups and feedback
    assert log["+84905100003"] == (
        ["main", "covid", "flow:exposure", "covid", "flow:vaccination", "covid", "main"],
        "hangup",
    )  # fmt: skip
    assert log["+84905100007"][0][:2] == ["main", "flow:feedback"]
    assert len(feedback) == 1  # its recording and status are the feedback flow's business
    # told why the hotline called, then declared
    assert log["+84905100004"][0][:3] == ["notice", "flow:declaration", "main"]
    assert (contacts["+84905100004"].status, declarations["+84905100004"].complete) == (
        "declared", True,
    )  # fmt: skip
    # a hangup mid-declaration leaves it partial, and the path so far
    partial = declarations["+84905100005"]
    assert (partial.complete, partial.answers) == (False, {"symptoms": False, "fever": True})
    assert log["+84905100005"] == (["main", "covid", "flow:declaration"], "hangup")
    # thirteen declarations with exactly the keys pressed
    for n in range(13):
        row = declarations[f"+849051001{n:02d}"]
        assert (row.complete, row.follow_up, len(row.confirmation_code)) == (True, True, 6)
        assert row.answers == {
            "symptoms": False, "fever": True, "cough": False, "breathing": False, "people": 2,
        }  # fmt: skip
        assert log[f"+849051001{n:02d}"] == (
            ["main", "covid", "flow:declaration", "covid"], "hangup",
        )  # fmt: skip
    assert pbx.log_problems(pbx.mark) == []  # no prompt missing, nothing refused


def test_the_dialer_calls_a_reminder_and_a_callback_through_the_real_pbx(
    pbx, prompt_sounds, sessions, clock, operator_on_duty
):
    now = clock.now()
    with sessions.begin() as s:
        reminders = Campaign(name="reminders", kind="appointment_reminder", created_at=now,
                             ring_timeout_s=20)  # fmt: skip
        callbacks = Campaign(name="callbacks", kind="callback", created_at=now, suppress_s=0,
                             ring_timeout_s=20)  # fmt: skip
        s.add_all([reminders, callbacks])
        s.flush()
        for phone in ("+84905200019", "+84905200029"):
            slot = Appointment(phone=phone, site="TTYT quận Cẩm Lệ",
                               slot_start=now + timedelta(hours=2),
                               slot_end=now + timedelta(hours=3))  # fmt: skip
            s.add(slot)
            s.flush()
            s.add(Contact(campaign_id=reminders.id, phone=phone, created_at=now,
                          appointment_id=slot.id))  # fmt: skip
        s.add(Contact(campaign_id=callbacks.id, phone="+84905200039", created_at=now))
        start(reminders, now)
        start(callbacks, now)

    async def scenario():
        async with (
            hotline_fastagi(pbx, prompt_sounds, sessions=sessions, clock=clock.now,
                            signing_secret=SECRET),
            ScriptedCaller(pbx) as caller,
        ):  # fmt: skip
            answered = [
                caller.expect_callee("0905200019", [Listen(), Press("1"), Listen()]),
                caller.expect_callee("0905200029", [Listen(), Press("2"), Listen()]),
                caller.expect_callee("0905200039", [Listen(), HangUp()]),
            ]
            url = AmiUrl.parse(pbx.dialer_ami_url)
            link = AmiLink(url, ping_interval=1.0, ping_timeout=2.0, backoff=(0.05, 0.5))
            await link.start()
            sign = functools.partial(make_token, SECRET)
            config = DialerConfig(worker="w1", dial_string=TEST_NETWORK, refresh=0.2,
                                  heartbeat=1.0, sign=sign)  # fmt: skip
            dialer = Dialer(sessions, link, config, clock)
            task = asyncio.ensure_future(dialer.run())
            try:
                return await asyncio.wait_for(asyncio.gather(*answered), 90)
            finally:
                dialer.stop()
                await asyncio.wait_for(task, 30)
                await link.close()

    confirm, cannot, callback = asyncio.run(scenario())
    assert confirm.lines[1] == "pressed 1" and confirm.far_end_hung_up
    assert cannot.lines[1] == "pressed 2" and cannot.far_end_hung_up
    assert callback.lines[0].startswith("heard ") and callback.lines[-1] == "hung up"
    with sessions() as s:
        replies = {a.phone: a.status for a in s.scalars(sa.select(Appointment))}
        statuses = {c.phone: (c.status, c.reached_at is not None)
                    for c in s.scalars(sa.select(Contact))}  # fmt: skip
    assert replies == {"+84905200019": "confirmed", "+84905200029": "cannot_come"}
    assert set(statuses.values()) == {("answered", True)}
    assert pbx.log_problems(pbx.mark) == []


def test_the_fastagi_server_stopping_mid_call_sends_the_caller_to_hotline_error(
    pbx, prompt_sounds, sessions, clock
):
    def declaring() -> bool:
        with sessions() as s:
            return s.scalar(sa.select(sa.func.count()).select_from(Declaration)) == 1

    async def scenario():
        async with ScriptedCaller(pbx) as caller, ami_login(pbx) as ami:
            server = FastAgiServer(ROUTES, host=pbx.host, port=pbx.agi_port,
                                   sounds_dir=str(prompt_sounds), sessions=sessions,
                                   log_calls=True, clock=clock.now)  # fmt: skip
            await server.start()
            script = [*heard_then("3", "1"), Listen(start_within=20), Listen(start_within=5)]
            call = asyncio.ensure_future(caller.call(ami, script, callerid="0905300001"))
            try:
                await until(declaring, timeout=60)
            finally:
                await server.close(grace=0)  # the server goes away mid-call
            return await call, ami

    transcript, ami = asyncio.run(scenario())
    assert transcript.far_end_hung_up, str(transcript)
    assert any(
        e.get("Event") == "Newexten" and e.get("Uniqueid") == f"{transcript.token}-pbx"
        and e.get("Context") == "hotline-error"
        for e in ami.events
    ), "the caller never reached hotline-error"  # fmt: skip
    with sessions() as s:
        declaration = s.scalars(sa.select(Declaration)).one()
        call = s.scalars(sa.select(InboundCall)).one()
    assert (declaration.complete, call.path) == (False, ["main", "covid", "flow:declaration"])

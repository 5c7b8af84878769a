"""A citizen dials 1022 on the real Asterisk: the shipped dialplan, our FastAGI server, the
existing IVR, a database; the test caller listens and presses keys like a person."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from ami_client import AmiClient
from asterisk_calls import ami_login, hotline_fastagi
from scripted_caller import HangUp, Listen, Press, ScriptedCaller

from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import Declaration, InboundCall


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def event_in_context(ami: AmiClient, channel_id: str, context: str) -> bool:
    return any(
        e.get("Event") == "Newexten" and e.get("Uniqueid") == channel_id
        and e.get("Context") == context
        for e in ami.events
    )  # fmt: skip


DECLARE = [
    Listen(),  # welcome, main menu
    Press("3"),
    Listen(),  # COVID-19 menu
    Press("1"),
    Listen(),  # declaration intro, symptoms?
    Press("2"),
    Listen(),  # fever?
    Press("1"),
    Listen(),  # cough?
    Press("2"),
    Listen(),  # breathing?
    Press("2"),
    Listen(),  # how many people using this phone were there?
    Press("1#"),
    Listen(),  # read back, saved, confirmation code, advice, talk to an operator now?
    Press("2"),
    Listen(),  # thank you, the COVID-19 menu again
    HangUp(),
]


def test_a_citizen_declares_by_keypad_through_the_real_asterisk(pbx, prompt_sounds, sessions):
    async def scenario():
        async with (
            hotline_fastagi(pbx, prompt_sounds, sessions=sessions, log_calls=True) as server,
            ScriptedCaller(pbx) as caller,
            ami_login(pbx) as ami,
        ):
            transcript = await caller.call(ami, DECLARE, callerid="0905123456")
            await asyncio.wait_for(server.wait_idle(), 10)
            return transcript, server.outcomes

    transcript, outcomes = asyncio.run(scenario())

    assert [line.split()[0] for line in transcript.lines] == [
        "heard", "pressed", "heard", "pressed", "heard", "pressed", "heard", "pressed",
        "heard", "pressed", "heard", "pressed", "heard", "pressed", "heard", "pressed",
        "heard", "hung",
    ], transcript  # fmt: skip
    assert "heard nothing" not in transcript.lines, transcript
    assert outcomes == {"hangup": 1}
    with sessions() as s:
        declaration = s.scalars(sa.select(Declaration)).one()
        call = s.scalars(sa.select(InboundCall)).one()
    assert declaration.phone == "+84905123456"
    assert declaration.source == "inbound"
    assert declaration.answers == {
        "symptoms": False, "fever": True, "cough": False, "breathing": False, "people": 1,
    }  # fmt: skip
    assert declaration.complete and len(declaration.confirmation_code) == 6
    assert call.uniqueid == f"{transcript.token}-pbx"
    assert call.caller == "+84905123456"
    assert call.path == ["main", "covid", "flow:declaration", "covid"]
    assert call.outcome == "hangup"
    assert pbx.log_problems(pbx.mark) == []


def test_with_the_fastagi_server_down_the_caller_hears_the_apology(pbx, prompt_sounds):
    async def scenario():
        async with ScriptedCaller(pbx) as caller, ami_login(pbx) as ami:
            transcript = await caller.call(ami, [Listen(), Listen(start_within=3)])
            return transcript, ami

    transcript, ami = asyncio.run(scenario())

    assert transcript.lines[0].startswith("heard ") and transcript.lines[0] != "heard nothing"
    assert transcript.far_end_hung_up, transcript
    assert event_in_context(ami, f"{transcript.token}-pbx", "hotline-error")
    problems = pbx.log_problems(pbx.mark)
    assert problems and all("agi" in line.lower() for line in problems), problems

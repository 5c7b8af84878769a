"""Voice feedback on the real Asterisk: a citizen chooses a category and speaks into RECORD
FILE (the test caller plays a real sound; while it waits it streams silence, so Asterisk's
silence detection has frames to measure). What Asterisk wrote is checked against the
ticket: status, category, length, and the WAV itself. The first call dials 1022 and presses
2 as citizens do; the others dial a test extension that runs the feedback route alone, to
keep these calls short."""

from __future__ import annotations

import array
import asyncio
import wave
from pathlib import Path

import pytest
import sqlalchemy as sa
from asterisk_calls import ami_login, hotline_fastagi
from real_asterisk import PREFIX
from scripted_caller import HangUp, Listen, Press, Say, ScriptedCaller

from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import Feedback

SPEECH = str(PREFIX / "var/lib/asterisk/sounds/en/please-try-call-later")  # 2.17 s of a voice
SPEECH_SECONDS = 2.17
FEEDBACK_ONLY = """[test-feedback]
exten => 1022,1,Answer()
 same => n,AGI(agi://${HOTLINE_AGI_HOST}:${HOTLINE_AGI_PORT}/feedback)
 same => n,Hangup()
"""


@pytest.fixture
def sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def place_call(pbx, sounds, sessions, recordings: Path, script, context="hotline-inbound"):
    if context == "test-feedback":
        pbx.set_dialplan("feedback", FEEDBACK_ONLY)

    async def scenario():
        async with (
            hotline_fastagi(
                pbx, sounds, sessions=sessions, recordings_dir=str(recordings), log_calls=True
            ) as server,
            ScriptedCaller(pbx) as caller,
            ami_login(pbx) as ami,
        ):
            transcript = await caller.call(ami, script, callerid="0905123456", context=context)
            await asyncio.wait_for(server.wait_idle(), 10)
            return transcript

    return asyncio.run(scenario())


def the_ticket(sessions) -> Feedback:
    with sessions() as s:
        return s.scalars(sa.select(Feedback)).one()


def test_a_missing_recordings_folder_fails_the_ticket_and_the_caller_hears_an_apology(
    pbx, prompt_sounds, sessions, tmp_path
):
    missing = tmp_path / "no-recordings-here"
    script = [
        Listen(),  # welcome, main menu
        Press("2"),
        Listen(),  # the categories
        Press("1"),
        Listen(),  # the intro, the beep, then (writefile) and at once the apology
        HangUp(),
    ]
    transcript = place_call(pbx, prompt_sounds, sessions, missing, script)

    assert [line.split()[0] for line in transcript.lines] == [
        "heard", "pressed", "heard", "pressed", "heard", "hung",
    ], transcript  # fmt: skip
    ticket = the_ticket(sessions)
    assert (ticket.status, ticket.category, ticket.duration_s) == ("failed", "procedures", None)
    assert not missing.exists()
    assert [line.split("] ", 2)[-1] for line in pbx.log_problems(pbx.mark)] == [
        f"file.c: Unable to open file {missing}/feedback-{ticket.ticket}.wav: "
        "No such file or directory"
    ]


def voice_wav(path: str) -> tuple[float, int]:
    """(seconds, loudest sample) of an 8 kHz mono 16-bit WAV."""
    with wave.open(path) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        samples = array.array("h", w.readframes(w.getnframes()))
        return w.getnframes() / w.getframerate(), max(map(abs, samples), default=0)


def test_a_citizen_speaks_records_again_and_keeps_the_message(
    pbx, prompt_sounds, sessions, tmp_path
):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    script = [
        Listen(),  # the categories
        Press("3"),
        Listen(),  # the intro and the beep
        Say(SPEECH),
        Say(SPEECH),
        Listen(start_within=10),  # 5 s of silence end the take; then: keep, again, cancel?
        Press("2"),
        Listen(),  # the intro and the beep again
        Say(SPEECH),
        Press("#"),
        Listen(),  # keep, again, cancel?
        Press("1"),
        Listen(),  # thanks, the ticket number; then the route ends and so does the call
    ]
    transcript = place_call(pbx, prompt_sounds, sessions, recordings, script, "test-feedback")

    assert "heard nothing" not in transcript.lines, transcript
    assert transcript.lines[-2:] == [transcript.lines[-2], "the far end hung up"], transcript
    ticket = the_ticket(sessions)
    assert (ticket.status, ticket.category, ticket.caller) == ("new", "covid", "+84905123456")
    assert ticket.recording_path == f"{recordings}/feedback-{ticket.ticket}.wav"
    seconds, loudest = voice_wav(ticket.recording_path)
    assert abs(ticket.duration_s - seconds) < 0.05  # Asterisk's count is the file's length
    # the second take (the speech once, then #), not the first (twice, then 1 s of silence)
    assert SPEECH_SECONDS - 0.3 < ticket.duration_s < 2 * SPEECH_SECONDS
    assert loudest > 1000  # a voice, not silence
    assert pbx.log_problems(pbx.mark) == []


def test_a_hangup_while_speaking_keeps_the_part_recorded(pbx, prompt_sounds, sessions, tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    script = [Listen(), Press("4"), Listen(), Say(SPEECH), HangUp()]
    place_call(pbx, prompt_sounds, sessions, recordings, script, "test-feedback")

    ticket = the_ticket(sessions)
    assert (ticket.status, ticket.category) == ("hangup", "other")
    seconds, loudest = voice_wav(ticket.recording_path)
    assert SPEECH_SECONDS - 0.3 < ticket.duration_s < SPEECH_SECONDS + 1.5
    assert abs(ticket.duration_s - seconds) < 0.05 and loudest > 1000
    assert pbx.log_problems(pbx.mark) == []

"""Voice feedback as citizens leave it: pbxsim dials 1022 into our FastAGI server, which runs
the real menus and the feedback flow on a database; pbxsim writes the recordings as Asterisk
does (a WAV as long as the take, and `(writefile)` when the folder is missing), so what the
ticket says is checked against the file on disk.

In a key script, one item answers each request for input: "2" the main menu's feedback,
then the category, then the recording ("#": speaks 3 s and presses #; "x": speaks 3 s and
falls silent, so 5 s of silence end it; "": silent), then the review. "H" hangs up halfway
through the prompt before its request; `hangup_at` hangs up at a moment of the call.
"""

from __future__ import annotations

import asyncio
import shutil
import wave
from pathlib import Path

import pytest
import sqlalchemy as sa
from served_calls import NOW

from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from pbxsim import PbxSim, SimConfig
from pbxsim.dialplan import Context
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import Feedback


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One database file at the newest schema; each test gets a copy (migrating is slow)."""
    path = tmp_path_factory.mktemp("schema") / "hotline.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sessions(migrated, tmp_path):
    copy = tmp_path / "hotline.db"
    shutil.copyfile(migrated, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield session_factory(engine)
    engine.dispose()


def call(sessions, keys: str, recordings: Path, scale=0.001, route="ivr", **inbound):
    """One call to 1022, whose dialplan runs `route` (the whole IVR, or feedback alone)."""

    async def scenario():
        server = FastAgiServer(
            ROUTES, port=0, sessions=sessions, recordings_dir=str(recordings), clock=lambda: NOW
        )
        base = f"agi://127.0.0.1:{await server.start()}"
        contexts = {"hotline-inbound": Context(f"{base}/{route}", (), 2)}
        sim = PbxSim(SimConfig(agi_url=base, scale=scale, prompt_seconds=1, contexts=contexts))
        try:
            return await sim.inbound_call("0905123456", keys, **inbound)
        finally:
            await sim.close()
            await server.close()

    return asyncio.run(scenario())


def heard(transcript) -> list[str]:
    return [Path(prompt).name for prompt in transcript.heard]


def after(prompts: list[str], first: str) -> list[str]:
    return prompts[prompts.index(first) :]


def ticket(sessions) -> Feedback:
    with sessions() as s:
        return s.scalars(sa.select(Feedback)).one()


def wav_seconds(path: str) -> float:
    with wave.open(path) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        return w.getnframes() / w.getframerate()


@pytest.fixture
def recordings(tmp_path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    return folder


def test_a_kept_message_has_its_category_length_file_and_ticket_read_back(sessions, recordings):
    transcript = call(sessions, "2,3,#,1", recordings)

    row = ticket(sessions)
    assert (row.status, row.category, row.caller) == ("new", "covid", "+84905123456")
    assert row.ticket.startswith("2110") and len(row.ticket) == 9
    assert row.recording_path == f"{recordings}/feedback-{row.ticket}.wav"
    assert row.duration_s == 3.0 == wav_seconds(row.recording_path)
    said = after(heard(transcript), "feedback-category")
    assert said[:6] == [
        "feedback-category", "menu-footer", "feedback-intro", "feedback-review",
        "feedback-thanks", "ticket-number-is",
    ]  # fmt: skip
    digits = "".join(p[4] if p.startswith("num-") else " " for p in said[6:17])
    assert digits == f"{row.ticket[:3]} {row.ticket[3:6]} {row.ticket[6:]}"
    assert said[17] == "main-menu"  # then back to the menu the caller came from


def test_record_again_keeps_the_second_take(sessions, recordings):
    transcript = call(sessions, "2,1,#,2,x,1", recordings)

    row = ticket(sessions)
    assert (row.status, row.category) == ("new", "procedures")
    # the second take: 3 s of speech, then silence ends it, keeping 1 s of it
    assert row.duration_s == 4.0 == wav_seconds(row.recording_path)
    assert heard(transcript).count("feedback-intro") == 2
    assert heard(transcript).count("feedback-review") == 2


def test_a_cancelled_message_leaves_no_file(sessions, recordings):
    transcript = call(sessions, "2,4,#,3", recordings)

    row = ticket(sessions)
    assert (row.status, row.category, row.recording_path, row.duration_s) == (
        "cancelled", "other", None, None,
    )  # fmt: skip
    assert list(recordings.iterdir()) == []
    assert "feedback-cancelled" in heard(transcript) and "feedback-thanks" not in heard(transcript)


def test_a_hangup_during_the_recording_keeps_the_part_recorded(sessions, recordings):
    # The feedback route alone: the take starts about 5 s into the call (1 s prompts, 1.5 s
    # to think) and would last 8 s (3 s of speech, 5 s of silence); the caller hangs up at
    # 9 s. At scale 0.25 our server may take 1 s or more between commands (a database
    # write) before the hang-up could come early, between commands.
    transcript = call(sessions, "2,x", recordings, 0.25, "feedback", hangup_at=9.0)

    row = ticket(sessions)
    assert (row.status, row.category) == ("hangup", "public_services")
    [reply] = [line for line in transcript.lines if line.startswith("< 200 result=-1 (hangup)")]
    assert reply.endswith(f"endpos={round(row.duration_s * 8000)}")  # Asterisk's count
    assert 0 < row.duration_s < 8 and row.duration_s == wav_seconds(row.recording_path)


def test_a_hangup_before_the_beep_leaves_a_ticket_with_nothing_recorded(sessions, recordings):
    call(sessions, "2,2,H", recordings)  # hangs up halfway through the intro

    row = ticket(sessions)
    assert (row.status, row.duration_s) == ("hangup", None)
    assert list(recordings.iterdir()) == []


def test_a_hangup_at_the_review_keeps_the_message_as_hangup(sessions, recordings):
    call(sessions, "2,2,#", recordings)  # the script ends: the caller hangs up at the review

    row = ticket(sessions)
    assert (row.status, row.duration_s) == ("hangup", 3.0)
    assert Path(row.recording_path).is_file()


def test_a_missing_folder_fails_the_ticket_with_an_apology_and_the_operator(sessions, tmp_path):
    missing = tmp_path / "no-such-folder"
    transcript = call(sessions, "2,1,", missing)  # silence at the offer: the operator

    row = ticket(sessions)
    assert (row.status, row.duration_s) == ("failed", None)
    assert any(line == "< 200 result=-1 (writefile)" for line in transcript.lines)
    assert after(heard(transcript), "feedback-intro") == [
        "feedback-intro", "feedback-failed", "transfer-operator",
    ]  # fmt: skip
    assert '> EXEC Goto "hotline-operator,s,1"' in transcript.lines
    assert not missing.exists()  # RECORD FILE creates no folder; pbxsim neither


def test_star_after_a_failed_recording_goes_back_to_the_menu(sessions, tmp_path):
    transcript = call(sessions, "2,1,*", tmp_path / "no-such-folder")

    assert ticket(sessions).status == "failed"
    assert after(heard(transcript), "feedback-failed")[:2] == ["feedback-failed", "main-menu"]


def test_a_silent_take_is_flagged_and_silence_at_the_review_cancels_it(sessions, recordings):
    transcript = call(sessions, "2,1,,,,", recordings)

    assert ticket(sessions).status == "cancelled"
    said = after(heard(transcript), "feedback-intro")
    assert said[:3] == ["feedback-intro", "feedback-empty", "feedback-review"]
    assert said.count("no-input") == 2  # then the third silence gives up


def test_a_category_is_needed_wrong_keys_then_the_operator(sessions, recordings):
    transcript = call(sessions, "2,7,,9", recordings)

    with sessions() as s:
        assert s.scalars(sa.select(Feedback)).all() == []  # no ticket without a category
    said = after(heard(transcript), "feedback-category")
    assert said == [
        "feedback-category", "menu-footer",
        "invalid-key", "feedback-category", "menu-footer",
        "no-input", "feedback-category", "menu-footer",
        "transfer-operator",
    ]  # fmt: skip

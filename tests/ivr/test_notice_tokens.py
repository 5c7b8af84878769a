"""Forged notice sessions change nothing: someone who reaches the FastAGI port and replays a
session for an attempt (to press 9 and opt a citizen out for good) gets a neutral goodbye.
A FastAGI client written here dials our server over loopback TCP, as Asterisk would."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block, parse_args
from served_calls import NOW, played, serve_call

from ivr.flows import ROUTES
from store.attempt_token import make_token
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CallAttempt, Campaign, Contact, Declaration, OptOut

SECRET = b"notice-token-test-secret-5f2e9a"


class PressesNine(ScriptedAsterisk):
    """The forger's aim: press 9 as soon as the notice plays."""

    def reply(self, line):
        if line.startswith("STREAM FILE") and "9" in parse_args(line)[-1]:
            self.commands.append(line)
            self.log.append("play " + line.split()[2].rsplit("/", 1)[-1])
            return "200 result=57 endpos=100\n"
        return super().reply(line)


@pytest.fixture
def sessions(database_url):
    """Attempts 41 and 42 to two contacts, both ringing; 43 to a third, already over."""
    engine = make_engine(database_url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        campaign = Campaign(name="F0-9 notice", created_at=NOW)
        s.add(campaign)
        s.flush()
        for n, phone in ((41, "+84905000041"), (42, "+84905000042"), (43, "+84905000043")):
            contact = Contact(
                campaign_id=campaign.id,
                phone=phone,
                created_at=NOW,
                status="dialing",
                attempts=1,
                checked_in_at=datetime(2021, 10, 7, 2, 0, tzinfo=UTC),
                why=[],
            )
            s.add(contact)
            s.flush()
            s.add(
                CallAttempt(
                    id=n,
                    contact_id=contact.id,
                    number=phone,
                    channel_id=f"hotline-{n}",
                    originated_at=NOW,
                    state="dialing" if n != 43 else "done",
                    ended_at=None if n != 43 else NOW,
                )
            )
    yield session_factory(engine)
    engine.dispose()


def snapshot(sessions) -> list:
    """Every row a notice could touch, as plain values."""
    with sessions() as s:
        return [
            [tuple(r) for r in s.execute(sa.select(table)).all()]
            for table in (CallAttempt.__table__, Contact.__table__, OptOut.__table__)
        ] + [s.scalar(sa.select(sa.func.count()).select_from(Declaration))]


def forged_call(sessions, token: str | None, secret: bytes | None = SECRET):
    header = header_block("notice", "0905000041", [] if token is None else [token])
    return serve_call(ROUTES, PressesNine([]), header, sessions=sessions, signing_secret=secret)


def tag_of(attempt: int) -> str:
    return make_token(SECRET, attempt, f"hotline-{attempt}").split(".")[1]


FORGERIES = {
    "no token": (None, SECRET, "no well-formed attempt token"),
    "bare attempt id": ("41", SECRET, "no well-formed attempt token"),
    "made-up tag": ("41." + "0" * 64, SECRET, "attempt 41: the token's tag is not ours"),
    "another attempt's tag": (
        f"41.{tag_of(42)}",
        SECRET,
        "attempt 41: the token's tag is not ours",
    ),
    "signed with another secret": (
        make_token(b"someone-elses-secret-0123456789", 41, "hotline-41"),
        SECRET,
        "attempt 41: the token's tag is not ours",
    ),
    "replay after the attempt ended": (
        make_token(SECRET, 43, "hotline-43"),
        SECRET,
        "attempt 43 has already ended (a replay)",
    ),
    "server without a secret": (
        make_token(SECRET, 41, "hotline-41"),
        None,
        "no signing secret configured",
    ),
}


def test_forged_sessions_hear_goodbye_and_change_nothing(sessions, caplog):
    """One database for all the forgeries (each a PostgreSQL setup would cost a second)."""
    before = snapshot(sessions)
    for name, (token, secret, reason) in FORGERIES.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, "hotline.ivr"):
            fake = forged_call(sessions, token, secret)
        assert played(fake) == ["goodbye"], name
        assert fake.log[-1] == "hangup", name
        assert snapshot(sessions) == before, name
        assert caplog.messages == [f"notice call 1795695559.1 refused: {reason}"], name


def test_a_replay_after_the_genuine_call_ended_changes_nothing(sessions):
    token = make_token(SECRET, 41, "hotline-41")
    header = header_block("notice", "0905000041", [token])
    genuine = serve_call(
        ROUTES, ScriptedAsterisk([]), header, sessions=sessions, signing_secret=SECRET
    )
    assert "notice-exposure" in played(genuine)  # heard it, then hung up at the first question
    with sessions.begin() as s:  # the dialer records the hangup
        attempt = s.get(CallAttempt, 41)
        attempt.ended_at, attempt.state = NOW, "done"
    before = snapshot(sessions)
    replay = forged_call(sessions, token)  # the same header again, pressing 9
    assert played(replay) == ["goodbye"]
    assert snapshot(sessions) == before


def test_the_genuine_token_opens_its_attempt_only(sessions):
    fake = forged_call(sessions, make_token(SECRET, 42, "hotline-42"))
    assert played(fake)[-2:] == ["opted-out", "thank-you"]
    with sessions() as s:
        statuses = dict(s.execute(sa.select(Contact.phone, Contact.status)).all())
        opted = list(s.scalars(sa.select(OptOut.phone)))
    assert statuses == {
        "+84905000041": "dialing",
        "+84905000042": "opted_out",
        "+84905000043": "dialing",
    }
    assert opted == ["+84905000042"]

"""The outbound notice over FastAGI: answered, warned, opted out or declared, all recorded."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block
from served_calls import NOW, played, serve_call

from ivr.flows import ROUTES
from store.attempt_token import make_token
from store.models import CallAttempt, Campaign, Contact, Declaration, OptOut

SECRET = b"notice-flow-test-secret-0123456789"


@pytest.fixture
def sessions(sessions):
    """The conftest database with a dialed contact and its attempt 41."""
    with sessions.begin() as s:
        campaign = Campaign(name="F0-1 notice", created_at=NOW)
        s.add(campaign)
        s.flush()
        contact = Contact(
            campaign_id=campaign.id,
            phone="+84905123456",
            created_at=NOW,
            status="dialing",
            attempts=1,
            location_code="DN-0001",
            checked_in_at=datetime(2021, 10, 7, 2, 0, tzinfo=UTC),
            why=[
                {
                    "checkin_id": 1,
                    "location_code": "DN-0001",
                    "checked_in_at": "2021-10-07T02:00:00+00:00",
                    "checked_out_at": "2021-10-07T02:45:00+00:00",
                }
            ],
        )
        s.add(contact)
        s.flush()
        s.add(
            CallAttempt(
                id=41,
                contact_id=contact.id,
                number="0905123456",
                channel_id="hotline-41",
                originated_at=NOW,
            )
        )
    return sessions


def notice_call(sessions, keys, attempt=None, fake=None):
    """The notice for attempt 41, with the dialer's token unless `attempt` says otherwise."""
    fake = fake or ScriptedAsterisk(list(keys))
    token = make_token(SECRET, 41, "hotline-41") if attempt is None else attempt
    header = header_block("notice", "0905123456", [token])
    return serve_call(ROUTES, fake, header, sessions=sessions, signing_secret=SECRET)


class PressesNine(ScriptedAsterisk):
    """A callee who presses 9 while the notice plays."""

    def reply(self, line):
        if line.startswith("STREAM FILE") and line.endswith('"9"') and "notice-exposure" in line:
            self.commands.append(line)
            self.log.append("play notice-exposure")
            return "200 result=57 endpos=4000\n"
        return super().reply(line)


def state(sessions):
    with sessions() as s:
        contact = s.scalars(sa.select(Contact)).one()
        attempt = s.get(CallAttempt, 41)
        decls = [
            (d.source, d.contact_id, d.complete, d.answers)
            for d in s.scalars(sa.select(Declaration))
        ]
        opted = list(s.scalars(sa.select(OptOut.phone)))
    return contact.status, attempt.outcome, attempt.answered_at, decls, opted


def test_notice_says_when_and_takes_the_declaration(sessions):
    fake = notice_call(sessions, ["2", "2", "2", "2"])
    said = played(fake)
    # từ chín giờ đến chín giờ bốn mươi lăm phút, ngày bảy tháng mười năm 2021
    assert said[:8] == [
        "notice-intro",
        "notice-exposure",
        "word-from",
        "num-9",
        "word-hour",
        "word-to",
        "num-9",
        "word-hour",
    ]
    assert "notice-opt-out-hint" in said and "declaration-q-breathing" in said
    assert fake.log[-1] == "hangup"
    status, outcome, answered_at, decls, opted = state(sessions)
    assert (status, outcome, answered_at) == ("declared", "answered", NOW)
    assert decls == [
        (
            "campaign",
            1,
            True,
            {"symptoms": False, "fever": False, "cough": False, "breathing": False},
        )
    ]
    assert opted == []


def test_hanging_up_mid_declaration_leaves_answered_and_a_partial_declaration(sessions):
    notice_call(sessions, ["1"])
    status, outcome, _, decls, _ = state(sessions)
    assert (status, outcome) == ("answered", "answered")
    assert decls == [("campaign", 1, False, {"symptoms": True})]


def test_nine_opts_out_for_good(sessions):
    fake = notice_call(sessions, [], fake=PressesNine([]))
    assert played(fake)[-2:] == ["opted-out", "thank-you"]
    status, _, _, decls, opted = state(sessions)
    assert (status, decls, opted) == ("opted_out", [], ["+84905123456"])


def test_unknown_attempt_is_a_polite_goodbye(sessions):
    fake = notice_call(sessions, [], attempt=make_token(SECRET, 999, "hotline-999"))
    assert played(fake) == ["goodbye"]
    assert state(sessions)[0] == "dialing"

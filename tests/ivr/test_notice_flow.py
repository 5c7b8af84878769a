"""The outbound notice over FastAGI: where and when, 1/2/9, silence, machines; all recorded."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block
from served_calls import NOW, played, serve_call

from ivr.flows import ROUTES
from ivr.flows.notice import district_slug
from store.attempt_token import make_token
from store.models import CallAttempt, Campaign, Contact, Declaration, Location, OptOut

SECRET = b"notice-flow-test-secret-0123456789"

WHEN = ["word-from", "num-9", "word-hour", "word-to", "num-9", "word-hour"]  # từ 9 giờ đến 9 giờ…


@pytest.fixture
def sessions(sessions):
    """The conftest database with a dialed contact and its attempt 41 (ringing)."""
    with sessions.begin() as s:
        s.add(Location(code="DN-0001", name="Chợ Hàn", district="Hải Châu"))
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
                number="+84905123456",
                channel_id="hotline-41",
                state="dialing",
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


class PressesDuringNotice(ScriptedAsterisk):
    """A callee who presses `key` while the notice's exposure sentence plays."""

    def __init__(self, key: str, keys=()):
        super().__init__(list(keys))
        self.key = key

    def reply(self, line):
        if line.startswith("STREAM FILE") and "notice-exposure" in line and self.key:
            self.commands.append(line)
            self.log.append("play notice-exposure")
            key, self.key = self.key, ""
            return f"200 result={ord(key)} endpos=4000\n"
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
    return contact, attempt, decls, opted


def test_notice_says_where_and_when_then_1_takes_the_declaration(sessions):
    fake = notice_call(sessions, ["1", "2", "2", "2", "2", "1#"])
    said = played(fake)
    assert said[:4] == ["notice-intro", "notice-exposure", "notice-place", "district-hai-chau"]
    assert said[4:11] == ["notice-time", *WHEN]
    assert said[said.index("notice-instructions") + 1] == "notice-menu"
    assert "declaration-q-breathing" in said and fake.log[-1] == "hangup"
    contact, attempt, decls, opted = state(sessions)
    assert (contact.status, attempt.state, attempt.outcome) == ("declared", "answered", "answered")
    assert (attempt.answered_at, attempt.notice_heard_at, attempt.key_pressed) == (NOW, NOW, "1")
    assert decls == [
        (
            "campaign",
            contact.id,
            True,
            {"symptoms": False, "fever": False, "cough": False, "breathing": False, "people": 1},
        )
    ]
    assert attempt.declaration_id is not None and opted == []


def test_the_place_s_own_recorded_name_wins_over_its_district(sessions):
    with sessions.begin() as s:
        s.scalars(sa.select(Location)).one().prompt_id = "loc-dn-0001"
    said = played(notice_call(sessions, []))
    assert said[2:4] == ["notice-place", "loc-dn-0001"]


def test_2_hears_the_notice_again(sessions):
    said = played(notice_call(sessions, ["2", "9"]))
    assert said.count("notice-exposure") == 2
    contact, attempt, _, opted = state(sessions)
    assert (contact.status, attempt.key_pressed, opted) == ("opted_out", "2", ["+84905123456"])


def test_silence_hears_it_once_more_then_goodbye(sessions):
    fake = notice_call(sessions, ["", ""])
    said = played(fake)
    assert said.count("notice-exposure") == 2 and said[-1] == "notice-goodbye"
    assert fake.log[-1] == "hangup"
    contact, attempt, decls, _ = state(sessions)
    assert (contact.status, attempt.key_pressed, decls) == ("answered", None, [])
    assert attempt.notice_heard_at == NOW  # heard to the end, chose nothing


def test_a_wrong_key_is_told_and_the_choices_repeat(sessions):
    said = played(notice_call(sessions, ["7", "9"]))
    assert said[-4:] == ["invalid-key", "notice-menu", "opted-out", "thank-you"]
    contact, attempt, _, _ = state(sessions)
    assert (contact.status, attempt.key_pressed) == ("opted_out", "7")


def test_9_during_the_notice_opts_out_for_good_without_hearing_it_all(sessions):
    fake = notice_call(sessions, [], fake=PressesDuringNotice("9"))
    assert played(fake)[-2:] == ["opted-out", "thank-you"]
    contact, attempt, decls, opted = state(sessions)
    assert (contact.status, decls, opted) == ("opted_out", [], ["+84905123456"])
    assert (attempt.notice_heard_at, attempt.key_pressed) == (None, "9")


def test_hanging_up_mid_declaration_leaves_answered_and_a_partial_declaration(sessions):
    notice_call(sessions, ["1", "1"])
    contact, attempt, decls, _ = state(sessions)
    assert (contact.status, attempt.outcome) == ("answered", "answered")
    assert decls == [("campaign", contact.id, False, {"symptoms": True})]


def test_an_answering_machine_is_recorded_and_left_without_a_word(sessions):
    fake = ScriptedAsterisk([], variables={"AMDSTATUS": "MACHINE"})
    assert played(notice_call(sessions, [], fake=fake)) == []
    contact, attempt, _, _ = state(sessions)
    assert (contact.status, attempt.state, attempt.outcome) == ("dialing", "machine", "machine")
    assert attempt.amd_status == "MACHINE"


def test_a_campaign_may_leave_machines_a_short_message(sessions):
    with sessions.begin() as s:
        s.scalars(sa.select(Campaign)).one().leave_message = True
    fake = ScriptedAsterisk([], variables={"AMDSTATUS": "MACHINE"})
    assert played(notice_call(sessions, [], fake=fake)) == ["notice-machine-message"]
    assert state(sessions)[1].state == "machine"


@pytest.mark.parametrize("attempt", [make_token(SECRET, 999, "hotline-999"), "", "41", "41x"])
def test_an_attempt_that_is_not_ours_is_a_polite_goodbye(sessions, attempt):
    fake = notice_call(sessions, [], attempt=attempt)
    assert played(fake) == ["goodbye"]
    contact, call, _, _ = state(sessions)
    assert (contact.status, call.state, call.answered_at) == ("dialing", "dialing", None)


def test_a_session_replayed_after_the_call_ended_changes_nothing(sessions):
    with sessions.begin() as s:
        call = s.get(CallAttempt, 41)
        call.state, call.outcome, call.ended_at = "retry_wait", "no_answer", NOW
    fake = notice_call(sessions, [], fake=PressesDuringNotice("9"))
    assert played(fake) == ["goodbye"]
    contact, call, _, opted = state(sessions)
    assert (contact.status, call.state, opted) == ("dialing", "retry_wait", [])


@pytest.mark.parametrize(
    "district,slug",
    [
        ("Hải Châu", "hai-chau"),
        ("Quận Ngũ Hành Sơn", "ngu-hanh-son"),
        ("huyện Hoà Vang", "hoa-vang"),
    ],
)
def test_district_names_become_prompt_ids(district, slug):
    assert district_slug(district) == slug

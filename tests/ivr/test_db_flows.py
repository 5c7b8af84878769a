"""Declaration and lookups over FastAGI, with their records in the database.

Asterisk's side is the scripted caller of agi_fakes (its own parser, not our codec); the
flows run in our FastAGI server over loopback; what they leave behind is read back with
SQL, as a supervisor's report would.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block
from served_calls import NOW, played, serve_call

from ivr.flows.declaration import declaration
from ivr.flows.lookups import exposure, vaccination
from store.models import Appointment, Campaign, Contact, Declaration

ROUTES = {
    "declaration": declaration,
    "exposure": exposure,
    "vaccination": vaccination,
}


def call(sessions, route, keys, callerid="0905123456"):
    fake = ScriptedAsterisk(list(keys))
    return serve_call(ROUTES, fake, header_block(route, callerid), sessions=sessions)


def declarations(sessions):
    with sessions() as s:
        return [
            (d.phone, d.answers, d.complete, d.confirmation_code)
            for d in s.scalars(sa.select(Declaration))
        ]


def test_complete_declaration_gets_a_code_read_back(sessions):
    fake = call(sessions, "declaration", ["2", "1", "2", "2"])
    [(phone, answers, complete, code)] = declarations(sessions)
    assert (phone, complete) == ("+84905123456", True)
    assert answers == {"symptoms": False, "fever": True, "cough": False, "breathing": False}
    assert len(code) == 6 and code.isdigit()
    said = played(fake)
    assert said[-3:] == ["num-" + code[-1], "declaration-advice-symptoms", "thank-you"]
    assert [p for p in said if p.startswith("num-")] == [f"num-{d}" for d in code]


def test_wrong_keys_repeat_the_question_and_hangup_leaves_a_partial_record(sessions):
    fake = call(sessions, "declaration", ["7", "2", "", "1"])  # then the caller hangs up
    said = played(fake)
    assert said[:4] == [
        "declaration-intro",
        "declaration-q-symptoms",
        "invalid-key",
        "declaration-q-symptoms",
    ]
    assert "no-input" in said
    assert declarations(sessions) == [
        ("+84905123456", {"symptoms": False, "fever": True}, False, None)
    ]


def test_three_misses_go_to_the_operator_answers_kept(sessions):
    fake = call(sessions, "declaration", ["1", "5", "6", "7"])
    assert "exec Goto hotline-operator,s,1" in fake.log
    assert declarations(sessions) == [("+84905123456", {"symptoms": True}, False, None)]


def test_exposure_lookup_reads_the_number_back_and_the_visit_time(sessions):
    with sessions.begin() as s:
        campaign = Campaign(name="c", kind="exposure_notice", created_at=NOW)
        s.add(campaign)
        s.flush()
        s.add(
            Contact(
                campaign_id=campaign.id,
                phone="+84912345678",
                created_at=NOW,
                why=[
                    {
                        "checkin_id": 1,
                        "location_code": "DN-0001",
                        "checked_in_at": "2021-10-07T07:30:00+00:00",
                        "checked_out_at": None,
                    }
                ],
            )
        )
    found = played(call(sessions, "exposure", ["0912345678#"]))
    assert found == [
        "exposure-enter-phone",
        "you-entered",
        "num-0",
        "num-9",
        "num-1",
        "num-2",
        "pause",
        "num-3",
        "num-4",
        "num-5",
        "pause",
        "num-6",
        "num-7",
        "num-8",
        "exposure-found",
        # mười bốn giờ ba mươi phút, ngày bảy tháng mười năm hai nghìn không trăm hai mươi mốt
        "num-10",
        "num-4",
        "word-hour",
        "num-3",
        "word-muoi",
        "word-minute",
        "word-day",
        "num-7",
        "month-10",
        "word-year",
        "num-2",
        "word-thousand",
        "num-0",
        "word-hundred",
        "num-2",
        "word-muoi",
        "num-1-mot",
        "notice-instructions",
    ]
    none = played(call(sessions, "exposure", ["12#", "0905123456#"]))
    assert none[:3] == ["exposure-enter-phone", "phone-invalid", "exposure-enter-phone"]
    assert none[-1] == "exposure-none"


def test_vaccination_lookup_finds_the_next_slot(sessions):
    with sessions.begin() as s:
        s.add(
            Appointment(
                phone="+84905123456",
                site="TTYT Hải Châu",
                slot_start=datetime(2021, 10, 12, 1, 0, tzinfo=UTC),
                slot_end=datetime(2021, 10, 12, 2, 0, tzinfo=UTC),
            )
        )
    said = played(call(sessions, "vaccination", ["0905123456#"]))
    assert "vaccination-found" in said and said[-1] == "reminder-bring"
    assert played(call(sessions, "vaccination", ["0912345678#"]))[-1] == "vaccination-none"


def test_three_unreadable_numbers_reach_the_operator(sessions):
    fake = call(sessions, "exposure", ["12#", "", "99999#"])
    said = played(fake)
    assert said == [
        "exposure-enter-phone",
        "phone-invalid",
        "exposure-enter-phone",
        "no-input",
        "exposure-enter-phone",
        "transfer-operator",
    ]
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"

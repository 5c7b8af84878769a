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
from ivr.flows.lookups import exposure
from ivr.flows.vaccination import vaccination
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


def follow_ups(sessions):
    with sessions() as s:
        return [d.follow_up for d in s.scalars(sa.select(Declaration))]


def test_complete_declaration_gets_a_code_read_back(sessions):
    fake = call(sessions, "declaration", ["2", "2", "2", "2", "3#"])
    [(phone, answers, complete, code)] = declarations(sessions)
    assert (phone, complete) == ("+84905123456", True)
    assert answers == {
        "symptoms": False, "fever": False, "cough": False, "breathing": False, "people": 3,
    }  # fmt: skip
    assert len(code) == 6 and code.isdigit()
    said = played(fake)
    assert said[-2:] == ["declaration-advice-well", "thank-you"]
    assert [p for p in said[9:] if p.startswith("num-")] == [f"num-{d}" for d in code]
    assert said[5:9] == ["declaration-q-people", "count-entered", "num-3", "declaration-saved"]
    assert follow_ups(sessions) == [False]
    assert not any(line.startswith("exec") for line in fake.log)


def test_a_symptomatic_declaration_is_flagged_and_offered_the_operator(sessions):
    fake = call(sessions, "declaration", ["2", "1", "2", "2", "12#", "1"])
    [(_, answers, complete, _)] = declarations(sessions)
    assert complete and answers["fever"] is True and answers["people"] == 12
    assert follow_ups(sessions) == [True]
    said = played(fake)
    assert said[5:8] == ["declaration-q-people", "count-entered", "num-10"]  # mười hai
    assert said[-3:] == [
        "declaration-advice-symptoms", "declaration-offer-operator", "transfer-operator",
    ]  # fmt: skip
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"


def test_declining_the_operator_ends_with_thanks(sessions):
    fake = call(sessions, "declaration", ["1", "1", "1", "1", "0#", "2"])
    assert declarations(sessions)[0][1]["people"] == 0
    assert played(fake)[-3:] == [
        "declaration-advice-symptoms", "declaration-offer-operator", "thank-you",
    ]  # fmt: skip
    assert not any(line.startswith("exec") for line in fake.log)


def test_the_people_count_forgives_a_wrong_key_and_silence(sessions):
    fake = call(sessions, "declaration", ["2", "2", "2", "2", "*", "", "2#"])
    said = played(fake)
    assert said[5:10] == [
        "declaration-q-people", "invalid-key", "declaration-q-people", "no-input",
        "declaration-q-people",
    ]  # fmt: skip
    assert declarations(sessions)[0][1]["people"] == 2


def test_a_symptomatic_answer_is_flagged_even_when_the_caller_hangs_up(sessions):
    call(sessions, "declaration", ["1"])  # then hangs up at the fever question
    assert declarations(sessions) == [("+84905123456", {"symptoms": True}, False, None)]
    assert follow_ups(sessions) == [True]


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


def test_vaccination_lookup_reads_the_callers_next_slot(sessions):
    with sessions.begin() as s:
        for day, site, status in ((11, "TTYT quận Thanh Khê", "cannot_come"),
                                  (12, "TTYT quận Hải Châu", "booked"),
                                  (13, "TTYT quận Sơn Trà", "booked")):  # fmt: skip
            s.add(
                Appointment(
                    phone="+84905123456",
                    site=site,
                    status=status,
                    slot_start=datetime(2021, 10, day, 1, 0, tzinfo=UTC),
                    slot_end=datetime(2021, 10, day, 2, 0, tzinfo=UTC),
                )
            )
    said = played(call(sessions, "vaccination", []))  # no number typed: the caller's own
    # từ tám giờ đến chín giờ, ngày mười hai tháng mười năm 2021, tại quận Hải Châu
    assert said[:9] == [
        "vaccination-found", "word-from", "num-8", "word-hour", "word-to", "num-9",
        "word-hour", "word-day", "num-10",
    ]  # fmt: skip
    assert said[-3:] == ["appointment-site", "district-hai-chau", "reminder-bring"]
    typed = played(call(sessions, "vaccination", ["0912345678#"], callerid="0912345678"))
    assert typed[0] == "vaccination-enter-phone" and typed[-1] == "vaccination-none"
    relative = played(call(sessions, "vaccination", ["0905123456#"], callerid="unknown"))
    assert relative[0] == "vaccination-enter-phone" and "vaccination-found" in relative


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

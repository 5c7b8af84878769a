"""The rest of the tree over FastAGI, with its records: type-ahead, interruptible menus, the
bulletin, the callback offer after the queue, a caller the hotline was trying to reach, the
reminder and callback calls, and the safety net (missing prompt, database error).

Asterisk's side is agi_fakes' scripted caller (its own parser, not our codec); what the
flows leave behind is read back with SQL.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block, parse_args
from served_calls import NOW, played, serve_call

from ivr.channel import DEFAULT_SOUNDS_DIR
from ivr.flows import ROUTES
from store.attempt_token import make_token
from store.models import (
    Appointment,
    CallAttempt,
    Campaign,
    Contact,
    Declaration,
    InboundCall,
    Location,
)

SECRET = b"tree-flows-test-secret-0123456789"
CALLER = "+84905123456"


class Presses(ScriptedAsterisk):
    """A caller who presses a key while a given prompt plays: it interrupts the prompt when
    it is one of STREAM FILE's escape digits, and is lost otherwise (as on Asterisk)."""

    def __init__(self, keys, during: dict[str, str]):
        super().__init__(list(keys))
        self.during = dict(during)
        self.escapes: dict[str, str] = {}

    def reply(self, line):
        words = parse_args(line)
        if line.startswith("STREAM FILE") and not self.dead:
            prompt = words[2].rsplit("/", 1)[-1]
            self.escapes.setdefault(prompt, words[3])
            key = self.during.pop(prompt, None)
            if key is not None:
                self.commands.append(line)
                self.log.append(f"play {prompt}")
                if key in words[3]:
                    self.log.append(f"key {key} (during)")
                    return f"200 result={ord(key)} endpos=4000\n"
                self.log.append(f"key {key} lost")
                return "200 result=0 endpos=8000\n"
        return super().reply(line)


class MissingPrompts(ScriptedAsterisk):
    """An Asterisk whose sounds folder lacks some prompts: -1 endpos=0, line still up."""

    def __init__(self, keys, missing):
        super().__init__(list(keys))
        self.missing = set(missing)

    def reply(self, line):
        words = parse_args(line)
        media = words[:2] in (["STREAM", "FILE"], ["GET", "DATA"]) and not self.dead
        if media and words[2].rsplit("/", 1)[-1] in self.missing:
            self.commands.append(line)
            self.log.append(f"missing {words[2].rsplit('/', 1)[-1]}")
            return "200 result=-1 endpos=0\n"
        return super().reply(line)


def inbound(sessions, keys=(), *, fake=None, args=(), callerid="0905123456", **context):
    fake = fake or ScriptedAsterisk(list(keys))
    header = header_block("ivr", callerid, list(args))
    context = {"sessions": sessions, "log_calls": True, **context}
    return serve_call(ROUTES, fake, header, **context)


def call_log(sessions) -> list[tuple]:
    with sessions() as s:
        return [(c.path, c.outcome) for c in s.scalars(sa.select(InboundCall))]


# ---- type-ahead and interruptible menus -----------------------------------------------
def test_a_key_pressed_during_the_greeting_is_the_main_menus_choice(sessions):
    fake = inbound(sessions, ["4"], fake=Presses(["4"], {"welcome": "3"}))
    said = played(fake)
    assert said[:2] == ["welcome", "covid-menu"]  # the main menu was never played
    assert fake.escapes["welcome"] == "12390*"  # the main menu's keys, and no other
    assert "covid-bulletin" in said
    assert call_log(sessions) == [(["main", "covid", "flow:bulletin", "covid"], "hangup")]


def test_each_menu_prompt_is_interrupted_by_that_menus_keys_only(sessions):
    fake = Presses(["1"], {"main-menu": "7", "procedures-menu": "4"})
    inbound(sessions, fake=fake)
    assert fake.escapes["main-menu"] == fake.escapes["menu-footer"] == "12390*"
    assert fake.escapes["procedures-menu"] == "123490*"
    assert fake.log[1:3] == ["play main-menu", "key 7 lost"]  # 7 is not a main-menu key
    said = played(fake)
    assert said[:5] == ["welcome", "main-menu", "menu-footer", "procedures-menu",
                        "procedure-business"]  # 4 cut the procedures menu short  # fmt: skip


def test_a_key_the_greeting_does_not_know_is_lost_and_the_menu_plays(sessions):
    fake = inbound(sessions, ["1"], fake=Presses(["1"], {"welcome": "5"}))
    assert played(fake)[:4] == ["welcome", "main-menu", "menu-footer", "procedures-menu"]


def test_covid_4_plays_todays_bulletin_and_any_key_skips_it(sessions):
    fake = Presses(["3", "4", "9"], {"covid-bulletin": "8"})
    said = played(inbound(sessions, fake=fake))
    assert said.count("covid-bulletin") == 1 and fake.escapes["covid-bulletin"] == "0123456789*#"
    assert said[said.index("covid-bulletin") + 1] == "covid-menu"


# ---- back from the queue: the callback offer -----------------------------------------------
def callbacks(sessions):
    with sessions() as s:
        rows = s.execute(sa.select(Campaign, Contact).join(Contact)).all()
        return [(c.name, c.kind, c.status, c.suppress_s, k.phone, k.status) for c, k in rows]


def test_nobody_in_the_queue_then_1_books_a_callback_read_back(sessions):
    fake = inbound(sessions, ["1"], args=["callback"])
    said = played(fake)
    assert said[:2] == ["operator-unavailable", "callback-offer"]
    assert said[2:4] == ["callback-booked", "num-0"] and said[-2:] == ["callback-when", "goodbye"]
    assert fake.log[-1] == "hangup"
    assert callbacks(sessions) == [("callbacks", "callback", "running", 0, CALLER, "pending")]
    assert call_log(sessions) == [(["callback-offer", "callback"], "callback")]


def test_a_second_request_keeps_one_contact_and_a_reached_one_is_asked_again(sessions):
    inbound(sessions, ["1"], args=["callback"])
    inbound(sessions, ["1"], args=["callback"])
    assert len(callbacks(sessions)) == 1
    with sessions.begin() as s:
        contact = s.scalars(sa.select(Contact)).one()
        contact.status, contact.attempts, contact.reached_at = "answered", 1, NOW
    inbound(sessions, ["1"], args=["callback"])
    with sessions() as s:
        contact = s.scalars(sa.select(Contact)).one()
    assert (contact.status, contact.attempts, contact.reached_at) == ("pending", 0, None)


def test_a_withheld_number_types_the_one_to_call_back(sessions):
    fake = inbound(sessions, ["1", "0912345678#"], args=["callback"], callerid="unknown")
    assert played(fake)[2:4] == ["callback-enter-phone", "you-entered"]
    assert [row[4] for row in callbacks(sessions)] == ["+84912345678"]


def test_0_waits_for_an_operator_again_and_9_goes_to_the_menus(sessions):
    again = inbound(sessions, ["0"], args=["callback"])
    assert again.log[-1] == "exec Goto hotline-operator,s,1"
    menus = played(inbound(sessions, ["9", "3"], args=["callback"]))
    assert menus[2:5] == ["main-menu", "menu-footer", "covid-menu"]  # no welcome again
    assert callbacks(sessions) == []


def test_silence_or_a_wrong_key_twice_is_a_polite_goodbye(sessions):
    fake = inbound(sessions, ["", "*", "7"], args=["callback"])
    said = played(fake)
    assert said == ["operator-unavailable", "callback-offer", "no-input", "callback-offer",
                    "callback-offer", "goodbye"]  # * repeats without counting  # fmt: skip
    assert fake.log[-1] == "hangup" and callbacks(sessions) == []


def test_the_call_log_carries_on_across_the_queue(sessions):
    inbound(sessions, ["0"])  # the caller asks for an operator: Goto hotline-operator
    inbound(sessions, ["1"], args=["callback"])  # the same call, back from the queue
    assert call_log(sessions) == [(["main", "operator", "callback-offer", "callback"], "callback")]


# ---- a caller the hotline has been trying to reach ----------------------------------------
@pytest.fixture
def unreached(sessions):
    """An exposure campaign, running, whose contact for the caller is still pending."""
    with sessions.begin() as s:
        s.add(Location(code="DN-0007", name="Chợ Thanh Khê", district="Thanh Khê"))
        campaign = Campaign(name="F0-9 notice", created_at=NOW, status="running")
        s.add(campaign)
        s.flush()
        visit = datetime(2021, 10, 7, 8, 0, tzinfo=UTC)
        s.add(
            Contact(
                campaign_id=campaign.id, phone=CALLER, created_at=NOW, status="pending",
                location_code="DN-0007", checked_in_at=visit,
                why=[{"checkin_id": 1, "location_code": "DN-0007",
                      "checked_in_at": visit.isoformat(), "checked_out_at": None}],
            )
        )  # fmt: skip
    return sessions


def contact_and_declarations(sessions):
    with sessions() as s:
        contact = s.scalars(sa.select(Contact)).one()
        rows = [(d.source, d.contact_id, d.complete) for d in s.scalars(sa.select(Declaration))]
    return contact, rows


def test_the_caller_hears_why_the_hotline_called_then_declares(unreached):
    fake = inbound(unreached, ["1", "2", "2", "2", "2", "1#"])
    said = played(fake)
    assert said[:5] == ["welcome", "notice-intro", "notice-exposure", "notice-place",
                        "district-thanh-khe"]  # fmt: skip
    assert said[said.index("notice-instructions") + 1] == "unreached-offer-declaration"
    contact, decls = contact_and_declarations(unreached)
    assert (contact.status, contact.reached_at) == ("declared", NOW)
    assert decls == [("inbound", contact.id, True)]
    path, _ = call_log(unreached)[0]
    assert path[:3] == ["notice", "flow:declaration", "main"]


def test_any_other_key_goes_to_the_menus_and_the_contact_is_reached(unreached):
    said = played(inbound(unreached, ["2", "3"]))
    offer = said.index("unreached-offer-declaration")
    assert said[offer + 1 : offer + 4] == ["main-menu", "menu-footer", "covid-menu"]
    contact, decls = contact_and_declarations(unreached)
    assert (contact.status, contact.reached_at, decls) == ("answered", NOW, [])
    assert played(inbound(unreached, []))[:2] == ["welcome", "main-menu"]  # told once


def test_a_paused_campaign_or_another_caller_hears_the_usual_welcome(unreached):
    assert played(inbound(unreached, [], callerid="0912345678"))[:2] == ["welcome", "main-menu"]
    with unreached.begin() as s:
        s.scalars(sa.select(Campaign)).one().status = "paused"
    assert played(inbound(unreached, []))[:2] == ["welcome", "main-menu"]
    assert contact_and_declarations(unreached)[0].status == "pending"


# ---- outbound calls of other kinds: the reminder and the callback -------------------------
def outbound(sessions, kind, keys, appointment=True, fake=None):
    with sessions.begin() as s:
        slot = None
        if appointment:
            slot = Appointment(
                phone=CALLER, site="TTYT quận Hải Châu",
                slot_start=datetime(2021, 10, 12, 1, 0, tzinfo=UTC),
                slot_end=datetime(2021, 10, 12, 2, 30, tzinfo=UTC),
            )  # fmt: skip
            s.add(slot)
            s.flush()
        campaign = Campaign(name=kind, kind=kind, created_at=NOW, status="running",
                            appointment_day=date(2021, 10, 12))  # fmt: skip
        s.add(campaign)
        s.flush()
        contact = Contact(
            campaign_id=campaign.id, phone=CALLER, created_at=NOW, status="dialing",
            attempts=1, appointment_id=slot.id if slot else None,
        )  # fmt: skip
        s.add(contact)
        s.flush()
        s.add(CallAttempt(id=77, contact_id=contact.id, number=CALLER, channel_id="hotline-77",
                          state="dialing", originated_at=NOW))  # fmt: skip
    fake = fake or ScriptedAsterisk(list(keys))
    header = header_block("notice", "0905123456", [make_token(SECRET, 77, "hotline-77")])
    return serve_call(ROUTES, fake, header, sessions=sessions, signing_secret=SECRET)


def reminder_state(sessions):
    with sessions() as s:
        appointment = s.scalars(sa.select(Appointment)).one()
        contact = s.scalars(sa.select(Contact)).one()
        attempt = s.get(CallAttempt, 77)
    return appointment, contact, attempt


def test_a_reminder_reads_day_slot_and_site_then_1_confirms(sessions):
    fake = outbound(sessions, "appointment_reminder", ["1"])
    said = played(fake)
    # từ tám giờ đến chín giờ ba mươi phút, ngày mười hai tháng mười …, tại quận Hải Châu
    assert said[:7] == ["reminder-intro", "word-from", "num-8", "word-hour", "word-to", "num-9",
                        "word-hour"]  # fmt: skip
    site = said.index("appointment-site")
    assert said[site:] == ["appointment-site", "district-hai-chau", "reminder-menu",
                           "reminder-confirmed", "reminder-bring", "thank-you"]  # fmt: skip
    appointment, contact, attempt = reminder_state(sessions)
    assert (appointment.status, appointment.responded_at) == ("confirmed", NOW)
    assert (contact.status, contact.reached_at, attempt.outcome) == ("answered", NOW, "answered")
    assert fake.log[-1] == "hangup"
    assert not any("notice-" in p for p in said)


def test_a_reminder_2_cannot_come_and_silence_records_nothing(sessions):
    outbound(sessions, "appointment_reminder", ["2"])
    appointment, _, _ = reminder_state(sessions)
    assert (appointment.status, appointment.responded_at) == ("cannot_come", NOW)


def test_a_reminder_nobody_answers_is_said_twice_then_goodbye(sessions):
    said = played(outbound(sessions, "appointment_reminder", ["", ""]))
    assert said.count("reminder-intro") == 2 and said[-1] == "reminder-goodbye"
    appointment, contact, _ = reminder_state(sessions)
    assert (appointment.status, appointment.responded_at, contact.status) == (
        "booked", None, "answered",
    )  # fmt: skip


def test_a_recorded_site_name_is_said_instead_of_its_district(sessions, tmp_path):
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "site-ttyt-quan-hai-chau.wav").write_bytes(b"RIFF")
    with sessions.begin() as s:
        s.add(Appointment(phone=CALLER, site="TTYT quận Hải Châu",
                          slot_start=datetime(2021, 10, 12, 1, 0, tzinfo=UTC),
                          slot_end=datetime(2021, 10, 12, 2, 0, tzinfo=UTC)))  # fmt: skip
    fake = ScriptedAsterisk([])
    header = header_block("vaccination", "0905123456")
    said = played(serve_call(ROUTES, fake, header, sessions=sessions, sounds_dir=str(tmp_path)))
    assert said[-3:] == ["appointment-site", "site-ttyt-quan-hai-chau", "reminder-bring"]


def test_the_callback_asked_for_says_so_and_goes_to_the_operators(sessions):
    fake = outbound(sessions, "callback", [], appointment=False)
    assert played(fake) == ["callback-intro", "transfer-operator"]
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"  # no hangup after the transfer
    contact, attempt = _contact77(sessions)
    assert (contact.status, contact.reached_at, attempt.state) == ("answered", NOW, "answered")


def _contact77(sessions):
    with sessions() as s:
        return s.scalars(sa.select(Contact)).one(), s.get(CallAttempt, 77)


def test_a_machine_on_a_callback_is_recorded_and_retried_later(sessions):
    fake = ScriptedAsterisk([])
    fake.variables["AMDSTATUS"] = "MACHINE"
    outbound(sessions, "callback", [], appointment=False, fake=fake)
    contact, attempt = _contact77(sessions)
    assert (contact.status, attempt.outcome, played(fake)) == ("dialing", "machine", [])


def test_a_symptomatic_notice_callee_may_talk_to_an_operator(sessions):
    fake = outbound(sessions, "exposure_notice", ["1", "1", "2", "2", "2", "2#", "1"],
                    appointment=False)  # fmt: skip
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"  # not hung up after the transfer
    with sessions() as s:
        declaration = s.scalars(sa.select(Declaration)).one()
        contact = s.scalars(sa.select(Contact)).one()
    assert (declaration.follow_up, declaration.answers["people"]) == (True, 2)
    assert contact.status == "declared"


# ---- the safety net: never silence -------------------------------------------------------
def test_a_missing_prompt_file_is_an_apology_and_the_operator_in_one_log_line(sessions, caplog):
    fake = MissingPrompts(["3", "4"], {"covid-bulletin"})
    with caplog.at_level(logging.INFO, logger="hotline.ivr"):
        inbound(sessions, fake=fake)
    assert fake.log[-4:] == [
        "missing covid-bulletin", "play error-apology", "play transfer-operator",
        "exec Goto hotline-operator,s,1",
    ]  # fmt: skip
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [
        f"flow 'ivr' on call 1795695559.1: prompt {DEFAULT_SOUNDS_DIR}/vi/covid-bulletin"
        " cannot be played (missing file?)"
    ]
    assert call_log(sessions) == [(["main", "covid", "flow:bulletin"], "error")]


def test_a_missing_apology_still_reaches_the_operator(sessions):
    fake = MissingPrompts(["3", "4"], {"covid-bulletin", "error-apology", "transfer-operator"})
    inbound(sessions, fake=fake)
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"


def test_a_database_error_mid_call_is_an_apology_and_the_operator_in_one_log_line(sessions, caplog):
    with sessions.begin() as s:
        s.execute(sa.text("DROP TABLE declaration"))
    with caplog.at_level(logging.INFO, logger="hotline.ivr"):
        fake = inbound(sessions, ["3", "1"])
    assert fake.log[-3:] == ["play error-apology", "play transfer-operator",
                             "exec Goto hotline-operator,s,1"]  # fmt: skip
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].startswith(
        "flow 'ivr' on call 1795695559.1: database error: (sqlite3.OperationalError) "
        "no such table: declaration"
    )
    assert "\n" not in problems[0]
    assert call_log(sessions) == [(["main", "covid", "flow:declaration"], "error")]


class DyingDatabase:
    """A session factory whose database goes away after `works` transactions."""

    def __init__(self, sessions, works: int):
        self._sessions, self.left = sessions, works

    def _check(self) -> None:
        self.left -= 1
        if self.left < 0:
            cause = Exception("server closed the connection unexpectedly")
            raise sa.exc.OperationalError("SELECT 1", {}, cause)

    def __call__(self, **kw):
        self._check()
        return self._sessions(**kw)

    def begin(self):
        self._check()
        return self._sessions.begin()


def test_the_database_going_away_mid_call_costs_one_log_line(sessions, caplog):
    # call log made, exposure check, the walk to the declaration saved; then it is gone
    dying = DyingDatabase(sessions, works=3)
    with caplog.at_level(logging.DEBUG, logger="hotline.ivr"):
        fake = inbound(dying, ["3", "1"])
    assert fake.log[-1] == "exec Goto hotline-operator,s,1"
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == [
        "flow 'ivr' on call 1795695559.1: database error: (builtins.Exception) server closed "
        "the connection unexpectedly"
    ]
    assert call_log(sessions) == [(["main", "covid", "flow:declaration"], None)]

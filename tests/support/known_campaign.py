"""A database with known contents for the report and retention tests.

Campaign 1 'F0-TEST notice' (running), ten contacts at three places, twelve attempts:

  contact  place    attempts (city time, outcome)                      status
  c1       DN-0001  08:05 answered, heard, key 1, declared             declared
  c2       DN-0001  08:10 no_answer; 09:10 answered, heard, key 9      opted_out
  c3       DN-0001  08:20 busy; 09:20 busy; 10:20 no_answer            exhausted
  c4       DN-0002  08:30 answered, heard                              answered
  c5       DN-0002  09:40 answered (hung up before the end)            answered
  c6       DN-0002  08:50 failed, cause 1                              failed
  c7       DN-0002  10:05 answered, heard, key 1, partial declaration  answered
  c8       DN-0003  -                                                  pending
  c9       DN-0001  10:30 still ringing (no outcome)                   dialing
  c10      DN-0003  06:30 no_answer (23:30 UTC the day before)         expired

Funnel: contacts 10, dialed 9, answered 5, heard 4, pressed 3, declared 1, opted out 1,
exhausted 1. Campaign 2 has one answered contact, so a campaign's figures must leave it out.
DN-0003's name looks like a formula; DN-0001's is Vietnamese.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from store.models import (
    CallAttempt,
    Campaign,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
)

DAY = datetime(2021, 10, 8)
FORMULA_NAME = '=HYPERLINK("http://evil.example","Chợ")'
PLACES = {"DN-0001": "Chợ Hàn, Hải Châu", "DN-0002": "Bến xe trung tâm", "DN-0003": FORMULA_NAME}


def city(hhmm: str, day: datetime = DAY) -> datetime:
    """City time (UTC+7) on DAY as aware UTC."""
    hour, minute = map(int, hhmm.split(":"))
    return (day.replace(hour=hour, minute=minute) - timedelta(hours=7)).replace(tzinfo=UTC)


# phone suffix, place, status, final_reason, attempts: (time, outcome, heard, key, cause)
CONTACTS = [
    ("01", "DN-0001", "declared", None, [("08:05", "answered", True, "1", 16)]),
    ("02", "DN-0001", "opted_out", None,
     [("08:10", "no_answer", False, None, 19), ("09:10", "answered", True, "9", 16)]),
    ("03", "DN-0001", "exhausted", "no answer after 3 attempts",
     [("08:20", "busy", False, None, 17), ("09:20", "busy", False, None, 17),
      ("10:20", "no_answer", False, None, 19)]),
    ("04", "DN-0002", "answered", None, [("08:30", "answered", True, None, 16)]),
    ("05", "DN-0002", "answered", None, [("09:40", "answered", False, None, 16)]),
    ("06", "DN-0002", "failed", "unallocated number", [("08:50", "failed", False, None, 1)]),
    ("07", "DN-0002", "answered", None, [("10:05", "answered", True, "1", 16)]),
    ("08", "DN-0003", "pending", None, []),
    ("09", "DN-0001", "dialing", None, [("10:30", None, False, None, None)]),
    ("10", "DN-0003", "expired", "deadline passed", [("06:30", "no_answer", False, None, 19)]),
]  # fmt: skip


def fill(session: Session) -> None:
    for code, name in PLACES.items():
        session.add(Location(code=code, name=name, district="Hải Châu"))
    one = Campaign(name="F0-TEST notice", status="running", created_at=city("07:00"))
    two = Campaign(name="other notice", status="completed", created_at=city("07:00"))
    session.add_all([one, two])
    session.flush()
    channel = 0
    for suffix, place, status, reason, attempts in CONTACTS:
        contact = _contact(one, f"+849050000{suffix}", place, status, reason, len(attempts))
        session.add(contact)
        session.flush()
        for no, (hhmm, outcome, heard, key, cause) in enumerate(attempts, start=1):
            channel += 1
            session.add(_attempt(contact, no, channel, hhmm, outcome, heard, key, cause))
    other = _contact(two, "+84905000099", "DN-0001", "answered", None, 1)
    session.add(other)
    session.flush()
    session.add(_attempt(other, 1, 99, "12:00", "answered", True, "1", 16))
    session.flush()
    _declarations(session)
    session.add_all([
        InboundCall(uniqueid="1633660000.1", caller="+84912345678", started_at=city("09:00"),
                    ended_at=city("09:02"), path=["main", "covid", "flow:declaration"],
                    outcome="hangup"),
        InboundCall(uniqueid="1633660000.2", caller="anonymous", started_at=city("11:00"),
                    ended_at=None, path=["main"], outcome=None),
        Feedback(ticket="2110000001", caller="+84912345678", category="=SUM(1,2)",
                 recording_path="/var/spool/hotline/feedback-2110000001", duration_s=12.34,
                 status="new", created_at=city("09:30")),
    ])  # fmt: skip


def _contact(campaign, phone, place, status, reason, attempts) -> Contact:
    return Contact(
        campaign_id=campaign.id,
        phone=phone,
        priority=1,
        location_code=place,
        checked_in_at=city("07:30", DAY - timedelta(days=2)),
        why=[{"location_code": place, "checked_in_at": "2021-10-06T00:30:00+00:00"}],
        status=status,
        attempts=attempts,
        final_reason=reason,
        created_at=city("07:00"),
    )


def _attempt(contact, no, channel, hhmm, outcome, heard, key, cause) -> CallAttempt:
    start = city(hhmm)  # 06:30 is 23:30 UTC on the 7th: the city hour must still be 06
    answered = start + timedelta(seconds=12) if outcome == "answered" else None
    return CallAttempt(
        contact_id=contact.id,
        attempt_no=no,
        number=contact.phone,
        channel_id=f"hotline-{channel}",
        state="done" if outcome else "dialing",
        originated_at=start,
        answered_at=answered,
        ended_at=start + timedelta(seconds=75) if outcome else None,
        outcome=outcome,
        reason={"answered": 4, "busy": 5, "no_answer": 3, "failed": 0}.get(outcome),
        hangup_cause=cause,
        notice_heard_at=answered + timedelta(seconds=40) if heard else None,
        key_pressed=key,
    )


def _declarations(session: Session) -> None:
    c1, c7 = (session.query(Contact).filter_by(phone=f"+849050000{s}").one() for s in ("01", "07"))
    done = Declaration(phone=c1.phone, source="campaign", contact_id=c1.id, complete=True,
                       confirmation_code="123456", follow_up=True, created_at=city("08:07"),
                       answers={"symptoms": False, "fever": True, "cough": False,
                                "breathing": False})  # fmt: skip
    partial = Declaration(phone=c7.phone, source="campaign", contact_id=c7.id, complete=False,
                          created_at=city("10:07"), answers={"symptoms": True})  # fmt: skip
    inbound = Declaration(phone="+84912345678", source="inbound", complete=True,
                          confirmation_code="654321", created_at=city("09:01"),
                          answers={"symptoms": False, "fever": False, "cough": False,
                                   "breathing": False, "note": "gọi lại"})  # fmt: skip
    session.add_all([done, partial, inbound])
    session.flush()
    for attempt in session.query(CallAttempt).filter(
        CallAttempt.contact_id.in_([c1.id, c7.id]), CallAttempt.answered_at.is_not(None)
    ):
        attempt.declaration_id = done.id if attempt.contact_id == c1.id else partial.id


if __name__ == "__main__":  # the README's example database: known_campaign.py var/known.db
    import sys

    from store.db import make_engine, session_factory
    from store.migrate import upgrade

    engine = make_engine(f"sqlite:///{sys.argv[1]}")
    upgrade(engine)
    with session_factory(engine).begin() as session:
        fill(session)
    print(f"wrote the tests' known campaign to {sys.argv[1]}")

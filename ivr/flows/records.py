# Rules: the only place flows touch the database. Each method is one short transaction,
# committed before the call goes on (the database is the truth: a caller who hangs up
# after question two leaves a declaration with two answers). Methods are blocking and
# run in a worker thread (`Records.run`), so a slow disk never stalls other calls.
# Time comes from the injected clock (context "clock"), never from a direct read.
# The notice reads an attempt only after its HOTLINE_ATTEMPT token checks out
# (store.attempt_token): signed for that attempt and its ChannelId, attempt not ended.
# A contact is "reached" once, by whichever comes first: the dialer's call or the person
# calling 1022 themselves; a reached contact is never set back to pending, except on the
# standing callbacks campaign when the person asks for another callback.
"""Declarations, feedback tickets and lookups, as flows need them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ivr.channel import Channel
from store.attempt_states import step
from store.attempt_token import parse_token, tag_matches
from store.models import (
    Appointment,
    CallAttempt,
    Campaign,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
    OptOut,
)
from store.phones import PhoneError, normalize_phone

Clock = Callable[[], datetime]
CALLBACK_CAMPAIGN = "callbacks"  # the standing campaign of callers who asked to be called
UNREACHED = ("pending", "dialing")
APPOINTMENT_REPLIES = ("confirmed", "cannot_come")


def utc_now() -> datetime:
    return datetime.now(UTC)


def caller_e164(callerid: str) -> str | None:
    """The caller's number as stored everywhere, or None for 'unknown' or foreign numbers."""
    try:
        return normalize_phone(callerid)
    except PhoneError:
        return None


FEEDBACK_FORMAT = "wav"


@dataclass(frozen=True)
class FeedbackTicket:
    id: int
    ticket: str  # nine digits: yymm and five random ones
    path: str  # the recording, without the extension (RECORD FILE adds it)

    @property
    def file(self) -> str:
        return f"{self.path}.{FEEDBACK_FORMAT}"


@dataclass(frozen=True)
class Visit:
    location_code: str
    checked_in_at: datetime


@dataclass(frozen=True)
class NoticeTarget:
    """What the notice call needs to say, read when the callee answers (attempt_id 0: no
    attempt, the person called 1022 themselves)."""

    attempt_id: int
    contact_id: int
    phone: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    place_prompt: str | None = None  # the location's own recorded name (loc-<code>)
    district: str = ""
    leave_message: bool = False  # an answering machine hears a short message
    kind: str = "exposure_notice"  # the campaign's kind (appointment_reminder, callback)
    appointment_id: int | None = None


@dataclass(frozen=True)
class AppointmentSlot:
    """An appointment as the reminder and the lookup say it."""

    id: int
    site: str
    slot_start: datetime
    slot_end: datetime
    status: str


class NoticeRefused(Exception):
    """A notice session whose token does not open its attempt; the message says why
    (never the token itself)."""


class Records:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now):
        self.sessions = sessions
        self.clock = clock

    @classmethod
    def of(cls, channel: Channel) -> Records:
        sessions = channel.context.get("sessions")
        if sessions is None:
            raise RuntimeError("this flow needs the database: start the server with a database")
        return cls(sessions, channel.context.get("clock") or utc_now)

    async def run(self, method, *args):
        return await asyncio.to_thread(method, *args)

    # ---- declarations -------------------------------------------------------------------
    def start_declaration(self, phone: str, source: str, contact_id: int | None = None) -> int:
        with self.sessions.begin() as s:
            row = Declaration(
                phone=phone,
                source=source,
                contact_id=contact_id,
                answers={},
                complete=False,
                created_at=self.clock(),
            )
            s.add(row)
            s.flush()
            return row.id

    def save_answers(
        self, declaration_id: int, answers: dict[str, Any], follow_up: bool = False
    ) -> None:
        """The answers so far; `follow_up` flags a symptomatic declaration (never unset)."""
        with self.sessions.begin() as s:
            row = s.get(Declaration, declaration_id)
            row.answers = dict(answers)
            row.follow_up = row.follow_up or follow_up

    def complete_declaration(
        self, declaration_id: int, answers: dict[str, Any], follow_up: bool = False
    ) -> str:
        """Marks it complete with a fresh six-digit confirmation code, unique in the table."""
        for _ in range(20):
            code = f"{secrets.randbelow(10**6):06d}"
            try:
                with self.sessions.begin() as s:
                    row = s.get(Declaration, declaration_id)
                    row.answers, row.complete, row.confirmation_code = dict(answers), True, code
                    row.follow_up = row.follow_up or follow_up
                return code
            except IntegrityError:
                continue
        raise RuntimeError("no free confirmation code after 20 tries")

    # ---- feedback -----------------------------------------------------------------------
    def new_feedback(self, caller: str, category: str, recordings_dir: str) -> FeedbackTicket:
        """A ticket and where its recording goes, saved before the caller speaks."""
        phone = caller_e164(caller) or caller[:64]
        for _ in range(20):
            ticket = f"{self.clock():%y%m}{secrets.randbelow(10**5):05d}"
            path = f"{recordings_dir}/feedback-{ticket}"
            try:
                with self.sessions.begin() as s:
                    row = Feedback(
                        ticket=ticket,
                        caller=phone,
                        category=category,
                        recording_path=f"{path}.{FEEDBACK_FORMAT}",
                        status="recording",
                        created_at=self.clock(),
                    )
                    s.add(row)
                    s.flush()
                    return FeedbackTicket(row.id, ticket, path)
            except IntegrityError:
                continue
        raise RuntimeError("no free ticket number after 20 tries")

    def finish_feedback(
        self, feedback_id: int, status: str, seconds: float | None, file_gone: bool = False
    ) -> None:
        """The ticket's outcome and its recording's length; `file_gone`: no file to point at."""
        with self.sessions.begin() as s:
            row = s.get(Feedback, feedback_id)
            row.status, row.duration_s = status, seconds
            if file_gone:
                row.recording_path = None

    # ---- inbound calls -----------------------------------------------------------------
    def start_inbound(self, uniqueid: str, caller: str) -> tuple[int, list[str]]:
        """The call's row and its path so far, made once per Asterisk uniqueid (an AGI the
        dialplan runs again on the same call, back from the operators' queue, carries on)."""
        with self.sessions.begin() as s:
            row = s.scalar(sa.select(InboundCall).where(InboundCall.uniqueid == uniqueid))
            if row is None:
                row = InboundCall(
                    uniqueid=uniqueid, caller=caller[:64], started_at=self.clock(), path=[]
                )
                s.add(row)
                s.flush()
            return row.id, list(row.path or [])

    def update_inbound(self, call_id: int, path: list[str], outcome: str | None) -> None:
        with self.sessions.begin() as s:
            row = s.get(InboundCall, call_id)
            row.path = list(path)
            if outcome is not None:
                row.outcome, row.ended_at = outcome, self.clock()

    # ---- the outbound notice ------------------------------------------------------------
    def notice_target(self, token: str, secret: bytes | None) -> NoticeTarget:
        """What to tell the callee of the attempt the token (the dialer's HOTLINE_ATTEMPT)
        proves; NoticeRefused for one not ours or over (a replay), before any row changes."""
        with self.sessions() as s:
            attempt = self._signed_attempt(s, token, secret)
            contact = s.get(Contact, attempt.contact_id)
            return _target(s, attempt.id, contact, s.get(Campaign, contact.campaign_id))

    def _signed_attempt(self, s: Session, token: str, secret: bytes | None) -> CallAttempt:
        if not secret:
            raise NoticeRefused("no signing secret configured")
        parsed = parse_token(token)
        if parsed is None:
            raise NoticeRefused("no well-formed attempt token")
        attempt_id, tag = parsed
        attempt = s.get(CallAttempt, attempt_id)
        if attempt is None:
            raise NoticeRefused(f"no attempt {attempt_id}")
        if not tag_matches(secret, attempt_id, attempt.channel_id, tag):
            raise NoticeRefused(f"attempt {attempt_id}: the token's tag is not ours")
        if attempt.ended_at is not None or attempt.state == "done":
            raise NoticeRefused(f"attempt {attempt_id} has already ended (a replay)")
        return attempt

    def notice_answered(self, attempt_id: int) -> None:
        """The callee is on the line: the attempt is answered, the contact reached."""
        with self.sessions.begin() as s:
            attempt = s.get(CallAttempt, attempt_id)
            if attempt.state in ("dialing", "unknown"):
                attempt.state = step(attempt.state, "answered")
            attempt.outcome = "answered"
            attempt.answered_at = attempt.answered_at or self.clock()
            contact = s.get(Contact, attempt.contact_id)
            if contact.status in ("pending", "dialing"):
                contact.status = "answered"
                contact.reached_at = contact.reached_at or self.clock()

    def notice_machine(self, attempt_id: int) -> None:
        """AMD heard an answering machine: the attempt is a machine, the contact not reached
        (the dialer retries it later)."""
        with self.sessions.begin() as s:
            attempt = s.get(CallAttempt, attempt_id)
            if attempt.state in ("dialing", "unknown"):
                attempt.state = step(attempt.state, "answered")
            attempt.state = step(attempt.state, "machine")
            attempt.outcome = "machine"
            attempt.amd_status = "MACHINE"
            attempt.answered_at = attempt.answered_at or self.clock()

    def notice_heard(self, attempt_id: int) -> None:
        with self.sessions.begin() as s:
            attempt = s.get(CallAttempt, attempt_id)
            attempt.notice_heard_at = attempt.notice_heard_at or self.clock()

    def notice_key(self, attempt_id: int, key: str) -> None:
        """The first key the callee pressed in answer to the notice."""
        with self.sessions.begin() as s:
            attempt = s.get(CallAttempt, attempt_id)
            attempt.key_pressed = attempt.key_pressed or key[:8]

    def opt_out(self, target: NoticeTarget) -> None:
        with self.sessions.begin() as s:
            if s.get(OptOut, target.phone) is None:
                s.add(
                    OptOut(
                        phone=target.phone,
                        reason="pressed 9 on a notice call (was not there)",
                        since=self.clock(),
                    )
                )
            s.get(Contact, target.contact_id).status = "opted_out"

    def mark_declared(self, target: NoticeTarget, declaration_id: int) -> None:
        with self.sessions.begin() as s:
            s.get(Contact, target.contact_id).status = "declared"
            s.get(CallAttempt, target.attempt_id).declaration_id = declaration_id

    # ---- a contact who calls 1022 before the dialer reached them ------------------------
    def unreached_contact(self, phone: str) -> NoticeTarget | None:
        """This phone's first contact not yet reached in a running exposure campaign."""
        with self.sessions() as s:
            row = s.execute(
                sa.select(Contact, Campaign)
                .join(Campaign, Campaign.id == Contact.campaign_id)
                .where(
                    Contact.phone == phone,
                    Contact.status.in_(UNREACHED),
                    Campaign.kind == "exposure_notice",
                    Campaign.status == "running",
                )
                .order_by(Contact.priority, Campaign.id)
                .limit(1)
            ).first()
            return None if row is None else _target(s, 0, row.Contact, row.Campaign)

    def contact_reached(self, contact_id: int) -> None:
        """The person heard the notice on a call of their own: reached, not called again."""
        with self.sessions.begin() as s:
            contact = s.get(Contact, contact_id)
            if contact.status in UNREACHED:
                contact.status = "answered"
                contact.reached_at = contact.reached_at or self.clock()

    def contact_declared(self, contact_id: int) -> None:
        with self.sessions.begin() as s:
            s.get(Contact, contact_id).status = "declared"

    # ---- callbacks ------------------------------------------------------------------------
    def request_callback(self, phone: str) -> bool:
        """Put the phone on the standing callbacks campaign (made on first use: running,
        never suppressed by other campaigns' calls, never completed by the dialer). True when
        it was added (or asked again after an earlier callback), False when already waiting."""
        for _ in range(5):  # two first callers may race to make the campaign
            try:
                with self.sessions.begin() as s:
                    return self._request_callback(s, phone)
            except IntegrityError:
                continue
        raise RuntimeError("could not record the callback request after 5 tries")

    def _request_callback(self, s: Session, phone: str) -> bool:
        now = self.clock()
        # One read decides both whether to make the campaign and its name, so two first
        # callers always pick the same name and the unique name lets only one of them in.
        campaign = s.scalar(
            sa.select(Campaign)
            .where(Campaign.kind == "callback")
            .order_by(Campaign.id.desc())
            .limit(1)
        )
        if campaign is None or campaign.status in ("completed", "cancelled"):
            name = CALLBACK_CAMPAIGN if campaign is None else _next_name(campaign.name)
            campaign = Campaign(
                name=name, kind="callback", status="running", created_at=now,
                start_at=now, started_at=now, suppress_s=0,
            )  # fmt: skip
            s.add(campaign)
            s.flush()
        contact = s.scalar(
            sa.select(Contact).where(Contact.campaign_id == campaign.id, Contact.phone == phone)
        )
        if contact is None:
            s.add(Contact(campaign_id=campaign.id, phone=phone, priority=1, created_at=now))
            return True
        if contact.status in UNREACHED:
            return False
        contact.status, contact.attempts, contact.next_attempt_at = "pending", 0, None
        contact.final_reason = contact.last_outcome = contact.reached_at = None
        return True

    # ---- appointments -------------------------------------------------------------------
    def appointment(self, appointment_id: int) -> AppointmentSlot | None:
        with self.sessions() as s:
            row = s.get(Appointment, appointment_id)
            return None if row is None else _slot(row)

    def appointment_reply(self, appointment_id: int, status: str) -> None:
        """The callee's answer to a reminder: confirmed or cannot_come, and when."""
        if status not in APPOINTMENT_REPLIES:
            raise ValueError(f"not an appointment reply: {status!r}")
        with self.sessions.begin() as s:
            row = s.get(Appointment, appointment_id)
            row.status, row.responded_at = status, self.clock()

    # ---- lookups ------------------------------------------------------------------------
    def exposure_visits(self, phone: str) -> list[Visit]:
        """Visits that put this phone on an exposure campaign's list, earliest first."""
        with self.sessions() as s:
            rows = s.scalars(
                sa.select(Contact.why)
                .join(Campaign)
                .where(
                    Contact.phone == phone,
                    Campaign.kind == "exposure_notice",
                    Campaign.status != "cancelled",
                )
            )
            visits = {(r["location_code"], r["checked_in_at"]) for why in rows for r in why}
        return sorted(
            (Visit(code, datetime.fromisoformat(t)) for code, t in visits),
            key=lambda v: v.checked_in_at,
        )

    def next_appointment(self, phone: str) -> AppointmentSlot | None:
        """The phone's next appointment not yet over (one it said it cannot come to aside)."""
        with self.sessions() as s:
            row = s.scalar(
                sa.select(Appointment)
                .where(
                    Appointment.phone == phone,
                    Appointment.slot_end >= self.clock(),
                    Appointment.status != "cannot_come",
                )
                .order_by(Appointment.slot_start)
                .limit(1)
            )
            return None if row is None else _slot(row)


def _slot(row: Appointment) -> AppointmentSlot:
    return AppointmentSlot(row.id, row.site, row.slot_start, row.slot_end, row.status)


def _target(s: Session, attempt_id: int, contact: Contact, campaign: Campaign) -> NoticeTarget:
    """What a notice says to this contact: the first matching visit, its place."""
    first = contact.why[0] if contact.why else {}
    location = s.scalar(sa.select(Location).where(Location.code == (contact.location_code or "")))
    out = first.get("checked_out_at")
    return NoticeTarget(
        attempt_id,
        contact.id,
        contact.phone,
        contact.checked_in_at,
        datetime.fromisoformat(out) if out else None,
        place_prompt=location.prompt_id if location is not None else None,
        district=location.district if location is not None else "",
        leave_message=campaign.leave_message,
        kind=campaign.kind,
        appointment_id=contact.appointment_id,
    )


def _next_name(name: str) -> str:
    """'callbacks' -> 'callbacks 2' -> 'callbacks 3': the standing campaign after the last."""
    stem, _, number = name.rpartition(" ")
    if stem and number.isdigit():
        return f"{stem} {int(number) + 1}"
    return f"{name} 2"

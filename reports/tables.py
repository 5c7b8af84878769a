# Rules: each export is one query streamed with yield_per (never a whole table in memory),
# in a stable order, one row per contact, attempt, declaration, inbound call or feedback
# ticket. Phones are masked unless `unmask` (the caller audits that). Times are city time
# (Asia/Ho_Chi_Minh) as Excel reads them, 2021-10-07 14:30:05. Answers of the keypad
# declaration get a column each (ANSWER_KEYS, the questions of ivr.flows.declaration);
# any other answer goes into "other answers" as key=value.
"""The per-row exports: campaign contacts, attempts, declarations, inbound calls, feedback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dialer.times import city_time
from reports.causes import cause_text
from reports.masking import mask_phone
from store.models import (
    CallAttempt,
    Campaign,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
)

ANSWER_KEYS = ("symptoms", "fever", "cough", "breathing")
YIELD_PER = 2000
_CITY_OFFSET = timedelta(hours=7)
_FIXED_SINCE = datetime(1976, 1, 1, tzinfo=UTC)


@dataclass
class Export:
    what: str  # e.g. "campaign 3 contacts", for the audit and the CLI's last line
    header: list[str]
    rows: Iterator[list]


def city(value: datetime | None) -> str:
    """City time as Excel reads it: 2021-10-07 14:30:05 (UTC+7 since 1975: one addition)."""
    if value is None:
        return ""
    local = value + _CITY_OFFSET if value >= _FIXED_SINCE else city_time(value)
    return local.isoformat(" ", "seconds")[:19]


def seconds(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else round((end - start).total_seconds())


def phone_shown(unmask: bool) -> Callable[[str | None], str]:
    return (lambda p: p or "") if unmask else mask_phone


def answer_cells(answers: dict | None) -> list:
    answers = answers or {}
    other = "; ".join(f"{k}={v}" for k, v in sorted(answers.items()) if k not in ANSWER_KEYS)
    return [*(answers.get(k) for k in ANSWER_KEYS), other]


ANSWER_HEADER = [*ANSWER_KEYS, "other answers"]
CAMPAIGN_HEADER = [
    "phone", "priority", "location", "location name", "checked in at", "visits",
    "all locations", "status", "final reason", "attempts", "last outcome", "first answered at",
    "heard the notice", "key pressed", "declared", "declaration complete", "confirmation code",
    "follow up", *ANSWER_HEADER,
]  # fmt: skip


def campaign_export(session: Session, campaign: Campaign, *, unmask: bool = False) -> Export:
    """One row per contact: why, attempts, final outcome, answered at, declared, answers."""
    of_campaign = Contact.campaign_id == campaign.id
    tries = (
        sa.select(
            CallAttempt.contact_id,
            sa.func.count().label("n"),
            sa.func.min(CallAttempt.answered_at).label("answered_at"),
            sa.func.max(CallAttempt.notice_heard_at).label("heard_at"),
            sa.func.max(CallAttempt.key_pressed).label("key"),
        )
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(of_campaign)
        .group_by(CallAttempt.contact_id)
        .subquery()
    )
    latest = (
        sa.select(Declaration.contact_id, sa.func.max(Declaration.id).label("id"))
        .join(Contact, Contact.id == Declaration.contact_id)
        .where(of_campaign)
        .group_by(Declaration.contact_id)
        .subquery()
    )
    query = (
        sa.select(
            Contact.phone, Contact.priority, Contact.location_code, Location.name,
            Contact.checked_in_at, Contact.why, Contact.status, Contact.final_reason, tries.c.n,
            Contact.last_outcome, tries.c.answered_at, tries.c.heard_at, tries.c.key,
            Declaration.id, Declaration.complete, Declaration.confirmation_code,
            Declaration.follow_up, Declaration.answers,
        )
        .outerjoin(Location, Location.code == Contact.location_code)
        .outerjoin(tries, tries.c.contact_id == Contact.id)
        .outerjoin(latest, latest.c.contact_id == Contact.id)
        .outerjoin(Declaration, Declaration.id == latest.c.id)
        .where(of_campaign)
        .order_by(Contact.priority, Contact.checked_in_at, Contact.phone)
        .execution_options(yield_per=YIELD_PER)
    )  # fmt: skip
    show = phone_shown(unmask)

    def rows() -> Iterator[list]:
        for (phone, priority, code, place, checked_in_at, why, status, reason, n, last, answered,
             heard, key, declaration, complete, confirmation, follow_up, answers,
             ) in session.execute(query):  # fmt: skip
            why = why or []
            yield [
                show(phone), priority, code, place or "", city(checked_in_at), len(why),
                " ".join(sorted({w.get("location_code", "") for w in why})), status,
                reason or "", n or 0, last or "", city(answered), heard is not None, key or "",
                status == "declared", complete, confirmation or "",
                follow_up if declaration else None, *answer_cells(answers),
            ]  # fmt: skip

    return Export(f"campaign {campaign.id} contacts", CAMPAIGN_HEADER, rows())


ATTEMPT_HEADER = [
    "phone", "attempt", "originated at", "answered at", "ended at", "talk seconds", "outcome",
    "state", "ami reason", "hangup cause", "cause text", "amd", "heard the notice",
    "key pressed", "declaration", "worker", "recording",
]  # fmt: skip


def attempts_export(session: Session, campaign: Campaign, *, unmask: bool = False) -> Export:
    """One row per attempt, with the AMI reason and the Q.850 hangup cause."""
    a = CallAttempt
    query = (
        sa.select(
            Contact.phone, a.attempt_no, a.originated_at, a.answered_at, a.ended_at, a.outcome,
            a.state, a.reason, a.hangup_cause, a.cause_txt, a.amd_status, a.notice_heard_at,
            a.key_pressed, a.declaration_id, a.worker, a.recording_path,
        )
        .join(Contact, Contact.id == a.contact_id)
        .where(Contact.campaign_id == campaign.id)
        .order_by(a.originated_at, a.id)
        .execution_options(yield_per=YIELD_PER)
    )  # fmt: skip
    show = phone_shown(unmask)

    def rows() -> Iterator[list]:
        for (phone, no, originated, answered, ended, outcome, state, reason, cause, cause_txt,
             amd, heard, key, declaration, worker, recording,
             ) in session.execute(query):  # fmt: skip
            yield [
                show(phone), no, city(originated), city(answered), city(ended),
                seconds(answered, ended), outcome or "", state, reason, cause,
                cause_text(cause, cause_txt), amd or "", heard is not None, key or "",
                declaration, worker, recording or "",
            ]  # fmt: skip

    return Export(f"campaign {campaign.id} attempts", ATTEMPT_HEADER, rows())


DECLARATION_HEADER = [
    "id", "created at", "phone", "source", "campaign", "complete", "follow up",
    "confirmation code", *ANSWER_HEADER,
]  # fmt: skip


def declarations_export(
    session: Session, since: datetime | None = None, *, unmask: bool = False
) -> Export:
    query = (
        sa.select(Declaration, Campaign.name)
        .outerjoin(Contact, Contact.id == Declaration.contact_id)
        .outerjoin(Campaign, Campaign.id == Contact.campaign_id)
        .where(*_since(Declaration.created_at, since))
        .order_by(Declaration.created_at, Declaration.id)
        .execution_options(yield_per=YIELD_PER)
    )
    show = phone_shown(unmask)

    def rows() -> Iterator[list]:
        for d, campaign_name in session.execute(query):
            yield [
                d.id, city(d.created_at), show(d.phone), d.source, campaign_name or "",
                d.complete, d.follow_up, d.confirmation_code or "", *answer_cells(d.answers),
            ]  # fmt: skip

    return Export("declarations", DECLARATION_HEADER, rows())


CALL_HEADER = ["started at", "ended at", "seconds", "caller", "path", "outcome"]


def calls_export(session: Session, since: datetime | None = None, *, unmask: bool = False):
    query = (
        sa.select(InboundCall)
        .where(*_since(InboundCall.started_at, since))
        .order_by(InboundCall.started_at, InboundCall.id)
        .execution_options(yield_per=YIELD_PER)
    )
    show = phone_shown(unmask)

    def rows() -> Iterator[list]:
        for (c,) in session.execute(query):
            yield [
                city(c.started_at), city(c.ended_at), seconds(c.started_at, c.ended_at),
                show(c.caller), " > ".join(str(step) for step in c.path or []), c.outcome or "",
            ]  # fmt: skip

    return Export("inbound calls", CALL_HEADER, rows())


FEEDBACK_HEADER = ["ticket", "created at", "caller", "category", "status", "seconds", "recording"]


def feedback_export(session: Session, since: datetime | None = None, *, unmask: bool = False):
    query = (
        sa.select(Feedback)
        .where(*_since(Feedback.created_at, since))
        .order_by(Feedback.created_at, Feedback.id)
        .execution_options(yield_per=YIELD_PER)
    )
    show = phone_shown(unmask)

    def rows() -> Iterator[list]:
        for (f,) in session.execute(query):
            duration = None if f.duration_s is None else round(f.duration_s, 1)
            yield [f.ticket, city(f.created_at), show(f.caller), f.category, f.status, duration,
                   f.recording_path or ""]  # fmt: skip

    return Export("feedback", FEEDBACK_HEADER, rows())


def _since(column, since: datetime | None) -> list:
    return [] if since is None else [column >= since]

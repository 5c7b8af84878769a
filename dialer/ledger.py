"""The dialer's writes: claims, attempts, outcomes, reconciliation, campaign upkeep.

Rules (principle 3, "the database is the truth"): each function is one short transaction
run by the caller (`with sessions.begin()`), committed before the telephony action that
depends on it. A contact is claimed a little ahead with a lease (its worker and an expiry;
on PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers sharing a campaign never claim the same
contact); its attempt is written `queued` in the same transaction and `dialing` just before
the Originate leaves, after counting the campaign's channels in use (on PostgreSQL under a
lock on the campaign row), so a `queued` attempt was certainly never sent (it is deleted
and its contact put back) and a `dialing` one may have been (it is followed or becomes
`unknown`). The notice flow settles a reached contact's status itself (answered, declared,
opted_out); here a contact's status is only changed while it is still `dialing` or
`pending`. Time is always an argument.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dialer.attempts import Outcome, best_cause, classify, step
from dialer.policy import ContactFacts, Policy, after_attempt, eligibility
from store.models import (
    BadNumber,
    CallAttempt,
    Campaign,
    Contact,
    Declaration,
    DialerWorker,
    Lease,
    OptOut,
)

_IN_CHUNK = 500


@dataclass(frozen=True)
class CampaignPlan:
    """A running campaign as the engine needs it (read once per refresh)."""

    id: int
    name: str
    status: str
    case_id: int | None
    policy: Policy
    amd: bool = False
    record: bool = False
    caller_id: str = ""


@dataclass(frozen=True)
class Claimed:
    attempt_id: int
    contact_id: int
    campaign_id: int
    phone: str
    attempt_no: int
    channel_id: str

    @property
    def other_id(self) -> str:
        return other_channel_id(self.channel_id)


@dataclass
class ClaimResult:
    claimed: list[Claimed] = field(default_factory=list)
    skipped: int = 0
    deferred: int = 0
    next_due: datetime | None = None  # when fewer than asked: the next retry's time


def other_channel_id(channel_id: str) -> str:
    """The Uniqueid we give the far half of a Local channel (OtherChannelId)."""
    return f"{channel_id}-2"


def new_channel_id() -> str:
    return f"hotline-{uuid.uuid4().hex}"


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- campaigns ---------------------------------------------------------------------------
def plan_of(campaign: Campaign) -> CampaignPlan:
    return CampaignPlan(
        id=campaign.id,
        name=campaign.name,
        status=campaign.status,
        case_id=campaign.case_id,
        policy=Policy.of(campaign),
        amd=campaign.amd,
        record=campaign.record,
        caller_id=campaign.caller_id,
    )


def load_plans(session: Session, statuses: Iterable[str] = ("running",)) -> list[CampaignPlan]:
    rows = session.scalars(
        sa.select(Campaign).where(Campaign.status.in_(list(statuses))).order_by(Campaign.id)
    )
    return [plan_of(c) for c in rows]


def dialing_attempts(session: Session, campaign_id: int, *, lock: bool = False) -> int:
    """Attempts of the campaign holding a channel now (dialed, not ended), every worker's.
    With `lock` (the dialer, on PostgreSQL) the campaign row is locked first, so two workers
    never both take the last channel."""
    if lock and is_postgres(session):
        session.execute(sa.select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(CallAttempt)
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(
            CallAttempt.ended_at.is_(None),
            CallAttempt.state != "queued",
            Contact.campaign_id == campaign_id,
        )
    )


def live_attempts(session: Session, campaign_id: int) -> int:
    """Attempts of the campaign that may hold a channel now (no end yet), every worker's."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(CallAttempt)
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(CallAttempt.ended_at.is_(None), Contact.campaign_id == campaign_id)
    )


# --- claims ------------------------------------------------------------------------------
def claim(
    session: Session,
    plan: CampaignPlan,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
) -> ClaimResult:
    """Claim up to `limit` contacts that may be called now, in calling order, each with a
    queued attempt; contacts the never-call rules exclude are settled or deferred."""
    result = ClaimResult()
    policy = plan.policy
    if limit <= 0 or not policy.window.is_open(now) or policy.expired(now):
        return result
    postgres = is_postgres(session)
    for _ in range(20):  # each round settles or claims every row it reads
        if limit - len(result.claimed) <= 0:
            break
        query = (
            sa.select(Contact)
            .where(
                Contact.campaign_id == plan.id,
                Contact.status == "pending",
                sa.or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= now),
            )
            .order_by(Contact.priority, Contact.checked_in_at, Contact.id)
            .limit(limit - len(result.claimed))
        )
        if postgres:
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        if not rows:
            break
        facts = contact_facts(session, plan, [c.phone for c in rows], now)
        for contact in rows:
            verdict = eligibility(policy, facts.get(contact.phone, ContactFacts()), now)
            if verdict.action == "skip":
                contact.status, contact.final_reason = verdict.status, verdict.reason
                contact.next_attempt_at = None
                result.skipped += 1
            elif verdict.action == "defer":
                contact.next_attempt_at = verdict.until
                result.deferred += 1
            else:
                result.claimed.append(_queue_attempt(session, contact, worker, now, lease))
        session.flush()
    if len(result.claimed) < limit:
        result.next_due = session.scalar(
            sa.select(sa.func.min(Contact.next_attempt_at)).where(
                Contact.campaign_id == plan.id,
                Contact.status == "pending",
                Contact.next_attempt_at > now,
            )
        )
    return result


def _queue_attempt(
    session: Session, contact: Contact, worker: str, now: datetime, lease: timedelta
) -> Claimed:
    contact.attempts += 1
    contact.status = "dialing"
    contact.lease_owner, contact.lease_expires_at = worker, now + lease
    attempt = CallAttempt(
        contact_id=contact.id,
        attempt_no=contact.attempts,
        worker=worker,
        state="queued",
        number=contact.phone,
        channel_id=new_channel_id(),
        originated_at=now,
    )
    session.add(attempt)
    session.flush()
    return Claimed(
        attempt.id,
        contact.id,
        contact.campaign_id,
        contact.phone,
        attempt.attempt_no,
        attempt.channel_id,
    )


def contact_facts(
    session: Session, plan: CampaignPlan, phones: list[str], now: datetime
) -> dict[str, ContactFacts]:
    """What the never-call rules need, for a batch of phones, in a few indexed queries."""
    opted, bad, declared, last, live = set(), set(), set(), {}, set()
    for i in range(0, len(phones), _IN_CHUNK):
        chunk = phones[i : i + _IN_CHUNK]
        opted.update(session.scalars(sa.select(OptOut.phone).where(OptOut.phone.in_(chunk))))
        bad.update(session.scalars(sa.select(BadNumber.phone).where(BadNumber.phone.in_(chunk))))
        if plan.case_id is not None:
            declared.update(
                session.scalars(
                    sa.select(Declaration.phone)
                    .join(Contact, Contact.id == Declaration.contact_id)
                    .join(Campaign, Campaign.id == Contact.campaign_id)
                    .where(
                        Declaration.phone.in_(chunk),
                        Declaration.complete.is_(True),
                        Campaign.case_id == plan.case_id,
                    )
                )
            )
        elsewhere = (
            sa.select(
                CallAttempt.number,
                sa.func.max(CallAttempt.originated_at),
                sa.func.count(CallAttempt.ended_at) < sa.func.count(),
            )
            .join(Contact, Contact.id == CallAttempt.contact_id)
            .where(
                CallAttempt.number.in_(chunk),
                Contact.campaign_id != plan.id,
                sa.or_(
                    CallAttempt.originated_at > now - plan.policy.suppress,
                    CallAttempt.ended_at.is_(None),
                ),
            )
            .group_by(CallAttempt.number)
        )
        for number, latest, has_live in session.execute(elsewhere):
            last[number] = latest
            if has_live:
                live.add(number)
    return {
        p: ContactFacts(
            opted_out=p in opted,
            bad_number=p in bad,
            declared_for_case=p in declared,
            last_call_elsewhere=last.get(p),
            live_elsewhere=p in live,
        )
        for p in phones
    }


def not_sent(session: Session, attempt_id: int) -> None:
    """The Originate never went out (the link was down) or Asterisk refused it at once
    (Response: Error): nobody was dialed, so the claim is given back whole, as if it had
    never been made."""
    attempt = session.get(CallAttempt, attempt_id)
    if attempt is not None and attempt.state in ("queued", "dialing") and attempt.reason is None:
        _unqueue(session, attempt)


def release(session: Session, attempt_ids: Iterable[int]) -> int:
    """Give back claims whose Originate never left (pause, shutdown): the queued attempt
    goes, the contact is pending again with its attempt count restored."""
    n = 0
    for attempt in session.scalars(
        sa.select(CallAttempt).where(
            CallAttempt.id.in_(list(attempt_ids)), CallAttempt.state == "queued"
        )
    ):
        _unqueue(session, attempt)
        n += 1
    return n


def _unqueue(session: Session, attempt: CallAttempt) -> None:
    contact = session.get(Contact, attempt.contact_id)
    contact.attempts -= 1
    if contact.status == "dialing":
        contact.status = "pending"
    contact.lease_owner = contact.lease_expires_at = None
    session.delete(attempt)


# --- one attempt's life ----------------------------------------------------------------------
def mark_dialing(session: Session, attempt_id: int, now: datetime) -> bool:
    """Queued -> dialing, just before the Originate leaves; False when the claim was lost."""
    attempt = session.get(CallAttempt, attempt_id)
    if attempt is None or attempt.state != "queued":
        return False
    attempt.state = step(attempt.state, "dialing")
    attempt.originated_at = now
    return True


def finish(
    session: Session,
    attempt_id: int,
    *,
    now: datetime,
    policy: Policy,
    reason: int | None = None,
    causes: list[int] | None = None,
    cause_txt: str = "",
    channel: str = "",
    lost: bool = False,
    answered_at: datetime | None = None,
) -> str | None:
    """The call is over: settle the attempt and what follows for its contact.

    `lost`: the channel ended while nobody listened (no Reason or Cause known).
    `answered_at`: when OriginateResponse said answered (the notice flow's own time wins).
    Returns the contact's status afterwards, or None when there was nothing to do
    (idempotent)."""
    attempt = session.get(CallAttempt, attempt_id)
    if attempt is None or attempt.ended_at is not None:
        return None
    contact = session.get(Contact, attempt.contact_id)
    if attempt.state == "queued":
        _unqueue(session, attempt)
        return contact.status
    cause = best_cause(causes or [])
    attempt.ended_at = now
    attempt.hangup_cause = cause
    attempt.cause_txt = cause_txt[:64] or attempt.cause_txt
    if reason is not None and attempt.reason is None:
        attempt.reason = reason
    if channel and not attempt.channel:
        attempt.channel = channel[:200]
    if answered_at is not None and attempt.answered_at is None:
        attempt.answered_at = answered_at
    if attempt.state == "dialing":
        # Without an OriginateResponse (missed while the link was down) nobody can say.
        unknown = lost or (reason is None and attempt.reason is None)
        outcome = Outcome("unknown") if unknown else classify(reason, cause)
        attempt.state = step(attempt.state, outcome.state)
    else:
        outcome = Outcome(attempt.state)
    attempt.outcome = outcome.state
    nxt = after_attempt(policy, outcome, contact.attempts, attempt.originated_at, cause)
    attempt.state = step(attempt.state, nxt.attempt_state)
    contact.last_outcome = outcome.state
    contact.lease_owner = contact.lease_expires_at = None
    if contact.status in ("dialing", "pending"):
        status, when, why = nxt.contact_status, nxt.next_attempt_at, nxt.reason
        campaign_status = session.scalar(
            sa.select(Campaign.status).where(Campaign.id == contact.campaign_id)
        )
        if status == "pending" and campaign_status == "cancelled":
            status, when, why = "expired", None, "campaign cancelled"
        contact.status, contact.next_attempt_at, contact.final_reason = status, when, why
        if status == "answered":
            contact.reached_at = contact.reached_at or attempt.answered_at or now
    if nxt.bad_number and session.get(BadNumber, contact.phone) is None:
        session.add(
            BadNumber(
                phone=contact.phone,
                cause=cause,
                cause_txt=attempt.cause_txt or "",
                since=now,
                attempt_id=attempt.id,
            )
        )
    return contact.status


@dataclass(frozen=True)
class Unfinished:
    attempt_id: int
    contact_id: int
    campaign_id: int
    channel_id: str
    state: str


_UNFINISHED = (
    sa.select(
        CallAttempt.id,
        Contact.id,
        Contact.campaign_id,
        CallAttempt.channel_id,
        CallAttempt.state,
    )
    .join(Contact, Contact.id == CallAttempt.contact_id)
    .where(CallAttempt.ended_at.is_(None))
    .order_by(CallAttempt.id)
)


def unfinished(session: Session, worker: str) -> list[Unfinished]:
    """This worker's attempts with no end yet (to reconcile after a restart or reconnect)."""
    rows = session.execute(_UNFINISHED.where(CallAttempt.worker == worker))
    return [Unfinished(*row) for row in rows]


def expired_leases(session: Session, now: datetime, but_worker: str = "") -> list[Unfinished]:
    """Other workers' unfinished attempts whose contact's lease ran out: that worker is gone."""
    rows = session.execute(
        _UNFINISHED.where(Contact.lease_expires_at < now, CallAttempt.worker != but_worker)
    )
    return [Unfinished(*row) for row in rows]


def renew_leases(session: Session, contact_ids: list[int], until: datetime) -> None:
    for i in range(0, len(contact_ids), _IN_CHUNK):
        session.execute(
            sa.update(Contact)
            .where(Contact.id.in_(contact_ids[i : i + _IN_CHUNK]))
            .values(lease_expires_at=until)
        )


# --- campaign upkeep (the scheduler's jobs call these) ------------------------------------------
def start_due(session: Session, now: datetime) -> list[int]:
    """Scheduled campaigns whose start time has come begin running."""
    started = []
    for campaign in session.scalars(
        sa.select(Campaign).where(Campaign.status == "scheduled", Campaign.start_at <= now)
    ):
        begin(campaign, now)
        started.append(campaign.id)
    return started


def begin(campaign: Campaign, now: datetime) -> None:
    campaign.status = "running"
    campaign.started_at = campaign.started_at or now
    if campaign.deadline_s and campaign.deadline_at is None:
        campaign.deadline_at = campaign.started_at + timedelta(seconds=campaign.deadline_s)


def expire_past_deadline(session: Session, now: datetime) -> int:
    """Pending contacts of campaigns whose deadline has passed expire."""
    ids = session.scalars(
        sa.select(Campaign.id).where(
            Campaign.status.in_(("running", "paused", "scheduled")), Campaign.deadline_at <= now
        )
    ).all()
    if not ids:
        return 0
    return session.execute(
        sa.update(Contact)
        .where(Contact.campaign_id.in_(ids), Contact.status == "pending")
        .values(status="expired", final_reason="deadline passed", next_attempt_at=None)
    ).rowcount


def complete_finished(session: Session, now: datetime) -> list[int]:
    """Running campaigns with nobody left to call and no call live are completed (a
    standing callbacks campaign never is: callers keep adding to it)."""
    done = []
    for campaign in session.scalars(
        sa.select(Campaign).where(Campaign.status == "running", Campaign.kind != "callback")
    ):
        waiting = session.scalar(
            sa.select(Contact.id)
            .where(Contact.campaign_id == campaign.id, Contact.status.in_(("pending", "dialing")))
            .limit(1)
        )
        if waiting is None and live_attempts(session, campaign.id) == 0:
            campaign.status, campaign.finished_at = "completed", now
            done.append(campaign.id)
    return done


def heartbeat(
    session: Session, worker: str, now: datetime, channels_in_use: int, ami_connected: bool
) -> None:
    row = session.get(DialerWorker, worker)
    if row is None:
        row = DialerWorker(name=worker, started_at=now, heartbeat_at=now)
        session.add(row)
    row.heartbeat_at, row.channels_in_use, row.ami_connected = now, channels_in_use, ami_connected


def live_workers(session: Session, now: datetime, within: timedelta) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(DialerWorker)
        .where(DialerWorker.heartbeat_at >= now - within)
    )


def take_lease(session: Session, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Hold (or renew) the named lease; False when someone else holds it unexpired."""
    if is_postgres(session):
        session.execute(sa.select(Lease.name).where(Lease.name == name).with_for_update())
    lease = session.get(Lease, name)
    if lease is None:
        session.add(Lease(name=name, owner=owner, expires_at=now + ttl))
        session.flush()
        return True
    if lease.owner != owner and lease.expires_at > now:
        return False
    lease.owner, lease.expires_at = owner, now + ttl
    return True


def drop_lease(session: Session, name: str, owner: str) -> None:
    session.execute(sa.delete(Lease).where(Lease.name == name, Lease.owner == owner))

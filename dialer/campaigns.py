"""A campaign's lifecycle and settings as supervisors drive them, and its status figures.

Rules: draft -> (scheduled ->) running <-> paused -> completed | cancelled. Policy can be
changed in draft, scheduled or paused, never while calls go out (`campaign pause` first).
Every setting is checked here with a one-line reason naming the option. Cancelling expires
every pending contact (calls already ringing finish and are recorded). Time is an argument.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dialer import ledger
from dialer.calling_hours import PolicyError, parse_days, parse_hours
from dialer.times import TimeError, parse_duration
from store.errors import UserError
from store.models import CONTACT_STATUSES, CallAttempt, Campaign, Contact

EDITABLE = ("draft", "scheduled", "paused")
FINAL = ("completed", "cancelled")
STATUS_ORDER = CONTACT_STATUSES  # how status lines list them

# option name -> (column, unit check)
_SECONDS = {
    "retry_busy": "retry_busy_s",
    "retry_no_answer": "retry_no_answer_s",
    "retry_failed": "retry_failed_s",
    "retry_machine": "retry_machine_s",
    "retry_unknown": "retry_after_s",
    "suppress": "suppress_s",
}


def apply_settings(campaign: Campaign, **options) -> list[str]:
    """Set the given (not None) options on the campaign; returns the names changed."""
    changed = []
    for name, value in options.items():
        if value is None:
            continue
        _apply(campaign, name, value)
        changed.append(name)
    return changed


def _apply(campaign: Campaign, name: str, value) -> None:
    flag = "--" + name.replace("_", "-")
    try:
        if name == "hours":
            parse_hours(value)
            campaign.calling_hours = value.strip()
        elif name == "days":
            parse_days(value)
            campaign.calling_days = value.strip().lower()
        elif name == "channels":
            campaign.max_channels = _int_between(flag, value, 1, 2000)
        elif name == "cps":
            if not 0 < float(value) <= 500:
                raise PolicyError(f"{flag} must be above 0 and at most 500 calls per second")
            campaign.calls_per_second = float(value)
        elif name == "max_attempts":
            campaign.max_attempts = _int_between(flag, value, 1, 20)
        elif name == "ring_timeout":
            seconds = _seconds(value)
            if not 5 <= seconds <= 300:
                raise PolicyError(f"{flag} must be between 5s and 300s")
            campaign.ring_timeout_s = seconds
        elif name == "deadline":
            seconds = _seconds(value)
            if seconds <= 0:
                raise PolicyError(f"{flag} must be longer than 0")
            campaign.deadline_s = seconds
            if campaign.started_at is not None:
                campaign.deadline_at = campaign.started_at + timedelta(seconds=seconds)
        elif name in _SECONDS:
            setattr(campaign, _SECONDS[name], _seconds(value))
        elif name in ("amd", "record", "leave_message"):
            setattr(campaign, name, bool(value))
        elif name == "caller_id":
            if any(ch in value for ch in "\r\n,"):
                raise PolicyError(f"{flag} may not hold commas or line breaks")
            campaign.caller_id = value.strip()[:64]
        else:
            raise PolicyError(f"unknown setting {flag}")
    except PolicyError as exc:
        msg = str(exc)
        raise UserError(msg if msg.startswith("--") else f"{flag}: {msg}") from None


def _int_between(flag: str, value, low: int, high: int) -> int:
    if not low <= int(value) <= high:
        raise PolicyError(f"{flag} must be between {low} and {high}")
    return int(value)


def _seconds(value) -> int:
    """A timedelta, a number of seconds, or text as the CLI takes it (90s, 10m, 2h, 2d)."""
    if isinstance(value, str):
        try:
            value = parse_duration(value)
        except TimeError as exc:
            raise PolicyError(str(exc)) from None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 0:
        raise PolicyError("a duration cannot be negative")
    return int(round(seconds))


# --- lifecycle -----------------------------------------------------------------------------------
def set_policy(campaign: Campaign, **options) -> list[str]:
    if campaign.status not in EDITABLE:
        raise UserError(
            f"campaign {campaign.id} is {campaign.status}; settings change only in draft, "
            f"scheduled or paused (hotline campaign pause {campaign.id})"
        )
    return apply_settings(campaign, **options)


def start(campaign: Campaign, now: datetime, at: datetime | None = None) -> str:
    if campaign.status not in ("draft", "scheduled"):
        hint = ""
        if campaign.status == "paused":
            hint = f"; use: hotline campaign resume {campaign.id}"
        raise UserError(f"campaign {campaign.id} is {campaign.status}, not a draft{hint}")
    if at is not None and at > now:
        campaign.status, campaign.start_at = "scheduled", at
    else:
        campaign.start_at = campaign.start_at or now
        ledger.begin(campaign, now)
    return campaign.status


def pause(campaign: Campaign) -> None:
    if campaign.status not in ("running", "scheduled"):
        raise UserError(f"campaign {campaign.id} is {campaign.status}; only a running one pauses")
    campaign.status = "paused"


def resume(campaign: Campaign, now: datetime) -> str:
    if campaign.status != "paused":
        raise UserError(f"campaign {campaign.id} is {campaign.status}, not paused")
    if campaign.started_at is None and campaign.start_at is not None and campaign.start_at > now:
        campaign.status = "scheduled"
    else:
        ledger.begin(campaign, now)
    return campaign.status


def cancel(session: Session, campaign: Campaign, now: datetime) -> int:
    if campaign.status in FINAL:
        raise UserError(f"campaign {campaign.id} is already {campaign.status}")
    campaign.status, campaign.finished_at = "cancelled", now
    return session.execute(
        sa.update(Contact)
        .where(Contact.campaign_id == campaign.id, Contact.status == "pending")
        .values(status="expired", final_reason="campaign cancelled", next_attempt_at=None)
    ).rowcount


# --- status ---------------------------------------------------------------------------------------
@dataclass
class Status:
    campaign: Campaign
    contacts: Counter
    dialed: int
    live: int
    calls_last_minute: int
    finish_estimate: datetime | None

    @property
    def total(self) -> int:
        return sum(self.contacts.values())

    @property
    def remaining(self) -> int:
        return self.contacts["pending"] + self.contacts["dialing"]


def status(session: Session, campaign: Campaign, now: datetime) -> Status:
    contacts = Counter(
        dict(
            session.execute(
                sa.select(Contact.status, sa.func.count())
                .where(Contact.campaign_id == campaign.id)
                .group_by(Contact.status)
            ).all()
        )
    )
    attempts = (
        sa.select(sa.func.count())
        .select_from(CallAttempt)
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(Contact.campaign_id == campaign.id)
    )
    dialed = session.scalar(
        sa.select(sa.func.count(sa.distinct(CallAttempt.contact_id)))
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(Contact.campaign_id == campaign.id)
    )
    recent = session.scalar(attempts.where(CallAttempt.originated_at > now - timedelta(minutes=1)))
    live = ledger.dialing_attempts(session, campaign.id)
    estimate = None
    remaining = contacts["pending"] + contacts["dialing"]
    if campaign.status == "running" and recent and remaining:
        estimate = now + timedelta(minutes=remaining / recent)
    return Status(campaign, contacts, dialed, live, recent, estimate)

"""A campaign's calling policy: who may be called now, and what follows each attempt. Pure.

Rules (issue 7): retries are counted from the moment of the dial (busy 10 min, no answer
30 min, congestion or failure 5 min, answering machine 60 min, a lost call 30 min), then
moved into the next open calling window; a bad number (unallocated, rejected) is never
retried and is remembered for every campaign; at most `max_attempts` dials; nothing is
scheduled at or after the deadline (the contact expires). Never call an opted-out or bad
number, someone who already declared for the same case, or anyone another campaign
called within the suppression period (that one waits until the period ends). Time is an
argument, never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dialer.attempts import BAD_NUMBER_CAUSES, Outcome
from dialer.calling_hours import CallingWindow


@dataclass(frozen=True)
class RetryDelays:
    busy: timedelta = timedelta(minutes=10)
    no_answer: timedelta = timedelta(minutes=30)
    failed: timedelta = timedelta(minutes=5)  # congestion and other failures
    machine: timedelta = timedelta(minutes=60)
    unknown: timedelta = timedelta(minutes=30)

    def after(self, outcome: str) -> timedelta:
        if outcome == "congestion":
            return self.failed
        return getattr(self, outcome)


@dataclass(frozen=True)
class Policy:
    window: CallingWindow = field(default_factory=CallingWindow.parse)
    retries: RetryDelays = field(default_factory=RetryDelays)
    max_attempts: int = 3
    deadline: datetime | None = None
    suppress: timedelta = timedelta(hours=24)
    max_channels: int = 10
    calls_per_second: float = 2.0
    ring_timeout: timedelta = timedelta(seconds=30)

    @classmethod
    def of(cls, campaign) -> Policy:
        """From a Campaign row (any object with its columns)."""
        s = timedelta(seconds=1)
        return cls(
            window=CallingWindow.parse(campaign.calling_hours, campaign.calling_days),
            retries=RetryDelays(
                busy=campaign.retry_busy_s * s,
                no_answer=campaign.retry_no_answer_s * s,
                failed=campaign.retry_failed_s * s,
                machine=campaign.retry_machine_s * s,
                unknown=campaign.retry_after_s * s,
            ),
            max_attempts=campaign.max_attempts,
            deadline=campaign.deadline_at,
            suppress=campaign.suppress_s * s,
            max_channels=campaign.max_channels,
            calls_per_second=campaign.calls_per_second,
            ring_timeout=campaign.ring_timeout_s * s,
        )

    def expired(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline


@dataclass(frozen=True)
class NextStep:
    """What an attempt's outcome means for the attempt and its contact."""

    attempt_state: str  # retry_wait | done
    contact_status: str  # pending (retry) | answered | failed | exhausted | expired
    next_attempt_at: datetime | None = None
    reason: str | None = None  # why the contact is final, for reports
    bad_number: bool = False


def after_attempt(
    policy: Policy, outcome: Outcome, attempts_made: int, dialed_at: datetime, cause: int | None
) -> NextStep:
    if outcome.reached:
        return NextStep("done", "answered")
    if outcome.bad_number:
        text = BAD_NUMBER_CAUSES.get(cause or -1, "bad number")
        return NextStep(
            "done", "failed", reason=f"bad number: {text} (cause {cause})", bad_number=True
        )
    if attempts_made >= policy.max_attempts:
        return NextStep(
            "done", "exhausted", reason=f"{attempts_made} attempts, last {outcome.state}"
        )
    at = policy.window.next_open(dialed_at + policy.retries.after(outcome.state))
    if policy.deadline is not None and at >= policy.deadline:
        return NextStep("done", "expired", reason=f"deadline passed after {outcome.state}")
    return NextStep("retry_wait", "pending", next_attempt_at=at)


@dataclass(frozen=True)
class ContactFacts:
    """What the never-call rules need to know about one contact's phone."""

    opted_out: bool = False
    bad_number: bool = False
    declared_for_case: bool = False
    last_call_elsewhere: datetime | None = None  # another campaign's latest dial
    live_elsewhere: bool = False  # another campaign's call to this phone is under way


@dataclass(frozen=True)
class Verdict:
    action: str  # call | skip | defer
    status: str | None = None  # the contact's final status when skipped
    until: datetime | None = None  # when deferred
    reason: str = ""


CALL = Verdict("call")


def eligibility(policy: Policy, facts: ContactFacts, now: datetime) -> Verdict:
    if facts.opted_out:
        return Verdict("skip", "opted_out", reason="opted out before this campaign called")
    if facts.bad_number:
        return Verdict("skip", "failed", reason="bad number (the network refused it before)")
    if facts.declared_for_case:
        return Verdict("skip", "declared", reason="already declared for this case")
    if policy.expired(now):
        return Verdict("skip", "expired", reason="deadline passed before the call")
    if facts.live_elsewhere:
        until = policy.window.next_open(now + policy.retries.failed)
        return Verdict("defer", until=until, reason="on a call from another campaign")
    if facts.last_call_elsewhere is not None:
        until = facts.last_call_elsewhere + policy.suppress
        if until > now:
            until = policy.window.next_open(until)
            if policy.deadline is not None and until >= policy.deadline:
                return Verdict("skip", "expired", reason="called by another campaign; deadline")
            return Verdict("defer", until=until, reason="called by another campaign recently")
    if not policy.window.is_open(now):
        return Verdict("defer", until=policy.window.next_open(now), reason="outside hours")
    return CALL

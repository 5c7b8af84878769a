"""What Asterisk's Reason and Cause codes mean for a call attempt. Pure.

Rules: the attempt's states and steps are the table in store.attempt_states (the notice
flow moves attempts too). The outcome comes from the far end's Q.850 cause when there is
one, else from the OriginateResponse Reason (PROTOCOL.md): unallocated, rejected, changed
or malformed numbers are bad numbers, never dialed again by any campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.attempt_states import IllegalStep, step

__all__ = ["IllegalStep", "Outcome", "best_cause", "classify", "step"]

# Reason codes in OriginateResponse (PROTOCOL.md).
REASON_ANSWERED, REASON_BUSY, REASON_NO_ANSWER, REASON_CONGESTION = 4, 5, 3, 8

BAD_NUMBER_CAUSES = {
    1: "unallocated number",
    21: "call rejected",
    22: "number changed",
    28: "invalid number format",
}
BUSY_CAUSES = frozenset({17})
NO_ANSWER_CAUSES = frozenset({18, 19, 20})
CONGESTION_CAUSES = frozenset({27, 34, 38, 41, 42, 44})
# Causes that say nothing about the far end (the ;1 half of a Local channel, our own hangup).
UNINFORMATIVE_CAUSES = frozenset({0, 16})


@dataclass(frozen=True)
class Outcome:
    state: str  # one of OUTCOME_STATES
    bad_number: bool = False

    @property
    def reached(self) -> bool:
        return self.state == "answered"


def classify(reason: int | None, cause: int | None) -> Outcome:
    """What happened to a dial, from OriginateResponse's Reason and the Hangup's Cause."""
    if reason == REASON_ANSWERED:
        return Outcome("answered")
    if cause in BAD_NUMBER_CAUSES:
        return Outcome("failed", bad_number=True)
    if cause in BUSY_CAUSES or reason == REASON_BUSY:
        return Outcome("busy")
    if cause in NO_ANSWER_CAUSES or reason == REASON_NO_ANSWER:
        return Outcome("no_answer")
    if cause in CONGESTION_CAUSES or reason == REASON_CONGESTION:
        return Outcome("congestion")
    if reason is None and cause is None:
        return Outcome("unknown")
    return Outcome("failed")


def best_cause(causes: list[int]) -> int | None:
    """Of the causes the call's channels reported, the one that speaks for the far end."""
    informative = [c for c in causes if c not in UNINFORMATIVE_CAUSES]
    if informative:
        return informative[0]
    return causes[0] if causes else None

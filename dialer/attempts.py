"""A call attempt's life as a table, and what Asterisk's Reason and Cause codes mean. Pure.

Rules (h11's manner): the states and every legal step are one table; a step it does not
list raises IllegalStep naming both states. Staying in the same state is not a step (a
late duplicate event changes nothing). An attempt is written `queued` before its
Originate leaves; `queued -> done` is only for one that never left (a crash between the
two). The outcome comes from the far end's Q.850 cause when there is one, else from the
OriginateResponse Reason (PROTOCOL.md): unallocated, rejected, changed or malformed
numbers are bad numbers, never dialed again by any campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

OUTCOME_STATES = ("answered", "busy", "no_answer", "congestion", "failed", "machine", "unknown")
_AFTER = frozenset({"retry_wait", "done"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"dialing", "done"}),
    "dialing": frozenset({"answered", "busy", "no_answer", "congestion", "failed", "unknown"}),
    # AMD (or the notice flow) finds a machine after the answer.
    "answered": frozenset({"machine", "done"}),
    "busy": _AFTER,
    "no_answer": _AFTER,
    "congestion": _AFTER,
    "failed": _AFTER,
    "machine": _AFTER,
    # A call we lost track of may still be found answered (the callee reached the notice).
    "unknown": _AFTER | {"answered"},
    "retry_wait": frozenset({"done"}),
    "done": frozenset(),
}
STATES = tuple(TRANSITIONS)
LIVE_STATES = ("queued", "dialing", "answered", "machine")  # a channel may be in use


class IllegalStep(ValueError):
    """A step the attempt table does not allow."""

    def __init__(self, current: str, new: str) -> None:
        super().__init__(f"a call attempt cannot go from {current!r} to {new!r}")
        self.current, self.new = current, new


def step(current: str, new: str) -> str:
    """The new state, or IllegalStep. `current == new` is allowed and changes nothing."""
    if new == current:
        return new
    if current not in TRANSITIONS:
        raise IllegalStep(current, new)
    if new not in TRANSITIONS[current]:
        raise IllegalStep(current, new)
    return new


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

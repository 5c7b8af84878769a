"""A call attempt's life as a table. Pure; shared by the dialer and the notice flow.

Rules (h11's manner): the states and every legal step are one table; a step it does not
list raises IllegalStep naming both states. Staying in the same state is not a step (a
late duplicate event changes nothing). An attempt is written `queued` before its
Originate leaves; `queued -> done` is only for one that never left (a crash between the
two). The dialer moves an attempt through the table from AMI events; the notice flow moves
it to `answered` (the callee is on the line) and `machine` (AMD said so).
"""

from __future__ import annotations

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

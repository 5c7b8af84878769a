"""Pacing: at most R new calls per second (a token bucket) and N channels at once. Pure.

Rules: the bucket holds one token (calls are spaced 1/rate apart, so no window of one
second ever holds more than `rate` new calls, and the trunk never sees a burst), starts
full, refills at `rate`; a call spends the token when it really goes. Time is a monotonic
number of seconds passed in by the caller, so tests drive it with a fake clock.
"""

from __future__ import annotations

_EPSILON = 1e-9


class TokenBucket:
    """A token bucket one token deep, kept as the time the next token is there (its
    "theoretical arrival time" form): `ready_in(now)` says how long until a call may go,
    `sent(at)` spends the token of a call that went at `at`. Spacing is counted from the
    moment a call really went, so a slow step between the check and the send never lets
    two calls through closer than 1/rate."""

    def __init__(self, rate: float, now: float = 0.0) -> None:
        if rate <= 0:
            raise ValueError("calls per second must be above 0")
        self.rate = rate
        self.next = now

    def set_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("calls per second must be above 0")
        self.rate = rate

    def ready_in(self, now: float) -> float:
        wait = self.next - now
        return 0.0 if wait <= _EPSILON else wait

    def sent(self, at: float) -> None:
        self.next = max(self.next, at) + 1.0 / self.rate


def most_in_any_window(times: list[float], width: float) -> int:
    """The most events inside any half-open window [t, t + width): for checking pacing."""
    times = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - width:
            first += 1
        best = max(best, last - first + 1)
    return best

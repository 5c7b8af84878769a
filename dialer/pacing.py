"""Pacing: at most R new calls per second (a token bucket) and N channels at once. Pure.

Rules: the bucket holds at most `burst` tokens (default: one second's worth, at least 1),
starts full, refills continuously at `rate`; a call takes one token. Time is a monotonic
number of seconds passed in by the caller, so tests drive it with a fake clock.
"""

from __future__ import annotations


class TokenBucket:
    def __init__(self, rate: float, burst: float | None = None, now: float = 0.0) -> None:
        if rate <= 0:
            raise ValueError("calls per second must be above 0")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self.tokens = self.burst
        self.stamp = now

    def set_rate(self, rate: float, now: float) -> None:
        self._refill(now)
        self.rate = rate
        self.burst = max(1.0, rate)
        self.tokens = min(self.tokens, self.burst)

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def take(self, now: float) -> float:
        """0.0 when a token was taken; else the seconds to wait before one is there."""
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


def free_channels(limit: int, in_use: int) -> int:
    return max(0, limit - in_use)

"""Clocks: the wall clock, and a scaled one that processes can share (demo, tests, bench).

Rules: policy code never reads time itself; drivers hand it a Clock. `SystemClock` is the
real thing. `ScaledClock` runs `1 / scale` times faster than the wall clock from a chosen
virtual start, anchored to a wall-clock instant, so the dialer and the FastAGI server in
two processes agree on "now" when given the same spec: HOTLINE_SIM_CLOCK =
"<virtual start ISO 8601>,<anchor unix time>,<scale>" (pbxsim scales its waits by the same
scale). Durations in campaign time become real waits through `real()`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from store.errors import UserError

SIM_CLOCK_ENV = "HOTLINE_SIM_CLOCK"


class SystemClock:
    scale = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def real(self, seconds: float) -> float:
        return seconds

    def wall(self, moment: datetime) -> datetime:
        """The real (wall-clock) instant at which this clock shows `moment`."""
        return moment

    def spec(self) -> str | None:
        return None


@dataclass(frozen=True)
class ScaledClock:
    start: datetime  # what the clock shows at the anchor
    anchor: float  # wall-clock unix time of the start
    scale: float  # real seconds per clock second

    @classmethod
    def starting(cls, start: datetime, scale: float) -> ScaledClock:
        return cls(start.astimezone(UTC), time.time(), scale)

    @classmethod
    def parse(cls, spec: str) -> ScaledClock:
        try:
            start, anchor, scale = spec.split(",")
            moment = datetime.fromisoformat(start)
            if moment.tzinfo is None or float(scale) <= 0:
                raise ValueError
            return cls(moment.astimezone(UTC), float(anchor), float(scale))
        except ValueError:
            raise UserError(
                f"cannot read {SIM_CLOCK_ENV}={spec!r}; use START_ISO_WITH_OFFSET,ANCHOR_UNIX,SCALE"
            ) from None

    def spec(self) -> str:
        return f"{self.start.isoformat()},{self.anchor!r},{self.scale!r}"

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) / self.scale)

    def monotonic(self) -> float:
        return (time.time() - self.anchor) / self.scale

    def real(self, seconds: float) -> float:
        return seconds * self.scale

    def wall(self, moment: datetime) -> datetime:
        offset = (moment - self.start).total_seconds() * self.scale
        return datetime.fromtimestamp(self.anchor + offset, UTC)


Clock = SystemClock | ScaledClock


def clock_from_env(environ: dict[str, str]) -> Clock:
    spec = environ.get(SIM_CLOCK_ENV)
    return ScaledClock.parse(spec) if spec else SystemClock()

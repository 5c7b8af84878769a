"""When a campaign may ring people: hours and days in the city's zone. Pure.

Rules: hours are "HH:MM-HH:MM" in Asia/Ho_Chi_Minh, open from the first minute up to (not
including) the last; days are names and ranges ("mon-sun", "mon-fri,sun", "fri-mon" wraps).
A moment outside the window moves to the start of the next open window, never earlier.
Bad text is a PolicyError whose message names the accepted form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from dialer.times import CITY_ZONE

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = "07:30-20:30"
DEFAULT_DAYS = "mon-sun"


class PolicyError(ValueError):
    """A policy setting that cannot be read; the message says what is accepted."""


def parse_clock(text: str) -> time:
    hh, sep, mm = text.strip().partition(":")
    if not (sep and hh.isdigit() and mm.isdigit() and len(mm) == 2):
        raise PolicyError(f"cannot read time of day {text!r}; use HH:MM, e.g. 07:30")
    hour, minute = int(hh), int(mm)
    if hour == 24 and minute == 0:
        return time.max
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise PolicyError(f"time of day {text!r} is out of range (00:00 to 24:00)")
    return time(hour, minute)


def parse_hours(text: str) -> tuple[time, time]:
    start, sep, end = text.partition("-")
    if not sep:
        raise PolicyError(f"cannot read calling hours {text!r}; use HH:MM-HH:MM, e.g. 07:30-20:30")
    first, last = parse_clock(start), parse_clock(end)
    if last <= first:
        raise PolicyError(f"calling hours {text!r} must end after they start (same day)")
    return first, last


def parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if first not in DAY_NAMES or (sep and last not in DAY_NAMES):
            raise PolicyError(
                f"cannot read calling days {text!r}; use day names and ranges, "
                "e.g. mon-sun, mon-fri, mon-fri,sun"
            )
        a = DAY_NAMES.index(first)
        b = DAY_NAMES.index(last) if sep else a
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(days)


@dataclass(frozen=True)
class CallingWindow:
    start: time
    end: time
    days: frozenset[int]  # 0 = Monday

    @classmethod
    def parse(cls, hours: str = DEFAULT_HOURS, days: str = DEFAULT_DAYS) -> CallingWindow:
        first, last = parse_hours(hours)
        return cls(first, last, parse_days(days))

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(CITY_ZONE)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when the window is open, else the start of the next open window."""
        if self.is_open(at):
            return at
        local = at.astimezone(CITY_ZONE)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            opens = datetime.combine(day, self.start, CITY_ZONE)
            if day.weekday() in self.days and opens >= local:
                return opens.astimezone(UTC)
        raise PolicyError("the calling window has no open day")  # parse_days never allows it

    def closes_at(self, at: datetime) -> datetime:
        """When the window that is open at `at` closes (for 'open until' displays)."""
        local = at.astimezone(CITY_ZONE)
        end = datetime.combine(local.date(), self.end, CITY_ZONE)
        if self.end == time.max:
            end = datetime.combine(local.date() + timedelta(days=1), time(0), CITY_ZONE)
        return end.astimezone(UTC)

    def describe(self) -> str:
        end = "24:00" if self.end == time.max else self.end.strftime("%H:%M")
        return f"{self.start:%H:%M}-{end} {describe_days(self.days)}"


def describe_days(days: frozenset[int]) -> str:
    """The shortest text parse_days reads back: mon-sun, mon-fri, mon-fri,sun, …"""
    if len(days) == 7:
        return "mon-sun"
    runs, day = [], 0
    while day < 7:
        if day in days:
            end = day
            while end + 1 < 7 and end + 1 in days:
                end += 1
            runs.append(DAY_NAMES[day] if end == day else f"{DAY_NAMES[day]}-{DAY_NAMES[end]}")
            day = end + 1
        else:
            day += 1
    return ",".join(runs)

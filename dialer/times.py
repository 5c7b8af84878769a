"""Times as supervisors' files write them, to aware UTC datetimes.

Rules: ISO 8601 with an offset, with `Z`, or without one (then the city's zone,
Asia/Ho_Chi_Minh); `dd/mm/yyyy HH:MM[:SS]` (Vietnamese exports, city time); a date alone
is refused (a check-in without a time cannot be matched safely). Anything else is a
TimeError naming the accepted forms. The hot path (ISO from the QR system) is one C call.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

CITY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Vietnam has kept UTC+7 since 1975; earlier dates go through the zone database.
_CITY_OFFSET = timedelta(hours=7)
_FIXED_SINCE = datetime(1976, 1, 1)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
ACCEPTED = (
    "ISO 8601 (2021-10-07T14:30:00+07:00, …Z, or no offset = city time) or dd/mm/yyyy HH:MM[:SS]"
)


class TimeError(ValueError):
    """A time that cannot be read; the message names the accepted forms."""


def parse_time(text: str) -> datetime:
    text = text.strip()
    if not text:
        raise TimeError("empty time")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = _parse_dmy(text)
    else:
        if len(text) <= 10:
            raise TimeError(f"{text!r} has a date but no time; use {ACCEPTED}")
    return to_utc(value)


def to_utc(value: datetime) -> datetime:
    """Aware -> UTC; naive -> read as city time."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    if value >= _FIXED_SINCE:
        return (value - _CITY_OFFSET).replace(tzinfo=UTC)
    return value.replace(tzinfo=CITY_ZONE).astimezone(UTC)


def city_time(value: datetime) -> datetime:
    return value.astimezone(CITY_ZONE)


def format_city(value: datetime | None) -> str:
    """City time as a supervisor reads it: 2021-10-07 14:30."""
    return "" if value is None else city_time(value).strftime("%Y-%m-%d %H:%M")


def _parse_dmy(text: str) -> datetime:
    m = _DMY.fullmatch(text)
    if not m:
        raise TimeError(f"cannot read time {text!r}; use {ACCEPTED}")
    day, month, year, hour, minute, second = m.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError as exc:
        raise TimeError(f"cannot read time {text!r}: {exc}") from None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, default_unit: str = "m") -> timedelta:
    """'90s', '10m', '2h', '1d'; a plain number is in `default_unit` (minutes by default)."""
    m = _DURATION.fullmatch(text.strip().lower())
    if not m:
        raise TimeError(
            f"cannot read duration {text!r}; use e.g. 90s, 30m, 2h or a number of minutes"
        )
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2) or default_unit])

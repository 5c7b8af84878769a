"""Supervisors' time text straight to the text the database stores, for bulk imports.

Rules: `StoredTimes.convert(text)` gives exactly what `sqlite_text(parse_time(text))` gives
(UTC in store.types.SQLITE_FORMAT, whose text order is time order), and the same moment in
seconds since the epoch, for stays; a text parse_time refuses raises its TimeError. The QR
system writes naive city time, 'YYYY-MM-DD HH:MM:SS': such a text costs two dictionary
lookups instead of a parse, a subtraction and a format. Its hour ('2021-09-13 07') is
converted once and remembered; its minutes and seconds (':01:03') are the same in UTC,
because the city's offset is whole hours since 1976 (earlier hours, and every other
form, go through parse_time).
"""

from __future__ import annotations

import re

from dialer.times import _FIXED_SINCE, parse_time
from store.types import sqlite_text

_EPOCH_YEAR = _FIXED_SINCE.year
_HOUR = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}")
# ':MM:SS' -> seconds into the hour; a tail missing here is not a plain time of day.
TAILS = {f":{m:02d}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}
NO_FRACTION = ".000000"
_CACHE_LIMIT = 200_000  # distinct hours: 22 years of them


class StoredTimes:
    """A cache of converted hours, one per import (it grows with the hours a file spans)."""

    def __init__(self) -> None:
        # 'YYYY-MM-DD HH' -> (its stored text, its epoch seconds), None: the general path.
        # Read directly by dialer.plain_checkins, whose misses go through hour().
        self.hours: dict[str, tuple[str, int] | None] = {}

    def convert(self, text: str) -> tuple[str, float]:
        """City-time text -> (UTC text as stored, seconds since the epoch); TimeError."""
        if len(text) == 19:
            tail = TAILS.get(text[13:])
            if tail is not None:
                key = text[:13]
                hour = self.hour(key)
                if hour is not None:
                    return hour[0] + text[13:] + NO_FRACTION, hour[1] + tail
        moment = parse_time(text)
        return sqlite_text(moment), moment.timestamp()

    def hour(self, key: str) -> tuple[str, int] | None:
        """The stored form of a naive city hour and its epoch seconds, or None when its
        times take the general path (before 1976, or not a real date and hour)."""
        hour = self.hours.get(key, False)
        return self._hour(key) if hour is False else hour

    def _hour(self, key: str) -> tuple[str, int] | None:
        if len(self.hours) >= _CACHE_LIMIT:
            self.hours.clear()
        hour = None
        if _HOUR.fullmatch(key) and int(key[:4]) >= _EPOCH_YEAR:
            try:
                moment = parse_time(key + ":00:00")
            except ValueError:  # 2021-02-30 and the like: parse_time says why, below
                moment = None
            if moment is not None:
                hour = (sqlite_text(moment)[:13], int(moment.timestamp()))
        self.hours[key] = hour
        return hour

"""Exposure matching: who was at a place while a case was there. Pure: data in, data out.

Rules (issue "Foundation" §6):
- A visit's presence is [checked_in_at, checked_out_at], or [checked_in_at,
  checked_in_at + dwell] when nobody scanned out.
- An exposure's window is [start - margin, end + margin].
- A visit matches when the two closed intervals meet; touching counts (when in doubt, warn).
- One contact per phone, carrying every matching visit as its reason; priority 1 when a
  presence meets the unexpanded [start, end], else 2.
- The case's own phones and opted-out phones are never contacts.
The database side only has to hand in visits whose checked_in_at lies in `search_range`,
which is what keeps the cost proportional to the matches, not to the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_DWELL = timedelta(minutes=60)
DEFAULT_MARGIN = timedelta(minutes=30)


@dataclass(frozen=True)
class Window:
    location_id: int
    location_code: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Visit:
    checkin_id: int
    phone: str
    location_id: int
    location_code: str
    checked_in_at: datetime
    checked_out_at: datetime | None


@dataclass
class Match:
    phone: str
    priority: int
    visits: list[Visit] = field(default_factory=list)

    @property
    def first(self) -> Visit:
        return min(self.visits, key=lambda v: (v.checked_in_at, v.checkin_id))


def presence(visit: Visit, dwell: timedelta) -> tuple[datetime, datetime]:
    end = visit.checked_out_at or visit.checked_in_at + dwell
    return visit.checked_in_at, end


def meets(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Closed intervals meet, touching included."""
    return a[0] <= b[1] and a[1] >= b[0]


def search_range(
    window: Window, margin: timedelta, dwell: timedelta, max_stay: timedelta
) -> tuple[datetime, datetime]:
    """Bounds on checked_in_at that contain every visit that can match the window."""
    reach = max(dwell, max_stay)
    return window.start - margin - reach, window.end + margin


def match(
    windows: Iterable[Window],
    visits: Iterable[Visit],
    *,
    margin: timedelta = DEFAULT_MARGIN,
    dwell: timedelta = DEFAULT_DWELL,
    excluded: frozenset[str] | set[str] = frozenset(),
) -> list[Match]:
    """Contacts for these windows, ordered by priority, then first visit, then phone."""
    by_location: dict[int, list[Window]] = {}
    for w in windows:
        by_location.setdefault(w.location_id, []).append(w)
    found: dict[str, Match] = {}
    seen: set[int] = set()
    for visit in visits:
        if visit.phone in excluded or visit.checkin_id in seen:
            continue
        priority = _visit_priority(visit, by_location.get(visit.location_id, ()), margin, dwell)
        if priority is None:
            continue
        seen.add(visit.checkin_id)
        m = found.get(visit.phone)
        if m is None:
            found[visit.phone] = Match(visit.phone, priority, [visit])
        else:
            m.visits.append(visit)
            m.priority = min(m.priority, priority)
    for m in found.values():
        m.visits.sort(key=lambda v: (v.checked_in_at, v.checkin_id))
    return sorted(found.values(), key=lambda m: (m.priority, m.first.checked_in_at, m.phone))


def _visit_priority(
    visit: Visit, windows: Iterable[Window], margin: timedelta, dwell: timedelta
) -> int | None:
    span = presence(visit, dwell)
    best = None
    for w in windows:
        if meets(span, (w.start, w.end)):
            return 1
        if meets(span, (w.start - margin, w.end + margin)):
            best = 2
    return best

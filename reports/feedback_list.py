# Rules: read-only; one line per ticket, oldest first, in the city's time; phone numbers
# masked as in the logs (+8490****456): full numbers leave only through the audited report
# export. A length is the recording's seconds, "-" when unknown (nothing recorded, or the
# message was cancelled and its file deleted). Pure formatting apart from the one query.
"""`hotline feedback list`: the voice-feedback tickets as a supervisor reads them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dialer.times import format_city
from store.logmask import mask_phones
from store.models import Feedback

HEADER = ("ticket", "received", "category", "status", "length", "caller", "recording")
WIDTHS = (9, 16, 15, 9, 7, 13)


def feedback_tickets(
    session: Session,
    since: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
) -> list[Feedback]:
    query = sa.select(Feedback).order_by(Feedback.created_at, Feedback.id)
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    if category is not None:
        query = query.where(Feedback.category == category)
    if status is not None:
        query = query.where(Feedback.status == status)
    return list(session.scalars(query))


def format_tickets(rows: Sequence[Feedback]) -> list[str]:
    """The table and a last line counting the tickets by status; one line when none."""
    if not rows:
        return ["no feedback tickets"]
    lines = [_line(HEADER)]
    for row in rows:
        length = "-" if row.duration_s is None else f"{row.duration_s:.1f}s"
        caller = mask_phones(row.caller) if row.caller else "unknown"
        cells = (row.ticket, format_city(row.created_at), row.category, row.status, length,
                 caller, row.recording_path or "-")  # fmt: skip
        lines.append(_line(cells))
    counts = Counter(row.status for row in rows)
    lines.append(f"{len(rows)} ticket(s): " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return lines


def _line(cells: Sequence[str]) -> str:
    padded = [
        cell.rjust(width) if name == "length" else cell.ljust(width)
        for cell, width, name in zip(cells, WIDTHS, HEADER, strict=False)
    ]
    return "  ".join([*padded, cells[-1]]).rstrip()

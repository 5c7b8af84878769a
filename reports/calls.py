"""Calls to 1022 as the call log holds them (InboundCall), newest last, for a supervisor.

Rules: read-only; one query bounded by `limit` (the most recent calls since the given
moment); callers' numbers are masked the way the logs mask them (full numbers are in the
audited exports); times are shown in city time by the caller of this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from store.logmask import mask_phones
from store.models import InboundCall


@dataclass(frozen=True)
class CallLine:
    started_at: datetime
    caller: str  # masked
    seconds: int | None  # None while the call is under way
    outcome: str
    path: tuple[str, ...]


def recent_calls(session: Session, since: datetime | None, limit: int) -> list[CallLine]:
    query = sa.select(InboundCall).order_by(InboundCall.started_at.desc(), InboundCall.id.desc())
    if since is not None:
        query = query.where(InboundCall.started_at >= since)
    rows = list(session.scalars(query.limit(limit)))
    return [_line(row) for row in reversed(rows)]


def _line(row: InboundCall) -> CallLine:
    seconds = None
    if row.ended_at is not None:
        seconds = max(0, int((row.ended_at - row.started_at).total_seconds()))
    return CallLine(
        row.started_at,
        mask_phones(row.caller or "unknown"),
        seconds,
        row.outcome or "in progress",
        tuple(str(step) for step in row.path or ()),
    )

"""Every contact of a campaign, one row each: who will be called and why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from dialer.contacts import contacts_query
from dialer.times import format_city
from reports.csvout import write_csv
from store.models import Campaign

HEADER = [
    "phone",
    "priority",
    "location_code",
    "checked_in_at",
    "visits",
    "all_locations",
    "status",
    "attempts",
]


def contact_rows(session: Session, campaign: Campaign) -> Iterator[list]:
    for c in session.scalars(contacts_query(campaign).execution_options(yield_per=5000)):
        codes = sorted({r["location_code"] for r in c.why})
        yield [
            c.phone,
            c.priority,
            c.location_code,
            format_city(c.checked_in_at),
            len(c.why),
            " ".join(codes),
            c.status,
            c.attempts,
        ]


def write_contacts_csv(session: Session, campaign: Campaign, path: Path) -> int:
    return write_csv(path, HEADER, contact_rows(session, campaign))

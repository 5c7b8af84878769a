"""Notice campaigns from cases: create with contacts, refresh, preview, list.

Rules: visits are fetched per exposure through the (location, checked_in_at) index within
`exposure.search_range`, so the cost follows the matches; the matching itself is the pure
`exposure.match`. A refresh adds new people and may re-reason contacts nobody has dialed
yet; a contact with any attempt, or no longer pending, is never changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dialer import exposure
from dialer.cases import get_case
from store.errors import UserError
from store.models import Campaign, Case, CheckIn, Contact, Location, OptOut

_IN_CHUNK = 500


@dataclass
class MatchCounts:
    contacts: int = 0
    priority1: int = 0
    priority2: int = 0
    case_phones_left_out: int = 0
    opted_out_left_out: int = 0
    added: int = 0
    updated: int = 0
    kept_dialed: int = 0


def create_campaign(
    session: Session,
    case_code: str,
    *,
    name: str | None = None,
    margin: timedelta = exposure.DEFAULT_MARGIN,
    dwell: timedelta = exposure.DEFAULT_DWELL,
    now: datetime | None = None,
) -> tuple[Campaign, MatchCounts]:
    case = get_case(session, case_code)
    name = (name or f"{case.code} notice").strip()
    if session.scalar(sa.select(Campaign.id).where(Campaign.name == name)) is not None:
        raise UserError(f"a campaign named {name!r} exists; pass another --name")
    now = now or datetime.now(UTC)
    campaign = Campaign(
        name=name,
        kind="exposure_notice",
        case=case,
        status="draft",
        created_at=now,
        margin_s=int(margin.total_seconds()),
        dwell_s=int(dwell.total_seconds()),
    )
    session.add(campaign)
    session.flush()
    counts = _sync_contacts(session, campaign, case, now)
    return campaign, counts


def refresh_campaign(
    session: Session, campaign: Campaign, now: datetime | None = None
) -> MatchCounts:
    if campaign.case is None:
        raise UserError(f"campaign {campaign.name!r} has no case to match against")
    if campaign.status in ("completed", "cancelled"):
        raise UserError(f"campaign {campaign.name!r} is {campaign.status}; it cannot be refreshed")
    return _sync_contacts(session, campaign, campaign.case, now or datetime.now(UTC))


def find_matches(
    session: Session, case: Case, margin: timedelta, dwell: timedelta
) -> list[exposure.Match]:
    windows = [
        exposure.Window(e.location_id, e.location.code, e.start, e.end) for e in case.exposures
    ]
    return exposure.match(
        windows, _visits(session, windows, margin, dwell), margin=margin, dwell=dwell
    )


def _visits(
    session: Session, windows: list[exposure.Window], margin: timedelta, dwell: timedelta
) -> Iterator[exposure.Visit]:
    for w in windows:
        max_stay = timedelta(
            seconds=session.scalar(
                sa.select(Location.max_stay_s).where(Location.id == w.location_id)
            )
            or 0
        )
        lo, hi = exposure.search_range(w, margin, dwell, max_stay)
        rows = session.execute(
            sa.select(
                CheckIn.id, CheckIn.phone, CheckIn.checked_in_at, CheckIn.checked_out_at
            ).where(
                CheckIn.location_id == w.location_id,
                CheckIn.checked_in_at >= lo,
                CheckIn.checked_in_at <= hi,
            )
        )
        for cid, phone, cin, cout in rows:
            yield exposure.Visit(cid, phone, w.location_id, w.location_code, cin, cout)


def _sync_contacts(session: Session, campaign: Campaign, case: Case, now: datetime) -> MatchCounts:
    margin, dwell = timedelta(seconds=campaign.margin_s), timedelta(seconds=campaign.dwell_s)
    matches = find_matches(session, case, margin, dwell)
    counts = MatchCounts()
    case_phones = {p.phone for p in case.phones}
    opted_out = _opted_out(session, [m.phone for m in matches])
    existing = {
        c.phone: c
        for c in session.scalars(sa.select(Contact).where(Contact.campaign_id == campaign.id))
    }
    new_rows = []
    for m in matches:
        if m.phone in case_phones:
            counts.case_phones_left_out += 1
            continue
        if m.phone in opted_out:
            counts.opted_out_left_out += 1
            continue
        counts.contacts += 1
        if m.priority == 1:
            counts.priority1 += 1
        else:
            counts.priority2 += 1
        values = _contact_values(m)
        contact = existing.get(m.phone)
        if contact is None:
            new_rows.append(
                {
                    **values,
                    "campaign_id": campaign.id,
                    "phone": m.phone,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
            )
        elif contact.attempts == 0 and contact.status == "pending":
            if contact.why != values["why"] or contact.priority != values["priority"]:
                for key, value in values.items():
                    setattr(contact, key, value)
                counts.updated += 1
        else:
            counts.kept_dialed += 1
    if new_rows:
        session.execute(sa.insert(Contact), new_rows)
    counts.added = len(new_rows)
    session.flush()
    return counts


def _contact_values(m: exposure.Match) -> dict:
    first = m.first
    return {
        "priority": m.priority,
        "location_code": first.location_code,
        "checked_in_at": first.checked_in_at,
        "why": [_reason(v) for v in m.visits],
    }


def _reason(v: exposure.Visit) -> dict:
    return {
        "checkin_id": v.checkin_id,
        "location_code": v.location_code,
        "checked_in_at": v.checked_in_at.isoformat(),
        "checked_out_at": v.checked_out_at.isoformat() if v.checked_out_at else None,
    }


def _opted_out(session: Session, phones: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(phones), _IN_CHUNK):
        chunk = phones[i : i + _IN_CHUNK]
        found.update(session.scalars(sa.select(OptOut.phone).where(OptOut.phone.in_(chunk))))
    return found


def get_campaign(session: Session, id_or_name: str) -> Campaign:
    query = sa.select(Campaign)
    if id_or_name.isdigit():
        campaign = session.scalar(query.where(Campaign.id == int(id_or_name)))
        if campaign is not None:
            return campaign
    campaign = session.scalar(query.where(Campaign.name == id_or_name))
    if campaign is None:
        raise UserError(f"no campaign {id_or_name!r}; see: hotline campaign list")
    return campaign


def list_campaigns(session: Session) -> list[tuple[Campaign, Counter]]:
    campaigns = list(session.scalars(sa.select(Campaign).order_by(Campaign.id)))
    statuses: dict[int, Counter] = {c.id: Counter() for c in campaigns}
    rows = session.execute(
        sa.select(Contact.campaign_id, Contact.status, sa.func.count()).group_by(
            Contact.campaign_id, Contact.status
        )
    )
    for campaign_id, status, n in rows:
        statuses[campaign_id][status] = n
    return [(c, statuses[c.id]) for c in campaigns]


@dataclass
class Preview:
    total: int
    by_priority: dict[int, int]
    by_location: list[tuple[str, str, int]]  # code, name, contacts with a visit there
    sample: list[Contact]


def preview(session: Session, campaign: Campaign, sample_size: int = 10) -> Preview:
    by_priority = dict(
        session.execute(
            sa.select(Contact.priority, sa.func.count())
            .where(Contact.campaign_id == campaign.id)
            .group_by(Contact.priority)
            .order_by(Contact.priority)
        ).all()
    )
    per_location: Counter[str] = Counter()
    for (why,) in session.execute(
        sa.select(Contact.why)
        .where(Contact.campaign_id == campaign.id)
        .execution_options(yield_per=5000)
    ):
        per_location.update({r["location_code"] for r in why})
    names = dict(
        session.execute(
            sa.select(Location.code, Location.name).where(Location.code.in_(list(per_location)))
        ).all()
    )
    by_location = [
        (code, names.get(code, ""), n)
        for code, n in sorted(per_location.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    sample = list(session.scalars(contacts_query(campaign).limit(sample_size)))
    return Preview(sum(by_priority.values()), by_priority, by_location, sample)


def contacts_query(campaign: Campaign) -> sa.Select:
    return (
        sa.select(Contact)
        .where(Contact.campaign_id == campaign.id)
        .order_by(Contact.priority, Contact.checked_in_at, Contact.phone)
    )

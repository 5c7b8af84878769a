"""Confirmed cases and where they were: the input of a notice campaign.

Rules: a case code is unique; each exposure names a known location and a start no later
than its end; the case's own phones are stored normalised, so the matcher can leave them
out exactly. Times are parsed like check-in times (dialer.times).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from dialer.times import TimeError, parse_time
from store.errors import UserError
from store.models import CASE_CLASSIFICATIONS, Case, CasePhone, Exposure, Location
from store.phones import PhoneError, normalize_phone


def add_case(
    session: Session,
    code: str,
    exposures: Iterable[tuple[str, str, str]],
    *,
    phones: Iterable[str] = (),
    classification: str = "F0",
    note: str = "",
    now: datetime | None = None,
) -> Case:
    code = code.strip()
    if not code:
        raise UserError("the case code is empty")
    classification = classification.upper()
    if classification not in CASE_CLASSIFICATIONS:
        raise UserError(f"unknown --classification {classification!r}; use F0 or F1")
    if session.scalar(sa.select(Case.id).where(Case.code == code)) is not None:
        raise UserError(f"case {code} already exists; see: hotline cases list")
    case = Case(
        code=code, classification=classification, note=note, created_at=now or datetime.now(UTC)
    )
    case.exposures = [_exposure(session, *e) for e in exposures]
    if not case.exposures:
        raise UserError("a case needs at least one --exposure LOCATION_CODE START END")
    case.phones = [CasePhone(phone=p) for p in sorted({_phone(p) for p in phones})]
    session.add(case)
    session.flush()
    return case


def _exposure(session: Session, location_code: str, start: str, end: str) -> Exposure:
    location = session.scalar(sa.select(Location).where(Location.code == location_code))
    if location is None:
        raise UserError(
            f"unknown location code {location_code!r}; import it with: hotline locations import"
        )
    try:
        start_at, end_at = parse_time(start), parse_time(end)
    except TimeError as exc:
        raise UserError(f"--exposure {location_code}: {exc}") from None
    if end_at < start_at:
        raise UserError(f"--exposure {location_code}: END {end} is before START {start}")
    return Exposure(location=location, start=start_at, end=end_at)


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except PhoneError as exc:
        raise UserError(f"--phone: {exc}") from None


def get_case(session: Session, code: str) -> Case:
    case = session.scalar(
        sa.select(Case)
        .where(Case.code == code)
        .options(
            selectinload(Case.exposures).selectinload(Exposure.location), selectinload(Case.phones)
        )
    )
    if case is None:
        raise UserError(f"no case {code!r}; see: hotline cases list")
    return case


def list_cases(session: Session) -> list[Case]:
    return list(
        session.scalars(
            sa.select(Case)
            .order_by(Case.created_at, Case.id)
            .options(
                selectinload(Case.exposures).selectinload(Exposure.location),
                selectinload(Case.phones),
            )
        )
    )

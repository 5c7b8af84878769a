"""Vaccination appointments: the streaming import, and the reminder campaign of a day.

Rules: the import follows the check-ins' rules (dialer.csvinput): the whole file is
checked to decode first; every good row goes in, every bad one goes to FILE.rejects.csv
with its line number and reason; memory stays constant (rows go in by chunks, one
statement each); an appointment is unique on (phone, slot_start, site), so importing a
file twice adds nothing. A row is a phone, a day, a time slot and a site; day and slot are
city time (Asia/Ho_Chi_Minh), stored UTC. A reminder campaign calls every phone booked on a
day once (its earliest appointment that day; Contact.appointment_id), in slot order; a
phone that opted out is left out. Time is an argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from dialer.checkins import ImportSummary, RowRejected, default_rejects_path
from dialer.csvinput import Column, CsvSource, RejectsWriter
from dialer.times import CITY_ZONE, to_utc
from store.errors import UserError
from store.models import Appointment, Campaign, Contact, ImportBatch, OptOut
from store.phones import PhoneError, normalize_phone

APPOINTMENT_COLUMNS = [
    Column("phone", ("so_dien_thoai", "sdt", "dien_thoai")),
    Column("date", ("ngay", "ngay_tiem", "appointment_date")),
    Column("slot", ("khung_gio", "gio_tiem", "time_slot", "gio")),
    Column("site", ("dia_diem", "diem_tiem", "dia_diem_tiem", "co_so_tiem")),
]
CHUNK_ROWS = 5_000
MAX_SITE = 300
_DATE_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_CLOCK = r"(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)?"
_SLOT = re.compile(rf"{_CLOCK}\s*[-–—]\s*{_CLOCK}")
DATE_FORMS = "YYYY-MM-DD or dd/mm/yyyy"
SLOT_FORMS = "HH:MM-HH:MM, e.g. 08:00-09:30 or 7h30-9h"


# --- reading one row -------------------------------------------------------------------
def parse_day(text: str) -> date:
    """'2021-10-12' or '12/10/2021' -> a date; ValueError naming the accepted forms."""
    text = text.strip()
    m = _DATE_DMY.fullmatch(text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"cannot read date {text!r}; use {DATE_FORMS}") from None


def parse_slot(text: str) -> tuple[time, time]:
    """'08:00-09:30', '8h-9h30', '7h30 – 9h' -> (start, end); ValueError when unreadable."""
    m = _SLOT.fullmatch(text.strip())
    try:
        if not m:
            raise ValueError
        start = time(int(m[1]), int(m[2] or 0))
        end = time(int(m[3]), int(m[4] or 0))
    except ValueError:
        raise ValueError(f"cannot read time slot {text!r}; use {SLOT_FORMS}") from None
    if end <= start:
        raise ValueError(f"time slot {text!r} ends before it starts")
    return start, end


def parse_row(values: dict[str, str]) -> tuple[str, datetime, datetime, str]:
    """(phone, slot_start, slot_end, site) with UTC times, or RowRejected with the reason."""
    if "__error__" in values:
        raise RowRejected(values["__error__"])
    for name in ("phone", "date", "slot", "site"):
        if not values.get(name):
            raise RowRejected(f"missing {name}")
    try:
        phone = normalize_phone(values["phone"])
        day = parse_day(values["date"])
        start, end = parse_slot(values["slot"])
    except (PhoneError, ValueError) as exc:
        raise RowRejected(str(exc)) from None
    site = values["site"]
    if len(site) > MAX_SITE:
        raise RowRejected(f"site longer than {MAX_SITE} characters")
    return phone, to_utc(datetime.combine(day, start)), to_utc(datetime.combine(day, end)), site


# --- the import --------------------------------------------------------------------------
def import_appointments(
    engine: Engine,
    path: Path,
    *,
    rejects_path: Path | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    on_read: Callable[[int], None] | None = None,
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportSummary:
    summary = ImportSummary(rejects_path=rejects_path or default_rejects_path(path))
    with CsvSource(
        path, APPOINTMENT_COLUMNS, encoding=encoding, delimiter=delimiter, on_read=on_read
    ) as src:
        batch_id = _start_batch(engine, path, now)
        rejects = RejectsWriter(summary.rejects_path, src.header)
        chunk: list[dict] = []
        good = 0
        for row in src.rows():
            try:
                phone, start, end, site = parse_row(row.values)
            except RowRejected as exc:
                rejects.add(row, str(exc))
                continue
            chunk.append(
                {"phone": phone, "slot_start": start, "slot_end": end, "site": site,
                 "status": "booked", "batch_id": batch_id}
            )  # fmt: skip
            if len(chunk) >= chunk_rows:
                summary.imported += _store(engine, chunk)
                good, chunk = good + len(chunk), []
        summary.imported += _store(engine, chunk)
        good += len(chunk)
        rejects.close()
    summary.duplicates = good - summary.imported
    summary.rejected = rejects.count
    _finish_batch(engine, batch_id, summary)
    return summary


def _store(engine: Engine, rows: list[dict]) -> int:
    """Insert one chunk in its own transaction; how many were new."""
    if not rows:
        return 0
    with engine.begin() as conn:
        return len(conn.execute(_insert_ignoring_duplicates(conn), rows).all())


def _insert_ignoring_duplicates(conn: Connection):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(Appointment)
        .on_conflict_do_nothing(index_elements=["phone", "slot_start", "site"])
        .returning(Appointment.id)
    )


def _start_batch(engine: Engine, path: Path, now: datetime | None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(ImportBatch)
            .values(kind="appointments", filename=str(path), started_at=now or datetime.now(UTC))
            .returning(ImportBatch.id)
        ).scalar_one()


def _finish_batch(engine: Engine, batch_id: int, summary: ImportSummary) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(
                finished_at=datetime.now(UTC),
                imported=summary.imported,
                duplicates=summary.duplicates,
                rejected=summary.rejected,
            )
        )


def upcoming_sites(engine: Engine, now: datetime, limit: int = 1000) -> list[str]:
    """The sites of appointments not yet over (for the note on their spoken names)."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                sa.select(Appointment.site)
                .where(Appointment.slot_end >= now)
                .distinct()
                .order_by(Appointment.site)
                .limit(limit)
            )
        )


# --- the reminder campaign of a day ------------------------------------------------------
@dataclass
class ReminderCounts:
    appointments: int = 0
    contacts: int = 0
    shared_phone: int = 0  # a second appointment on a phone already called that day
    opted_out: int = 0


def create_reminder_campaign(
    session: Session, day: date, *, name: str | None = None, now: datetime
) -> tuple[Campaign, ReminderCounts]:
    """A draft appointment_reminder campaign calling everyone booked on `day` (city time)."""
    name = (name or f"reminders {day.isoformat()}").strip()
    if session.scalar(sa.select(Campaign.id).where(Campaign.name == name)) is not None:
        raise UserError(f"a campaign named {name!r} exists; pass another --name")
    start = datetime.combine(day, time(0), CITY_ZONE).astimezone(UTC)
    rows = session.execute(
        sa.select(Appointment.id, Appointment.phone)
        .where(
            Appointment.slot_start >= start,
            Appointment.slot_start < start + timedelta(days=1),
            Appointment.status == "booked",
        )
        .order_by(Appointment.slot_start, Appointment.id)
    ).all()
    if not rows:
        raise UserError(
            f"no booked appointment on {day.isoformat()}; "
            "import them first: hotline appointments import FILE"
        )
    counts = ReminderCounts(appointments=len(rows))
    opted = _opted_out(session, {phone for _, phone in rows})
    campaign = Campaign(
        name=name, kind="appointment_reminder", status="draft", created_at=now,
        appointment_day=day,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    first: dict[str, int] = {}
    for appointment_id, phone in rows:
        if phone in opted:
            counts.opted_out += 1
        elif phone in first:
            counts.shared_phone += 1
        else:
            first[phone] = appointment_id
    if first:
        session.execute(
            sa.insert(Contact),
            [
                {"campaign_id": campaign.id, "phone": phone, "priority": 1, "status": "pending",
                 "attempts": 0, "appointment_id": appointment_id, "why": [], "created_at": now}
                for phone, appointment_id in first.items()
            ],
        )  # fmt: skip
    counts.contacts = len(first)
    return campaign, counts


def _opted_out(session: Session, phones: set[str]) -> set[str]:
    found: set[str] = set()
    listed = sorted(phones)
    for i in range(0, len(listed), 500):
        chunk = listed[i : i + 500]
        found.update(session.scalars(sa.select(OptOut.phone).where(OptOut.phone.in_(chunk))))
    return found

"""The whole data model (DESIGN.md "Data model"), one declarative Base.

Rules: phones are E.164 text; timestamps are UtcDateTime; statuses are plain strings
checked by the code that writes them (the allowed values are listed here, once), so a
new status needs no migration. Lookups the dialer and the matcher make often have an
index named after what they serve.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import UtcDateTime

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")

CHECKIN_SOURCES = ("qr", "checkpoint")
CASE_CLASSIFICATIONS = ("F0", "F1")
CAMPAIGN_KINDS = ("exposure_notice", "appointment_reminder", "callback")
CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")
CONTACT_STATUSES = (
    "pending",
    "dialing",
    "answered",
    "declared",
    "opted_out",
    "failed",
    "exhausted",
    "expired",
)
ATTEMPT_OUTCOMES = ("answered", "busy", "no_answer", "congestion", "failed", "machine", "unknown")
# An attempt's life (dialer.policy has the transition table).
ATTEMPT_STATES = ("queued", "dialing", *ATTEMPT_OUTCOMES, "retry_wait", "done")
APPOINTMENT_STATUSES = ("booked", "confirmed", "cannot_come")
FEEDBACK_STATUSES = ("recording", "new", "cancelled", "failed", "hangup")
FEEDBACK_CATEGORIES = ("procedures", "public_services", "covid", "other")
DECLARATION_SOURCES = ("inbound", "campaign")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Location(Base):
    """A place with a QR poster; `max_stay_s` bounds how far back the matcher must look."""

    __tablename__ = "location"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    ward: Mapped[str] = mapped_column(String(200), default="")
    district: Mapped[str] = mapped_column(String(200), default="")
    prompt_id: Mapped[str | None] = mapped_column(String(100))
    max_stay_s: Mapped[int] = mapped_column(Integer, default=0)


class ImportBatch(Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # locations | checkins
    filename: Mapped[str] = mapped_column(String(1000))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class CheckIn(Base):
    __tablename__ = "checkin"
    # One index does both jobs: it makes a visit unique and it is the matcher's range scan
    # (location, then time). Two indexes cost the importer twice the random page writes.
    # No foreign keys: the importer, the table's only writer, takes location_id from the
    # location table and batch_id from the batch it just made, and nothing deletes either;
    # the checks cost PostgreSQL half its merge time (migration 0005).
    __table_args__ = (
        UniqueConstraint("location_id", "checked_in_at", "phone", name="uq_checkin_visit"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[int] = mapped_column(Integer)
    checked_in_at: Mapped[datetime]
    checked_out_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="qr")
    batch_id: Mapped[int | None] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "case_"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    classification: Mapped[str] = mapped_column(String(4), default="F0")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    exposures: Mapped[list[Exposure]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Exposure.start"
    )
    phones: Mapped[list[CasePhone]] = relationship(cascade="all, delete-orphan")


class Exposure(Base):
    __tablename__ = "exposure"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    case: Mapped[Case] = relationship(back_populates="exposures")
    location: Mapped[Location] = relationship()


class CasePhone(Base):
    """The case's own numbers: never called about their own case."""

    __tablename__ = "case_phone"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str] = mapped_column(String(16), primary_key=True)


class Campaign(Base):
    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="exposure_notice")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime]
    start_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    margin_s: Mapped[int] = mapped_column(Integer, default=30 * 60)
    dwell_s: Mapped[int] = mapped_column(Integer, default=60 * 60)
    # Policy (dialer.policy reads these): calling window in city time, retries per outcome.
    calling_hours: Mapped[str] = mapped_column(String(32), default="07:30-20:30")
    calling_days: Mapped[str] = mapped_column(String(32), default="mon-sun")
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    retry_after_s: Mapped[int] = mapped_column(Integer, default=30 * 60)  # outcome unknown
    retry_busy_s: Mapped[int] = mapped_column(Integer, default=10 * 60)
    retry_no_answer_s: Mapped[int] = mapped_column(Integer, default=30 * 60)
    retry_failed_s: Mapped[int] = mapped_column(Integer, default=5 * 60)  # also congestion
    retry_machine_s: Mapped[int] = mapped_column(Integer, default=60 * 60)
    ring_timeout_s: Mapped[int] = mapped_column(Integer, default=30)
    deadline_s: Mapped[int | None] = mapped_column(Integer)  # after the start
    deadline_at: Mapped[datetime | None]
    suppress_s: Mapped[int] = mapped_column(Integer, default=24 * 3600)
    amd: Mapped[bool] = mapped_column(Boolean, default=False)
    leave_message: Mapped[bool] = mapped_column(Boolean, default=False)
    record: Mapped[bool] = mapped_column(Boolean, default=False)
    max_channels: Mapped[int] = mapped_column(Integer, default=10)
    calls_per_second: Mapped[float] = mapped_column(default=2.0)
    caller_id: Mapped[str] = mapped_column(String(64), default="")
    trunk: Mapped[str] = mapped_column(String(64), default="")
    appointment_day: Mapped[date | None] = mapped_column(Date)  # reminder campaigns
    case: Mapped[Case | None] = relationship()


class Contact(Base):
    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="uq_contact_campaign_phone"),
        # The dialer's claim: pending contacts of a campaign in calling order.
        Index(
            "ix_contact_due",
            "campaign_id",
            "status",
            "priority",
            "checked_in_at",
            "next_attempt_at",
        ),
        Index("ix_contact_phone", "phone"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    phone: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=2)
    # The first matching visit, for reports; `why` holds every matching check-in.
    location_code: Mapped[str] = mapped_column(String(64), default="")
    checked_in_at: Mapped[datetime | None]
    why: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    final_reason: Mapped[str | None] = mapped_column(String(200))
    reached_at: Mapped[datetime | None]
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL", name="fk_contact_appointment")
    )
    created_at: Mapped[datetime]


class CallAttempt(Base):
    """One dial. Written (state queued) before the Originate leaves, so no call goes
    unrecorded; the funnel columns are filled by the notice flow as the callee listens."""

    __tablename__ = "call_attempt"
    __table_args__ = (
        Index("ix_call_attempt_number_time", "number", "originated_at"),
        # Live attempts (no end yet) are few; the dialer counts them per campaign.
        Index(
            "ix_call_attempt_live",
            "contact_id",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        Index("ix_call_attempt_declaration", "declaration_id"),  # deletes of declarations
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    worker: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(16), default="queued")
    number: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(100), unique=True)
    channel: Mapped[str] = mapped_column(String(200), default="")
    originated_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[int | None] = mapped_column(Integer)  # OriginateResponse Reason
    hangup_cause: Mapped[int | None] = mapped_column(Integer)
    cause_txt: Mapped[str | None] = mapped_column(String(64))
    amd_status: Mapped[str | None] = mapped_column(String(16))
    notice_heard_at: Mapped[datetime | None]
    key_pressed: Mapped[str | None] = mapped_column(String(8))
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="SET NULL", name="fk_call_attempt_declaration")
    )
    recording_path: Mapped[str | None] = mapped_column(String(1000))


class BadNumber(Base):
    """A number the network called unallocated or rejected: never dialed again, by any campaign."""

    __tablename__ = "bad_number"
    __table_args__ = (Index("ix_bad_number_attempt", "attempt_id"),)  # deletes of attempts
    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    cause: Mapped[int | None] = mapped_column(Integer)
    cause_txt: Mapped[str] = mapped_column(String(64), default="")
    since: Mapped[datetime]
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_attempt.id", ondelete="SET NULL")
    )


class Lease(Base):
    """A named lease (the scheduler's, one per database): who holds it and until when."""

    __tablename__ = "lease"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class DialerWorker(Base):
    """A running `hotline dialer run`, as its heartbeat last told (status and doctor read it)."""

    __tablename__ = "dialer_worker"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    channels_in_use: Mapped[int] = mapped_column(Integer, default=0)
    ami_connected: Mapped[bool] = mapped_column(Boolean, default=False)


class Declaration(Base):
    __tablename__ = "declaration"
    __table_args__ = (Index("ix_declaration_contact", "contact_id"),)  # deletes of contacts
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)  # symptomatic
    confirmation_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime]


class InboundCall(Base):
    __tablename__ = "inbound_call"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(100), unique=True)
    caller: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    path: Mapped[list[Any]] = mapped_column(default=list)
    outcome: Mapped[str | None] = mapped_column(String(32))


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(16), unique=True)
    caller: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    recording_path: Mapped[str | None] = mapped_column(String(1000))
    duration_s: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime]


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("phone", "slot_start", "site", name="uq_appointment"),
        Index("ix_appointment_slot", "slot_start"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    site: Mapped[str] = mapped_column(String(300))
    slot_start: Mapped[datetime]
    slot_end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="booked")
    responded_at: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", name="fk_appointment_batch")
    )


class OptOut(Base):
    __tablename__ = "opt_out"
    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    since: Mapped[datetime]


class ExportAudit(Base):
    """Every export that showed full phone numbers: who, when, what."""

    __tablename__ = "export_audit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(100))
    what: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer, default=0)

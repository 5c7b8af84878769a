"""Column types shared by the models.

Rules: every timestamp is stored in UTC. On PostgreSQL it is a `timestamptz`; on SQLite
a naive UTC text in SQLAlchemy's fixed-width format (so text order is time order, and the
bulk importer can write the same text without SQLAlchemy). Python always sees aware
datetimes in UTC; handing a naive one in is a bug and raises.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def sqlite_text(value: datetime | None) -> str | None:
    """The exact text UtcDateTime stores on SQLite (SQLITE_FORMAT), for writers that bypass
    SQLAlchemy; the bulk importer calls it twice a row, hence no strftime."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # combine(d, d.time()) is d.replace(tzinfo=None) at a fifth of the cost.
    return _combine(value, value.time()).isoformat(" ", "microseconds")


_combine = datetime.combine

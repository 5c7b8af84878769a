"""Streaming import of locations and check-ins, with rejects.

Rules: constant memory whatever the file size (rows flow through in chunks); every good
row goes in, every bad row goes to the rejects file with its line number and reason, and
the import never stops half way for a bad row. A check-in is unique on (phone, location,
checked_in_at), so importing a file twice adds nothing. A phone is good when it fits the
numbering plan (store.phones); numbers outside the blocks phonenumbers knows are imported
and counted in the summary, since the network, not the importer, says which ones are
unallocated (the dialer marks those bad). A file without quotes is read by blocks, its
plain rows by one regular expression (dialer.plain_checkins), the rest here. Check-ins go
in through the fastest path each database has (dialer/bulk.py): one INSERT OR IGNORE …
FROM json_each per chunk on SQLite, COPY into staging tables then an INSERT of the visits
not stored yet on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dialer.bulk import CheckinWriter, writer_for
from dialer.csvinput import Column, CsvRow, CsvSource, RejectsWriter
from dialer.plain_checkins import PlainCheckinRows
from dialer.stored_times import StoredTimes
from dialer.times import TimeError
from store.errors import UserError
from store.models import CHECKIN_SOURCES, ImportBatch, Location
from store.phones import PhoneError, in_known_block, normalize_phone

LOCATION_COLUMNS = [
    Column("code", ("ma_dia_diem", "location_code", "ma")),
    Column("name", ("ten", "ten_dia_diem"), required=False),
    Column("address", ("dia_chi",), required=False),
    Column("ward", ("phuong", "phuong_xa", "xa_phuong"), required=False),
    Column("district", ("quan", "quan_huyen", "huyen"), required=False),
]
CHECKIN_COLUMNS = [
    Column("phone", ("so_dien_thoai", "sdt", "dien_thoai")),
    Column("location_code", ("ma_dia_diem", "location", "code")),
    Column("checked_in_at", ("thoi_gian_vao", "checkin", "check_in")),
    Column("checked_out_at", ("thoi_gian_ra", "checkout", "check_out"), required=False),
    Column("source", ("nguon",), required=False),
]
CHUNK_ROWS = 50_000
_PHONE_CACHE_LIMIT = 500_000


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    outside_known_blocks: int = 0  # distinct numbers of good rows, see store.phones

    def line(self) -> str:
        text = (
            f"imported {self.imported}, skipped {self.duplicates} duplicates, "
            f"rejected {self.rejected}"
        )
        if self.rejected:
            text += f" (see {self.rejects_path})"
        if self.outside_known_blocks:
            text += (
                f"; {self.outside_known_blocks} outside known number blocks; they will be dialed"
            )
        return text


class RowRejected(ValueError):
    pass


def default_rejects_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejects.csv")


def import_locations(
    engine: Engine,
    path: Path,
    *,
    rejects_path: Path | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Upsert locations by code: a second import updates names and addresses."""
    summary = ImportSummary(rejects_path=rejects_path or default_rejects_path(path))
    with (
        CsvSource(
            path, LOCATION_COLUMNS, encoding=encoding, delimiter=delimiter, on_read=on_read
        ) as src,
        engine.begin() as conn,
    ):
        rejects = RejectsWriter(summary.rejects_path, src.header)
        existing = dict(conn.execute(sa.select(Location.code, Location.id)).all())
        seen: set[str] = set()
        for row in src.rows():
            try:
                values = _location_values(row)
            except RowRejected as exc:
                rejects.add(row, str(exc))
                continue
            code = values["code"]
            if code in seen:
                summary.duplicates += 1
                continue
            seen.add(code)
            if code in existing:
                conn.execute(
                    sa.update(Location).where(Location.id == existing[code]).values(**values)
                )
            else:
                conn.execute(sa.insert(Location).values(**values, max_stay_s=0))
            summary.imported += 1
        rejects.close()
        summary.rejected = rejects.count
    return summary


def _location_values(row: CsvRow) -> dict[str, str]:
    if "__error__" in row.values:
        raise RowRejected(row.values["__error__"])
    code = row.values.get("code", "")
    if not code:
        raise RowRejected("missing code")
    if len(code) > 64:
        raise RowRejected("code longer than 64 characters")
    return {k: row.values.get(k, "") for k in ("code", "name", "address", "ward", "district")}


class _OutsideKnownBlocks(str):
    """A cached E.164 number that phonenumbers does not list as allocated: the row that
    carries it is counted once it is known to be good (CheckinParser.outside_known_blocks)."""


class CheckinParser:
    """One CSV row -> the tuple the bulk writer takes, or RowRejected with the reason."""

    NAMES = [c.name for c in CHECKIN_COLUMNS]

    def __init__(self, locations: dict[str, int], default_source: str):
        self.locations = locations
        self.default_source = default_source
        self._phones: dict[str, str | PhoneError] = {}
        # Shared with dialer.plain_checkins, which reads the plain rows of a file.
        self.times = StoredTimes()
        self.stays: dict[int, float] = {}  # location -> longest stay seen, in seconds
        self.outside_known_blocks: set[str] = set()

    @property
    def max_stay(self) -> dict[int, int]:
        """Longest stay per location in whole seconds, plus one (the matcher's reach)."""
        return {loc: int(stay // 1) + 1 for loc, stay in self.stays.items()}

    def parse_values(
        self, raw_phone: str, code: str, in_text: str, out_text: str, source: str
    ) -> tuple[str, int, str, str | None, str]:
        """The cells of CHECKIN_COLUMNS, in order ("" when absent); the import's hot path.

        Times come out as the database stores them (dialer.stored_times)."""
        if not (raw_phone and code and in_text):
            name = "phone" if not raw_phone else "location_code" if not code else "checked_in_at"
            raise RowRejected(f"missing {name}")
        phone = self._phones.get(raw_phone)
        if phone.__class__ is not str:  # not seen yet, refused, or outside the known blocks
            phone = self._phone(raw_phone)
        location_id = self.locations.get(code)
        if location_id is None:
            raise RowRejected(
                f"unknown location code {code!r}; import it with: hotline locations import"
            )
        try:
            checked_in, in_s = self.times.convert(in_text)
            if out_text:
                checked_out, out_s = self.times.convert(out_text)
            else:
                checked_out = None
        except TimeError as exc:
            raise RowRejected(str(exc)) from None
        if checked_out is not None:
            stay = out_s - in_s
            if stay < 0:
                raise RowRejected("checked_out_at is before checked_in_at")
            if stay > self.stays.get(location_id, -1):
                self.stays[location_id] = stay
        source = (source or self.default_source).lower()
        if source not in CHECKIN_SOURCES:
            raise RowRejected(f"unknown source {source!r}; use qr or checkpoint")
        if phone.__class__ is not str:
            phone = str(phone)
            self.outside_known_blocks.add(phone)
        return phone, location_id, checked_in, checked_out, source

    def _phone(self, raw: str) -> str:
        cached = self._phones.get(raw)
        if cached is None:
            if len(self._phones) > _PHONE_CACHE_LIMIT:
                self._phones.clear()
            try:
                cached = normalize_phone(raw)
                if not in_known_block(cached):
                    cached = _OutsideKnownBlocks(cached)
            except PhoneError as exc:
                cached = exc
            self._phones[raw] = cached
        if isinstance(cached, PhoneError):
            raise RowRejected(str(cached))
        return cached


def import_checkins(
    engine: Engine,
    path: Path,
    *,
    source: str = "qr",
    rejects_path: Path | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    on_read: Callable[[int], None] | None = None,
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportSummary:
    if source not in CHECKIN_SOURCES:
        raise UserError(f"unknown --source {source!r}; use qr or checkpoint")
    summary = ImportSummary(rejects_path=rejects_path or default_rejects_path(path))
    with CsvSource(
        path, CHECKIN_COLUMNS, encoding=encoding, delimiter=delimiter, on_read=on_read
    ) as src:
        batch_id, locations = _start_batch(engine, path, now)
        parser = CheckinParser(locations, source)
        rejects = RejectsWriter(summary.rejects_path, src.header)
        with writer_for(engine, batch_id) as writer:
            good = _stream(src, parser, rejects, writer, chunk_rows)
        rejects.close()
    summary.imported = writer.inserted
    summary.duplicates = good - writer.inserted
    summary.rejected = rejects.count
    summary.outside_known_blocks = len(parser.outside_known_blocks)
    _finish_batch(engine, batch_id, summary, parser.max_stay)
    return summary


def _stream(
    src: CsvSource,
    parser: CheckinParser,
    rejects: RejectsWriter,
    writer: CheckinWriter,
    chunk_rows: int,
) -> int:
    """Parse and hand over the rows a chunk at a time; the number of good rows."""
    good = 0
    chunk: list[tuple] = []
    for rows in _parsed(src, parser, rejects):
        chunk += rows
        while len(chunk) >= chunk_rows:
            writer.write(chunk[:chunk_rows])
            good += chunk_rows
            del chunk[:chunk_rows]
    if chunk:
        writer.write(chunk)
        good += len(chunk)
    return good


def _parsed(
    src: CsvSource, parser: CheckinParser, rejects: RejectsWriter, block_chars: int = 1 << 20
) -> Iterator[list]:
    """Lists of good rows in file order; bad rows go to `rejects` on the way. A file
    without quotes is read by blocks (dialer.plain_checkins), any other by the csv module."""
    names = parser.NAMES
    parse = parser.parse_values

    def parsed(line: int, cells: list[str], values: tuple, error: str | None) -> tuple | None:
        try:
            if error is not None:
                raise RowRejected(error)
            return parse(*values)
        except RowRejected as exc:
            rejects.add(CsvRow(line, cells, {}), str(exc))
            return None

    if src.one_record_a_line:
        plain = PlainCheckinRows(parser, src.index, len(src.header), src.delimiter)

        def slow(line: int, text: str) -> tuple | None:
            record = src.record(names, line, text)
            return None if record is None else parsed(*record)

        for first, text in src.blocks(block_chars):
            yield plain.rows(text, first, slow)
        return
    rows: list[tuple] = []
    for record in src.records(names):
        if (row := parsed(*record)) is not None:
            rows.append(row)
            if len(rows) >= 10_000:
                yield rows
                rows = []
    yield rows


def _start_batch(engine: Engine, path: Path, now: datetime | None) -> tuple[int, dict[str, int]]:
    with engine.begin() as conn:
        locations = dict(conn.execute(sa.select(Location.code, Location.id)).all())
        if not locations:
            raise UserError("no locations yet; import them first: hotline locations import FILE")
        batch_id = conn.execute(
            sa.insert(ImportBatch)
            .values(
                kind="checkins",
                filename=str(path),
                started_at=now or datetime.now(UTC),
            )
            .returning(ImportBatch.id)
        ).scalar_one()
    return batch_id, locations


def _finish_batch(
    engine: Engine, batch_id: int, summary: ImportSummary, max_stay: dict[int, int]
) -> None:
    longer = (
        sa.update(Location)
        .where(Location.id == sa.bindparam("location"), Location.max_stay_s < sa.bindparam("stay"))
        .values(max_stay_s=sa.bindparam("stay"))
    )
    with engine.begin() as conn:
        if max_stay:  # one executemany: a file spans thousands of places
            stays = [{"location": loc, "stay": stay} for loc, stay in max_stay.items()]
            conn.execute(longer, stays)
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

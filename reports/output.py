# Rules: rows stream through one at a time; nothing is held. CSV and TSV are UTF-8 with a
# BOM (Excel then shows Vietnamese) and every text cell passes through excel_safe, so no cell
# starts a formula; JSON is one array with an object per line, UTF-8, not escaped. Values are
# typed: a bool is yes/no in CSV and true/false in JSON, None is empty or null, a Rate is
# "65.8%" in CSV (Excel reads it as a percentage) and a fraction in JSON. Text is NFC.
# A file is written beside its name and renamed when complete: no half report is left.
"""Tables out as CSV, TSV or JSON, to a file or stdout."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from dialer.csvinput import excel_safe
from store.errors import UserError

FORMATS = ("csv", "tsv", "json")
_RISKY = frozenset("=+-@\t\r")  # first characters excel_safe looks at


class Rate(float):
    """A share between 0 and 1, shown as a percentage."""

    def __str__(self) -> str:
        return f"{100 * self:.1f}%"


def rate(part: int, whole: int) -> Rate | None:
    return Rate(part / whole) if whole else None


@contextmanager
def opened(out: Path | None, fmt: str) -> Iterator[TextIO]:
    """The stream a report goes to: FILE (complete or absent), or stdout."""
    encoding = "utf-8-sig" if fmt in ("csv", "tsv") else "utf-8"  # the BOM is for Excel
    if out is None:
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    part = out.with_name(f".{out.name}.part")
    try:
        stream = part.open("w", encoding=encoding, newline="")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}; check --out") from None
    try:
        with stream:
            yield stream
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def write_table(stream: TextIO, fmt: str, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write `rows` under `header`; the number of rows."""
    if fmt == "json":
        return _write_json(stream, header, rows)
    writer = csv.writer(stream, delimiter="\t" if fmt == "tsv" else ",")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])
        count += 1
    return count


def write_sections(
    stream: TextIO, fmt: str, sections: Sequence[tuple[str, Sequence[str], Sequence[Sequence]]]
) -> None:
    """Several small tables: CSV/TSV blocks with a title line and a blank line between
    (one sheet in Excel), or one JSON object of arrays keyed by title."""
    if fmt == "json":
        data = {title: [_json_row(header, r) for r in rows] for title, header, rows in sections}
        json.dump(data, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
        return
    writer = csv.writer(stream, delimiter="\t" if fmt == "tsv" else ",")
    for i, (title, header, rows) in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerow([spreadsheet_cell(title)])
        writer.writerow(header)
        writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)


def spreadsheet_cell(value):
    """One value as a spreadsheet cell (the hot path of every export: types checked exactly)."""
    kind = type(value)
    if kind is str:
        if not value:
            return value
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        return excel_safe(value) if value[0] in _RISKY else value
    if value is None:
        return ""
    if kind is bool:
        return "yes" if value else "no"
    if kind is Rate:
        return str(value)
    return value


def _write_json(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    stream.write("[")
    count = 0
    for row in rows:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(_json_row(header, row), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _json_row(header: Sequence[str], row: Sequence) -> dict:
    return {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
        for k, v in zip(header, row, strict=True)
    }


def text_sections(sections: Sequence[tuple[str, Sequence[str], Sequence[Sequence]]]) -> str:
    """The same tables for a terminal: a title, then columns aligned (numbers right)."""
    out = []
    for title, header, rows in sections:
        cells = [[str(h) for h in header]] + [[_text_cell(v) for v in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        numeric = [bool(rows) and all(_is_number(r[i]) for r in rows) for i in range(len(header))]
        out.append(title)
        for r in cells:
            line = "  ".join(
                c.rjust(w) if num and i else c.ljust(w)
                for i, (c, w, num) in enumerate(zip(r, widths, numeric, strict=True))
            )
            out.append("  " + line.rstrip())
    return "\n".join(out) + "\n"


def _text_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))

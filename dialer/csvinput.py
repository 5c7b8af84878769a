"""Reading supervisors' CSV files: encoding, delimiter, headers with aliases, rejects.

Rules: the whole input is checked to decode before a single row is used (one pass, constant
memory), so a cp1258 export fails at once with a line naming --encoding instead of half
importing. BOM and CRLF are handled; the delimiter is sniffed from the header line among
, ; tab | unless given. Headers match case-, space- and diacritics-insensitively
("Số điện thoại" finds so_dien_thoai). Text is NFC-normalised line by line before it is
split (the same as cell by cell: a delimiter or quote never composes with a neighbour,
and one call a line is cheaper than five). Rejected rows keep their cells as written
(in NFC) and get the line number and the reason; rejects files are UTF-8 with a
BOM and formula-escaped, because they are opened in Excel.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import operator
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from store.errors import UserError

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_CHECK_CHUNK = 1 << 20


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True


@dataclass
class CsvRow:
    line: int
    cells: list[str]
    values: dict[str, str]


def header_key(text: str) -> str:
    """'Số điện thoại ' -> 'so_dien_thoai'."""
    text = text.strip().lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "_".join(text.replace("-", " ").split())


class CountingReader(io.RawIOBase):
    """Counts bytes read so a progress bar can follow a text stream."""

    def __init__(self, raw, on_read: Callable[[int], None] | None = None):
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        if n and self._on_read:
            self._on_read(n)
        return n or 0


def check_encoding(path: Path, encoding: str) -> bool:
    """Refuse a file that does not decode; return whether every line is one record.

    That is, no quote character and no carriage return outside CRLF in the whole file: its
    lines can then be read without the csv module (CsvSource.blocks), found on the same pass.
    """
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise UserError(f"unknown encoding {encoding!r}; try --encoding cp1258 or utf-8") from None
    # Where these bytes are these characters (UTF-8, cp1258; not UTF-16), bytes can be searched.
    ascii_based = '"\r\n'.encode(encoding, errors="replace").endswith(b'"\r\n')
    one_record_a_line = ascii_based
    offset = 0
    last = b""
    with path.open("rb") as f:
        while chunk := f.read(_CHECK_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = _line_of(path, offset + exc.start)
                raise UserError(
                    f"{path} is not {encoding} text (line {line}); "
                    "pass --encoding, e.g. --encoding cp1258 for Windows "
                    "Vietnamese exports"
                ) from None
            if one_record_a_line:
                joined = last + chunk  # a CRLF may straddle two chunks
                lone_cr = joined.count(b"\r") != joined.count(b"\r\n") + joined.endswith(b"\r")
                one_record_a_line = b'"' not in chunk and not lone_cr
                last = chunk[-1:]
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UserError(
                f"{path} ends inside a {encoding} character; pass --encoding "
                "if it is not {encoding}"
            ) from None
    return one_record_a_line


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as f:
        return f.read(offset).count(b"\n") + 1


def sniff_delimiter(header_line: str, columns: list[Column]) -> str:
    known = {header_key(a) for c in columns for a in (c.name, *c.aliases)}

    def score(delim: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delim), [])
        return sum(header_key(c) in known for c in cells), len(cells)

    return max(CANDIDATE_DELIMITERS, key=score)


def map_header(header: list[str], columns: list[Column], path: Path) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for col in columns:
        for name in (col.name, *col.aliases):
            if header_key(name) in keys:
                found[col.name] = keys.index(header_key(name))
                break
        else:
            if col.required:
                accepted = " or ".join((col.name, *col.aliases))
                raise UserError(
                    f"{path}: missing column {col.name!r} (accepted headers: "
                    f"{accepted}); found: {', '.join(header) or 'nothing'}"
                )
    return found


class CsvSource:
    """An opened CSV file: iterate rows as CsvRow; `header` and `bytes_total` for reports."""

    def __init__(
        self,
        path: Path,
        columns: list[Column],
        *,
        encoding: str = "utf-8-sig",
        delimiter: str | None = None,
        on_read: Callable[[int], None] | None = None,
    ):
        self.path = path
        self.columns = columns
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        self.bytes_total = os.path.getsize(path)
        # True when no line needs the csv module to be split (blocks, record).
        self.one_record_a_line = check_encoding(path, encoding)
        self._raw = path.open("rb", buffering=0)
        self._text = io.TextIOWrapper(
            io.BufferedReader(CountingReader(self._raw, on_read), buffer_size=1 << 18),
            encoding=encoding,
            newline="",
        )
        first = self._text.readline()
        self.delimiter = delimiter or sniff_delimiter(first.rstrip("\r\n"), columns)
        self.header: list[str] = next(csv.reader([first], delimiter=self.delimiter), [])
        self.header = [_nfc(h.strip()) for h in self.header]
        if not self.header:
            raise UserError(
                f"{path} is empty; expected a header line with "
                + ", ".join(c.name for c in columns if c.required)
            )
        self.index = map_header(self.header, columns, path)
        self._pickers: dict[tuple[str, ...], Callable[[list[str]], tuple[str, ...]]] = {}

    def rows(self) -> Iterator[CsvRow]:
        names = list(self.index)
        for line, cells, values, error in self.records(names):
            if error is None:
                yield CsvRow(line, cells, dict(zip(names, values, strict=True)))
            else:
                yield CsvRow(line, cells, {"__error__": error})

    def records(
        self, names: list[str]
    ) -> Iterator[tuple[int, list[str], tuple[str, ...], str | None]]:
        """(line, cells, values, error) per row: the hot path of million-row imports.

        `values` are the cells of `names` in that order, stripped and NFC-normalised, ""
        for a column the file lacks; when `error` says why the row cannot be read,
        `values` is empty. Tuples, not CsvRow dicts: a million rows cost seconds less.
        """
        reader = csv.reader(map(_nfc_line, self._text), delimiter=self.delimiter)
        pick = self._picker(names)
        width = len(self.header)
        strip = str.strip
        last_line = 1
        while True:
            line = last_line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field over the size limit; the reader goes on
                last_line = reader.line_num + 1
                yield line, [], (), f"unreadable CSV: {exc}"
                continue
            last_line = reader.line_num + 1
            if len(cells) == width and width != 1:
                yield line, cells, tuple(map(strip, pick(cells))), None
            elif (record := self._shaped(line, cells, last_line, pick)) is not None:
                yield record

    def blocks(self, size: int = 1 << 20) -> Iterator[tuple[int, str]]:
        """(number of the first line, text) for the rest of the file, in blocks of whole
        lines, NFC-normalised, each ending with a newline. Only where one_record_a_line:
        then line n of a block is the file's line first + n, and one record."""
        first = 2
        while text := self._text.read(size):
            if text[-1] != "\n":
                text += self._text.readline()
                if text[-1] != "\n":  # the last line has no newline
                    text += "\n"
            text = _nfc_line(text)
            yield first, text
            first += text.count("\n")

    def record(
        self, names: list[str], line: int, text: str
    ) -> tuple[int, list[str], tuple[str, ...], str | None] | None:
        """One line of a block, as records() would give it; None for a blank line."""
        try:
            cells = next(csv.reader((text,), delimiter=self.delimiter), [])
        except csv.Error as exc:
            return line, [], (), f"unreadable CSV: {exc}"
        return self._shaped(line, cells, line, self._picker(names))

    def _picker(self, names: list[str]) -> Callable[[list[str]], tuple[str, ...]]:
        """One per list of names, kept: record() asks for it once a line."""
        key = tuple(names)
        pick = self._pickers.get(key)
        if pick is None:
            pick = self._pickers[key] = _picker([self.index.get(n) for n in names])
        return pick

    def _shaped(self, line: int, cells: list[str], end_line: int, pick) -> tuple | None:
        """Any row as records() gives it (the loop there handles the common width inline):
        None when blank, the width error when its width is not the header's."""
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            return None
        if len(cells) != len(self.header):
            return line, cells, (), _width_error(cells, len(self.header), end_line)
        return line, cells, tuple(map(str.strip, pick(cells))), None

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _width_error(cells: list[str], width: int, end_line: int) -> str:
    if any("\n" in c for c in cells):
        return f"a quote opened here is never closed (the field runs to line {end_line})"
    return f"has {len(cells)} fields, header has {width}"


def _picker(positions: list[int | None]) -> Callable[[list[str]], tuple[str, ...]]:
    """cells -> the cells at `positions` (None: a column the file lacks, read as "")."""
    if positions and None not in positions:
        if len(positions) > 1:
            return operator.itemgetter(*positions)
        (only,) = positions
        return lambda cells: (cells[only],)
    return lambda cells: tuple("" if i is None else cells[i] for i in positions)


# NFC of text already in NFC (ASCII included) is one quick check in C.
_nfc_line = functools.partial(unicodedata.normalize, "NFC")


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def excel_safe(cell: str) -> str:
    """Neutralise spreadsheet formulas in untrusted text (OWASP CSV injection).

    A plain signed number (an E.164 phone such as +84905123456) cannot run anything and is
    left as it is; any other cell starting with = + - @ tab or CR gets a leading quote.
    """
    if cell and cell[0] in "=+-@\t\r" and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class RejectsWriter:
    """Writes rejected rows lazily: no file appears when every row is good."""

    def __init__(self, path: Path, header: list[str]):
        self.path = path
        self.header = header
        self.count = 0
        self._file = None
        self._writer = None

    def add(self, row: CsvRow, reason: str) -> None:
        if self._writer is None:
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(["line", "reason", *map(excel_safe, self.header)])
        cells = (excel_safe(c.replace("\x00", "")) for c in row.cells)
        self._writer.writerow([row.line, reason, *cells])
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

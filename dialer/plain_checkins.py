"""The plain rows of a check-in file, read a block at a time by one regular expression.

Why: a city's export is millions of rows written the same way (a phone 0… or +84…, a
place code, naive 'YYYY-MM-DD HH:MM:SS' times, qr), and reading each one through the csv
module and CheckinParser cost about 8 µs a row, most of the import. Here `re.findall`
splits a block of lines into cells and checks their form in C; what is left in Python
per row is a few dictionary lookups. Used only where no line needs the csv module (no
quote anywhere: CsvSource.one_record_a_line).

Rules: a row takes this path only when the pattern and the caches prove that
CheckinParser would give exactly this tuple (tests/dialer/test_plain_checkins.py checks
it against the parser); every other line (other phone forms, an unknown place, times
before 1976, a blank or broken line) goes to `slow(line, text)` in its place, so the
output keeps the file's order and the parser keeps the final say on what is rejected.
The parser's caches and tallies (hours, longest stays, numbers outside the known blocks)
are shared, so both paths count alike.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from dialer.stored_times import NO_FRACTION, TAILS
from store.phones import in_known_block

# The national digits, as PLAN says, in one group; or a mobile written 0905 123 456, in three.
_PHONE = r"(?:(?:\+84|84|0)([35789][0-9]{8}|2[0-9]{9})|0([35789][0-9]{2}) ([0-9]{3}) ([0-9]{3}))"
_TIME = r"([0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2})(:[0-5][0-9]:[0-5][0-9])"  # hour, ':MM:SS'
# Column -> (pattern, number of groups); a column the file lacks reads as empty groups.
_CELLS = {
    "phone": (_PHONE, 4),
    "location_code": (r"([^\s{d}]+)", 1),
    "checked_in_at": (_TIME, 2),
    "checked_out_at": (f"(?:{_TIME})?", 2),
    "source": ("(qr|checkpoint)?", 1),
}
_ORDER = ("phone", "location_code", "checked_in_at", "checked_out_at", "source")

Slow = Callable[[int, str], "tuple | None"]


def row_pattern(index: dict[str, int], width: int, delimiter: str) -> tuple[re.Pattern, Callable]:
    """The pattern of one line of this file's layout, and the getter that puts its groups
    in the order (national, the three groups of a spaced mobile, code, in hour, in tail,
    out hour, out tail, source, line, other).

    `index`: column name -> position in the header (CsvSource.index), `width`: the header's
    length. A plain line fills the first groups and `line` (its text without the line end);
    any other line fills `other` only.
    """
    d = re.escape(delimiter)
    by_position = {position: name for name, position in index.items()}
    cells, group_of, groups = [], {}, 1  # group 1 is the whole plain line
    for position in range(width):
        name = by_position.get(position)
        if name is None:
            cells.append(f"[^{d}\\r\\n]*")
            continue
        pattern, count = _CELLS[name]
        cells.append(pattern.replace("{d}", d))
        group_of[name] = groups + 1
        groups += count
    absent = [name for name in _ORDER if name not in group_of]
    for name in absent:  # empty groups after the line, so every layout gives one shape
        group_of[name] = groups + 1
        groups += _CELLS[name][1]
    empty = "".join("()" * _CELLS[name][1] for name in absent)
    plain = d.join(cells)
    pattern = re.compile(f"(?:({plain})\\r?\\n{empty}|([^\\n]*)\\n)")
    wanted = []
    for name in _ORDER:
        wanted += range(group_of[name] - 1, group_of[name] - 1 + _CELLS[name][1])
    wanted += [0, groups]  # the plain line, the other line (findall's tuples count from 0)
    return pattern, operator.itemgetter(*wanted)


class PlainCheckinRows:
    """Turns a block of whole lines into the rows the bulk writer takes (see the module)."""

    def __init__(self, parser, index: dict[str, int], width: int, delimiter: str):
        self._parser = parser  # a dialer.checkins.CheckinParser: its caches and tallies
        self._pattern, self._order = row_pattern(index, width, delimiter)
        self._known: dict[str, bool] = {}  # first four national digits -> in a known block

    def rows(self, text: str, first_line: int, slow: Slow) -> list[tuple]:
        """The rows of `text` (lines first_line, first_line + 1, …), in file order; a line
        that is not plain is given to `slow`, whose tuple (or None: blank or rejected)
        takes its place."""
        parser = self._parser
        locations, default_source = parser.locations, parser.default_source
        hours, hour = parser.times.hours, parser.times.hour
        stays, known, outside = parser.stays, self._known, parser.outside_known_blocks
        tails = TAILS
        rows: list[tuple] = []
        append = rows.append
        line = first_line - 1
        for (
            national,
            spaced_1,
            spaced_2,
            spaced_3,
            code,
            in_hour,
            in_tail,
            out_hour,
            out_tail,
            source,
            plain,
            other,
        ) in map(self._order, self._pattern.findall(text)):
            line += 1
            if (
                plain
                and (location := locations.get(code)) is not None
                and (checked_in := hours.get(in_hour) or hour(in_hour)) is not None
            ):
                if not out_hour:
                    checked_out = None
                elif (left := hours.get(out_hour) or hour(out_hour)) is not None and (
                    stay := left[1] + tails[out_tail] - checked_in[1] - tails[in_tail]
                ) >= 0:
                    if stay > stays.get(location, -1):
                        stays[location] = stay
                    checked_out = left[0] + out_tail + NO_FRACTION
                else:
                    if (row := slow(line, plain)) is not None:
                        append(row)
                    continue
                if not national:
                    national = spaced_1 + spaced_2 + spaced_3
                phone = "+84" + national
                prefix = national[:4]
                in_block = known.get(prefix)
                if in_block is None:
                    in_block = known[prefix] = in_known_block(phone)
                if not in_block:
                    outside.add(phone)
                append(
                    (
                        phone,
                        location,
                        checked_in[0] + in_tail + NO_FRACTION,
                        checked_out,
                        source or default_source,
                    )
                )
            elif (row := slow(line, plain or other)) is not None:
                append(row)
        return rows

"""Writing CSV that Excel opens correctly and safely.

Rules: UTF-8 with a BOM (Vietnamese diacritics intact in Excel), CRLF rows as the csv
module writes them, and every text cell that may carry untrusted input passed through
`excel_safe`, so a cell can never start a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from dialer.csvinput import excel_safe


def write_csv(path: Path, header: list[str], rows: Iterable[list]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([excel_safe(c) if isinstance(c, str) else c for c in row])
            count += 1
    return count

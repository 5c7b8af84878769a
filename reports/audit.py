# Rules: an export that shows full phone numbers is written into export_audit before its
# first row leaves (so even one that fails half way is on record), and its row count is
# filled in when it ends. Who is the operating-system user running the command; when comes
# from the caller's clock.
"""The audit of unmasked exports (table export_audit)."""

from __future__ import annotations

import getpass
import os
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from store.models import ExportAudit


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return f"uid {os.getuid()}"


def open_audit(sessions: sessionmaker[Session], what: str, now: datetime, who: str) -> int:
    with sessions.begin() as s:
        row = ExportAudit(at=now, who=who[:100], what=what[:500], rows=0)
        s.add(row)
        s.flush()
        return row.id


def close_audit(sessions: sessionmaker[Session], audit_id: int, rows: int) -> None:
    with sessions.begin() as s:
        s.get(ExportAudit, audit_id).rows = rows

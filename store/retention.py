# Rules: personal data goes when its retention period ([retention] in the config file, else
# DEFAULT_PERIODS) has passed: check-ins by check-in time; contacts (with their call attempts)
# of campaigns completed, cancelled or left in draft, by the campaign's end (or creation);
# recording files of attempts and feedback by call time (the row stays, its path cleared);
# declarations and inbound-call records by creation. Opt-outs, bad numbers and the export
# audit are never purged. Every batch is its own short transaction, committed before the next
# (check-ins go by windows of ids, so no batch scans more than `window` rows): the dialer, the
# IVR and an import keep running beside a purge. Time comes from the caller (`now`).
"""`hotline purge`: deleting personal data older than its retention period."""

from __future__ import annotations

import glob
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from store.errors import UserError
from store.models import CallAttempt, Campaign, CheckIn, Contact, Declaration, Feedback, InboundCall

log = logging.getLogger("hotline.retention")

DEFAULT_PERIODS = {
    "recordings": "90d",
    "contacts": "90d",
    "declarations": "180d",
    "calls": "90d",
    "checkins": "30d",
}
KINDS = tuple(DEFAULT_PERIODS)  # the order a purge goes in: files before their rows
COUNTS = ("recordings", "recording_files", "contacts", "attempts", "declarations", "calls",
          "checkins")  # fmt: skip
NEVER = ("never", "off", "keep")
ENDED = ("completed", "cancelled", "draft")
BATCH = 2000
WINDOW = 20_000
_DURATION = re.compile(r"(\d+)\s*([wdhm]?)")
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "": 86400}
_CITY = ZoneInfo("Asia/Ho_Chi_Minh")

Periods = dict[str, timedelta | None]


def read_periods(section: Mapping[str, object] | None = None) -> Periods:
    """[retention] of the config file over DEFAULT_PERIODS; 'never' keeps that kind."""
    section = dict(section or {})
    unknown = sorted(set(section) - set(KINDS))
    if unknown:
        raise UserError(f"[retention] {unknown[0]!r} is not a kind of data; use {', '.join(KINDS)}")
    return {kind: _period(kind, section.get(kind, DEFAULT_PERIODS[kind])) for kind in KINDS}


def _period(kind: str, value: object) -> timedelta | None:
    text = str(value).strip().lower()
    if text in NEVER:
        return None
    m = _DURATION.fullmatch(text)
    if not m or int(m.group(1)) == 0:
        raise UserError(f"[retention] {kind} = {value!r}: use e.g. 30d, 12h, 2w or never")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


@dataclass
class PurgeCounts:
    dry_run: bool
    periods: Periods
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        """Every figure, zeros included: recordings (rows cleared), recording_files (files
        removed), contacts, attempts, declarations, calls, checkins."""
        return {key: self.counts[key] for key in COUNTS}

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        c = self.counts
        files = "" if self.dry_run else f" ({c['recording_files']} files removed)"
        said = {
            "recordings": ("recordings", f"{c['recordings']}{files}"),
            "contacts": ("contacts of campaigns",
                         f"{c['contacts']}, with {c['attempts']} call attempts"),
            "declarations": ("declarations", str(c["declarations"])),
            "calls": ("inbound-call records", str(c["calls"])),
            "checkins": ("check-ins", str(c["checkins"])),
        }  # fmt: skip
        out = []
        for kind in KINDS:
            label, figure = said[kind]
            period = self.periods[kind]
            if period is None:
                out.append(f"{label}: kept ([retention] {kind} = never)")
                continue
            cutoff = self.cutoffs[kind].astimezone(_CITY).strftime("%Y-%m-%d %H:%M")
            age = f"older than {_days(period)}"
            if kind == "contacts":
                age = f"that ended more than {_days(period)} ago"
            out.append(f"{label} {age} (before {cutoff}): {verb} {figure}")
        return out


def purge(
    sessions: sessionmaker[Session],
    now: datetime,
    periods: Periods | None = None,
    *,
    dry_run: bool = False,
    batch: int = BATCH,
    window: int = WINDOW,
) -> PurgeCounts:
    """Delete (or, with dry_run, count) what is older than its period; the dialer's scheduler
    may call this daily. `now` is aware UTC."""
    result = PurgeCounts(dry_run, periods if periods is not None else read_periods())
    purger = _Purger(sessions, result.counts, dry_run, batch, window)
    for kind in KINDS:
        period = result.periods[kind]
        if period is not None:
            result.cutoffs[kind] = now - period
            getattr(purger, kind)(result.cutoffs[kind])
    log.info("purge%s: %s", " (dry run)" if dry_run else "", dict(result.counts))
    return result


def purge_job(database_url: str, periods: Mapping[str, str] | None = None) -> dict[str, int]:
    """The scheduler's daily job, with plain arguments: purge now, return the counts."""
    from store.db import make_engine, session_factory

    engine = make_engine(database_url)
    try:
        return purge(session_factory(engine), datetime.now(UTC), read_periods(periods)).as_dict()
    finally:
        engine.dispose()


class _Purger:
    def __init__(self, sessions, counts: Counter, dry_run: bool, batch: int, window: int):
        self.sessions, self.counts, self.dry_run = sessions, counts, dry_run
        self.batch, self.window = batch, window

    def recordings(self, cutoff: datetime) -> None:
        for model, when in ((CallAttempt, CallAttempt.originated_at),
                            (Feedback, Feedback.created_at)):  # fmt: skip
            where = (model.recording_path.is_not(None), when < cutoff)
            if self.dry_run:
                self.counts["recordings"] += self._count(model, *where)
                continue
            while self._clear_recordings(model, where):
                pass

    def _clear_recordings(self, model, where) -> int:
        with self.sessions.begin() as s:
            rows = s.execute(
                sa.select(model.id, model.recording_path)
                .where(*where).order_by(model.id).limit(self.batch)
            ).all()  # fmt: skip
            if not rows:
                return 0
            self.counts["recording_files"] += sum(remove_recording(path) for _, path in rows)
            s.execute(
                sa.update(model)
                .where(model.id.in_([row_id for row_id, _ in rows]))
                .values(recording_path=None)
                .execution_options(synchronize_session=False)
            )
            self.counts["recordings"] += len(rows)
            return len(rows)

    def contacts(self, cutoff: datetime) -> None:
        ended_at = sa.func.coalesce(Campaign.finished_at, Campaign.created_at)
        with self.sessions() as s:
            campaigns = list(s.scalars(
                sa.select(Campaign.id).where(Campaign.status.in_(ENDED), ended_at < cutoff)
            ))  # fmt: skip
        for campaign_id in campaigns:
            if self.dry_run:
                self.counts["contacts"] += self._count(Contact, Contact.campaign_id == campaign_id)
                self.counts["attempts"] += self._count(
                    CallAttempt, CallAttempt.contact_id == Contact.id,
                    Contact.campaign_id == campaign_id,
                )  # fmt: skip
                continue
            while self._delete_contacts(campaign_id):
                pass

    def _delete_contacts(self, campaign_id: int) -> int:
        with self.sessions.begin() as s:
            ids = list(s.scalars(
                sa.select(Contact.id).where(Contact.campaign_id == campaign_id)
                .order_by(Contact.id).limit(self.batch)
            ))  # fmt: skip
            if not ids:
                return 0
            paths = s.scalars(
                sa.select(CallAttempt.recording_path).where(
                    CallAttempt.contact_id.in_(ids), CallAttempt.recording_path.is_not(None)
                )
            )
            self.counts["recording_files"] += sum(remove_recording(p) for p in paths)
            self.counts["attempts"] += _delete(s, CallAttempt, CallAttempt.contact_id.in_(ids))
            self.counts["contacts"] += _delete(s, Contact, Contact.id.in_(ids))
            return len(ids)

    def declarations(self, cutoff: datetime) -> None:
        self._by_id("declarations", Declaration, Declaration.created_at < cutoff)

    def calls(self, cutoff: datetime) -> None:
        self._by_id("calls", InboundCall, InboundCall.started_at < cutoff)

    def checkins(self, cutoff: datetime) -> None:
        old = CheckIn.checked_in_at < cutoff
        if self.dry_run:
            self.counts["checkins"] += self._count(CheckIn, old)
            return
        with self.sessions() as s:
            lo, hi = s.execute(sa.select(sa.func.min(CheckIn.id), sa.func.max(CheckIn.id))).one()
        for start in range(lo or 0, (hi or -1) + 1, self.window):
            with self.sessions.begin() as s:
                in_window = CheckIn.id.between(start, start + self.window - 1)
                self.counts["checkins"] += _delete(s, CheckIn, in_window, old)

    def _by_id(self, kind: str, model, old) -> None:
        if self.dry_run:
            self.counts[kind] += self._count(model, old)
            return
        while True:
            with self.sessions.begin() as s:
                ids = list(s.scalars(sa.select(model.id).where(old).order_by(model.id)
                                     .limit(self.batch)))  # fmt: skip
                if not ids:
                    return
                self.counts[kind] += _delete(s, model, model.id.in_(ids))

    def _count(self, model, *where) -> int:
        with self.sessions() as s:
            return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _delete(session: Session, model, *where) -> int:
    result = session.execute(
        sa.delete(model).where(*where).execution_options(synchronize_session=False)
    )
    return result.rowcount


def remove_recording(path: str) -> int:
    """Delete a recording: the path itself and path.<format> (Asterisk adds the extension);
    the number of files removed. A file already gone, or on another host, is not an error."""
    target = Path(path)
    files = [target] if target.is_file() else []
    files += [Path(p) for p in glob.glob(glob.escape(str(target)) + ".*") if Path(p).is_file()]
    removed = 0
    for f in files:
        try:
            f.unlink()
            removed += 1
        except OSError as exc:
            log.warning("cannot remove recording %s: %s", f, exc)
    return removed


def _days(period: timedelta) -> str:
    seconds = int(period.total_seconds())
    for unit in ("w", "d", "h"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds // 60}m"

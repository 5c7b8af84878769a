"""Retention: `purge` deletes what is older than its period, and nothing younger, in short
batches; on SQLite and PostgreSQL, with rows on both sides of every boundary."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hotline_cli import hotline

from store.db import make_engine, session_factory
from store.errors import UserError
from store.migrate import upgrade
from store.models import (
    CallAttempt,
    Campaign,
    CheckIn,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
    OptOut,
)
from store.retention import purge, purge_job, read_periods

NOW = datetime(2021, 12, 1, 3, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def ago(days: int, plus: timedelta = timedelta(0)) -> datetime:
    return NOW - timedelta(days=days) + plus


class World:
    """Rows on both sides of each period (PERIODS), recording files in tmp_path."""

    def __init__(self, sessions, tmp_path):
        self.sessions, self.files = sessions, tmp_path
        with sessions.begin() as s:
            place = Location(code="DN-0001", name="Chợ Hàn")
            s.add(place)
            s.flush()
            for when in [
                ago(30, -SECOND),
                ago(30),
                ago(30, SECOND),
                *(ago(40 + i) for i in range(6)),
            ]:
                s.add(CheckIn(phone=f"+8490500{len(s.new):04d}", location_id=place.id,
                              checked_in_at=when))  # fmt: skip
            self.ended_long_ago = self._campaign(s, "A", "completed", ago(91), contacts=3)
            self.ended_lately = self._campaign(s, "B", "completed", ago(89), contacts=1,
                                               called=ago(101))  # fmt: skip
            self.running = self._campaign(s, "C", "running", None, contacts=1, created=ago(200),
                                          called=ago(99))  # fmt: skip
            self.old_draft = self._campaign(s, "D", "draft", None, contacts=1, created=ago(100))
            attempt = s.scalars(sa.select(CallAttempt).join(Contact)
                                .where(Contact.campaign_id == self.running)).first()  # fmt: skip
            for days in (181, 179):
                d = Declaration(phone="+84905000001", source="inbound", created_at=ago(days))
                s.add(d)
                s.flush()
                if days == 181:
                    attempt.declaration_id = d.id
            for days in (91, 89):
                s.add(InboundCall(uniqueid=f"u{days}", caller="+84912345678",
                                  started_at=ago(days)))  # fmt: skip
            for days in (101, 99):
                s.add(Feedback(ticket=f"t{days}", recording_path=self._recording(f"fb{days}"),
                               created_at=ago(days)))  # fmt: skip
            s.add(OptOut(phone="+84905000009", since=ago(400)))

    def _campaign(self, s, name, status, finished, *, contacts, created=None, called=None):
        campaign = Campaign(name=name, status=status, finished_at=finished,
                            created_at=created or ago(120))  # fmt: skip
        s.add(campaign)
        s.flush()
        for i in range(contacts):
            contact = Contact(campaign_id=campaign.id, phone=f"+849051{campaign.id}{i:04d}",
                              created_at=campaign.created_at)  # fmt: skip
            s.add(contact)
            s.flush()
            for n in (1, 2):
                s.add(CallAttempt(
                    contact_id=contact.id, attempt_no=n, number=contact.phone,
                    channel_id=f"{name}-{i}-{n}", originated_at=called or ago(95),
                    recording_path=self._recording(f"{name}{i}{n}") if n == 1 else None,
                ))  # fmt: skip
        return campaign.id

    def _recording(self, name: str) -> str:
        (self.files / f"{name}.wav").write_bytes(b"RIFF")
        return str(self.files / name)  # as Asterisk is given it: no extension

    def counts(self) -> dict[str, int]:
        with self.sessions() as s:

            def n(model, *where):
                return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

            return {
                "checkins": n(CheckIn),
                "contacts": n(Contact),
                "attempts": n(CallAttempt),
                "recordings": n(CallAttempt, CallAttempt.recording_path.is_not(None))
                + n(Feedback, Feedback.recording_path.is_not(None)),
                "declarations": n(Declaration),
                "calls": n(InboundCall),
                "feedback": n(Feedback),
                "opt_outs": n(OptOut),
                "files": len(list(self.files.glob("*.wav"))),
            }


@pytest.fixture
def world(database_url, tmp_path):
    engine = make_engine(database_url)
    upgrade(engine)
    yield World(session_factory(engine), tmp_path)
    engine.dispose()


# Recordings outlive contacts here, so that a contact's purge has files of its own to remove.
PERIODS = read_periods({"recordings": "100d"})  # check-ins 30d, contacts and calls 90d, ...
BEFORE = {"checkins": 9, "contacts": 6, "attempts": 12, "recordings": 8, "declarations": 2,
          "calls": 2, "feedback": 2, "opt_outs": 1, "files": 8}  # fmt: skip
GONE = {"checkins": 7, "contacts": 4, "attempts": 8, "recordings": 2, "declarations": 1,
        "calls": 1}  # fmt: skip


def test_purge_deletes_the_old_side_of_every_boundary_only(world):
    assert world.counts() == BEFORE
    dry = purge(world.sessions, NOW, PERIODS, dry_run=True)
    assert {k: v for k, v in dry.as_dict().items() if v} == GONE
    assert world.counts() == BEFORE  # a dry run changes nothing

    commits = []
    sa.event.listen(world.sessions.kw["bind"], "commit", lambda conn: commits.append(1))
    result = purge(world.sessions, NOW, PERIODS, batch=2, window=3)
    # Recordings: B's call 101 days ago (B ended 89 days ago: its contact stays) and the
    # 101-day feedback's. The files of A (ended 91 days ago) and D (a draft of 100 days ago)
    # go with their contacts.
    assert {k: v for k, v in result.as_dict().items() if v} == {**GONE, "recording_files": 6}
    assert world.counts() == {
        "checkins": 2,  # exactly 30 days old and younger
        "contacts": 2,  # B (ended 89 days ago) and C (running)
        "attempts": 4,
        "recordings": 2,  # C's call 99 days ago, the 99-day feedback's
        "declarations": 1,
        "calls": 1,
        "feedback": 2,  # a ticket stays; only its recording goes
        "opt_outs": 1,  # never purged
        "files": 2,
    }
    # Every batch is its own transaction: check-ins alone went in 3 windows of 3 ids, A's
    # contacts in 2 batches of 2, D's in 1, each followed by an empty look.
    assert len(commits) >= 12
    with world.sessions() as s:
        assert s.scalars(sa.select(CallAttempt.declaration_id)).all().count(None) == 4
        paths = dict(s.execute(sa.select(Feedback.ticket, Feedback.recording_path)).all())
        assert paths["t101"] is None and paths["t99"] == str(world.files / "fb99")
    assert not any(purge(world.sessions, NOW, PERIODS).as_dict().values())  # nothing left


def test_periods_come_from_the_config_section():
    periods = read_periods({"checkins": "7d", "recordings": "never", "calls": 48})
    assert periods["checkins"] == timedelta(days=7)
    assert periods["recordings"] is None
    assert periods["calls"] == timedelta(days=48)
    assert periods["contacts"] == timedelta(days=90)
    with pytest.raises(UserError, match=r"\[retention\] 'checkin' is not a kind of data"):
        read_periods({"checkin": "7d"})
    with pytest.raises(UserError, match=r"checkins = '7 days': use e.g. 30d, 12h, 2w or never"):
        read_periods({"checkins": "7 days"})


def test_the_command_says_what_it_deleted(sqlite_url, tmp_path):
    assert hotline(sqlite_url, "db", "init").exit_code == 0
    config = tmp_path / "hotline.toml"
    config.write_text('[retention]\ncheckins = "14d"\ncalls = "never"\n', encoding="utf-8")
    result = hotline(sqlite_url, "--config", str(config), "purge", "--dry-run")
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(
        rf"recordings older than 90d \(before {when}\): would delete 0\n"
        rf"contacts of campaigns that ended more than 90d ago \(before {when}\): would delete 0, "
        r"with 0 call attempts\n"
        rf"declarations older than 180d \(before {when}\): would delete 0\n"
        r"inbound-call records: kept \(\[retention\] calls = never\)\n"
        rf"check-ins older than 2w \(before {when}\): would delete 0\n",
        result.output,
    ), result.output


def test_the_schedulers_job_takes_plain_arguments(world, database_url):
    counts = purge_job(database_url, {"checkins": "never", "declarations": "never"})
    # By the real clock every campaign of 2021 ended long ago; only C is still running.
    assert (counts["contacts"], counts["checkins"], counts["declarations"]) == (5, 0, 0)

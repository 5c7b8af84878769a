"""`hotline calls list [--since]`: the call log as a supervisor reads it, numbers masked."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hotline_cli import hotline

from store.clock import SIM_CLOCK_ENV, ScaledClock
from store.db import make_engine
from store.models import InboundCall

NOW = datetime(2021, 10, 9, 3, 0, tzinfo=UTC)  # 10:00 in Da Nang


def add_calls(url):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(InboundCall),
            [
                {"uniqueid": "1.1", "caller": "+84905123456", "path": ["main", "operator"],
                 "started_at": NOW - timedelta(hours=5), "outcome": "operator",
                 "ended_at": NOW - timedelta(hours=5) + timedelta(seconds=42)},
                {"uniqueid": "1.2", "caller": "unknown", "path": ["main", "covid", "flow:bulletin",
                 "covid"], "started_at": NOW - timedelta(minutes=50), "outcome": "hangup",
                 "ended_at": NOW - timedelta(minutes=47, seconds=55)},
                {"uniqueid": "1.3", "caller": "+84912345678", "path": ["main"],
                 "started_at": NOW - timedelta(minutes=1), "outcome": None, "ended_at": None},
            ],
        )  # fmt: skip
    engine.dispose()


def test_calls_list_shows_each_call_oldest_first_with_numbers_masked(sqlite_url, monkeypatch):
    monkeypatch.setenv(SIM_CLOCK_ENV, ScaledClock.starting(NOW, 1e6).spec())
    assert hotline(sqlite_url, "db", "init").exit_code == 0
    assert hotline(sqlite_url, "calls", "list").output == "no calls yet\n"
    add_calls(sqlite_url)
    assert hotline(sqlite_url, "calls", "list").output == (
        "2021-10-09 05:00  +8490****456     0m42s  operator    main > operator\n"
        "2021-10-09 09:10  unknown          2m05s  hangup      "
        "main > covid > flow:bulletin > covid\n"
        "2021-10-09 09:59  +8491****678         -  in progress main\n"
        "3 call(s)\n"
    )
    recent = hotline(sqlite_url, "calls", "list", "--since", "2h").output.splitlines()
    assert [line[:16] for line in recent[:-1]] == ["2021-10-09 09:10", "2021-10-09 09:59"]
    since = hotline(sqlite_url, "calls", "list", "--since", "09/10/2021 09:30")
    assert since.output.splitlines()[-1] == "1 call(s)"
    none = hotline(sqlite_url, "calls", "list", "--since", "2021-10-09 09:59:30")
    assert none.output == "no calls since 2021-10-09 09:59\n"
    last = hotline(sqlite_url, "calls", "list", "--limit", "1").output.splitlines()
    assert last == ["2021-10-09 09:59  +8491****678         -  in progress main", "1 call(s)"]


def test_an_unreadable_since_is_one_line(sqlite_url):
    result = hotline(sqlite_url, "calls", "list", "--since", "yesterday")
    assert result.exit_code == 2
    assert "'yesterday' is neither a duration (2h, 30m, 1d) nor a time" in result.output

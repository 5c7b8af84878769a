"""`hotline feedback list` and the recordings lines of `hotline doctor`, as a supervisor
types them, on a real database."""

from __future__ import annotations

import os
import pwd
from datetime import UTC, datetime, timedelta

import pytest
from hotline_cli import hotline

from dialer.doctor import _recordings
from store.db import make_engine, session_factory
from store.models import FEEDBACK_CATEGORIES, FEEDBACK_STATUSES, Feedback

DAY = datetime(2021, 10, 9, 1, 0, tzinfo=UTC)  # 08:00 in Da Nang


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    assert hotline(url, "db", "init").exit_code == 0
    engine = make_engine(url)
    with session_factory(engine).begin() as s:
        s.add_all([
            Feedback(ticket="211000001", caller="+84905123456", category="covid", status="new",
                     recording_path="/rec/feedback-211000001.wav", duration_s=12.25,
                     created_at=DAY - timedelta(days=2)),
            Feedback(ticket="211000002", caller="+84912000111", category="procedures",
                     status="cancelled", created_at=DAY),
            Feedback(ticket="211000003", caller="unknown", category="covid", status="hangup",
                     recording_path="/rec/feedback-211000003.wav", duration_s=3.5,
                     created_at=DAY + timedelta(minutes=5)),
        ])  # fmt: skip
    engine.dispose()
    return url


def test_list_shows_every_ticket_oldest_first_with_masked_callers(url):
    result = hotline(url, "feedback", "list")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "ticket     received          category         status      length  caller         "
        "recording",
        "211000001  2021-10-07 08:00  covid            new          12.2s  +8490****456   "
        "/rec/feedback-211000001.wav",
        "211000002  2021-10-09 08:00  procedures       cancelled        -  +8491****111   -",
        "211000003  2021-10-09 08:05  covid            hangup        3.5s  unknown        "
        "/rec/feedback-211000003.wav",
        "3 ticket(s): 1 new, 1 cancelled, 1 hangup",
    ]  # fmt: skip


def test_list_since_a_date_and_by_category(url):
    result = hotline(url, "feedback", "list", "--since", "2021-10-09", "--category", "covid")
    lines = result.output.splitlines()
    assert [line[:9] for line in lines] == ["ticket   ", "211000003", "1 ticket("]
    none = hotline(url, "feedback", "list", "--since", "2021-10-10 00:00")
    assert none.output == "no feedback tickets\n"


def test_a_bad_since_or_category_is_one_line(url):
    result = hotline(url, "feedback", "list", "--since", "last week")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--since': 'last week': use a date 2021-10-07" in result.output
    result = hotline(url, "feedback", "list", "--category", "voice")
    assert (result.exit_code, result.output) == (
        1,
        "Error: --category 'voice': choose one of procedures, public_services, covid, other\n",
    )


def test_the_help_names_every_category_and_status():
    help_text = " ".join(hotline("sqlite://", "feedback", "list", "--help").output.split())
    assert f"Only this category: {', '.join(FEEDBACK_CATEGORIES[:-1])} or other." in help_text
    assert f"Only this status: {', '.join(FEEDBACK_STATUSES[:-1])} or hangup." in help_text


def test_doctor_checks_the_ivr_recordings_folder(url, tmp_path):
    folder = tmp_path / "recordings"
    config = tmp_path / "hotline.toml"
    config.write_text(f'[agi]\nrecordings_dir = "{folder}"\n', encoding="utf-8")
    ami = "ami://127.0.0.1"  # unreadable (no user): the AMI check fails at once

    def recordings_line() -> str:
        result = hotline(url, "--config", str(config), "doctor", "--ami-url", ami)
        assert result.exit_code == 1  # no AMI in this test
        [line] = [line for line in result.output.splitlines() if "recordings:" in line]
        return line

    assert recordings_line() == (
        f"FAIL  recordings: {folder} does not exist and Asterisk cannot create it: run "
        f"`hotline agi serve` (it creates it) or mkdir -p {folder}, writable by Asterisk"
    )
    folder.mkdir()
    folder.chmod(0o2770)
    me = pwd.getpwuid(os.getuid()).pw_name
    assert recordings_line() == (
        f"ok    recordings: {folder} exists and is writable (owner {me}, mode 2770)"
    )


def test_doctor_with_asterisk_on_another_box_asks_for_a_mount(tmp_path):
    check = _recordings(str(tmp_path / "recordings"), "10.0.0.2")
    assert not check.ok
    assert check.detail == (
        f"{tmp_path}/recordings is not on this host: Asterisk (10.0.0.2) writes it on its own "
        "box; mount that folder here at the same path (hotline reads and purges it)"
    )

"""Driving campaigns from the CLI: policy options, start/pause/resume/cancel, status, doctor.

Exact output and exit codes, as a supervisor sees them; `doctor` talks to a real pbxsim
process over loopback.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hotline_cli import hotline, ready_db, write

from cli import main
from store.db import make_engine, session_factory
from store.models import Campaign

VISITS = (
    "phone,location_code,checked_in_at,checked_out_at\n"
    "0905000002,DN-0001,2021-10-07 10:00,2021-10-07 10:15\n"
    "0905000003,DN-0001,2021-10-07 10:30,\n"
)
CASE = ["cases", "add", "F0-7", "--exposure", "DN-0001", "2021-10-07 09:00", "2021-10-07 11:00"]


@pytest.fixture
def url(sqlite_url, tmp_path):
    ready_db(sqlite_url, tmp_path)
    assert hotline(sqlite_url, "checkins", "import", str(write(tmp_path, "c.csv", VISITS)))
    assert hotline(sqlite_url, *CASE).exit_code == 0
    return sqlite_url


def campaign(url) -> Campaign:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        found = s.get(Campaign, 1)
    engine.dispose()
    return found


def run(url, *args, input=None):
    return CliRunner().invoke(main, ["--database-url", url, *args], input=input)


def test_create_takes_the_whole_policy(url):
    result = hotline(
        url,
        "campaign",
        "create",
        "--case",
        "F0-7",
        "--hours",
        "08:00-20:00",
        "--days",
        "mon-sat",
        "--channels",
        "30",
        "--cps",
        "3",
        "--max-attempts",
        "4",
        "--retry-busy",
        "15m",
        "--retry-no-answer",
        "1h",
        "--retry-failed",
        "2m",
        "--ring-timeout",
        "45s",
        "--deadline",
        "2d",
        "--amd",
        "--record",
    )
    assert result.exit_code == 0, result.output
    c = campaign(url)
    assert (c.calling_hours, c.calling_days, c.max_channels, c.calls_per_second) == (
        "08:00-20:00",
        "mon-sat",
        30,
        3.0,
    )
    assert (c.max_attempts, c.retry_busy_s, c.retry_no_answer_s, c.retry_failed_s) == (
        4,
        900,
        3600,
        120,
    )
    assert (c.ring_timeout_s, c.deadline_s, c.amd, c.record) == (45, 172800, True, True)


def test_the_defaults_are_the_issue_s(url):
    assert hotline(url, "campaign", "create", "--case", "F0-7").exit_code == 0
    c = campaign(url)
    assert (c.calling_hours, c.calling_days, c.max_attempts) == ("07:30-20:30", "mon-sun", 3)
    assert (c.retry_busy_s, c.retry_no_answer_s, c.retry_failed_s, c.retry_machine_s) == (
        600,
        1800,
        300,
        3600,
    )
    assert (c.suppress_s, c.amd, c.record, c.deadline_s) == (86400, False, False, None)


@pytest.mark.parametrize(
    "option,message",
    [
        (["--hours", "20:30-07:30"], "Error: --hours: calling hours '20:30-07:30' must end after"),
        (["--days", "weekdays"], "Error: --days: cannot read calling days 'weekdays'"),
        (["--channels", "0"], "Error: --channels must be between 1 and 2000"),
        (["--ring-timeout", "2s"], "Error: --ring-timeout must be between 5s and 300s"),
        (["--cps", "0"], "Error: --cps must be above 0"),
    ],
)
def test_a_bad_setting_is_one_line_and_nothing_is_created(url, option, message):
    result = run(url, "campaign", "create", "--case", "F0-7", *option)
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1
    assert "no campaigns yet" in hotline(url, "campaign", "list").output


def test_start_shows_who_and_asks_first(url):
    hotline(url, "campaign", "create", "--case", "F0-7")
    declined = run(url, "campaign", "start", "1", input="n\n")
    assert declined.exit_code == 1
    assert declined.output.startswith(
        "campaign 1 'F0-7 notice': 2 contacts (priority 1: 2)\n  hours 07:30-20:30 mon-sun"
    )
    assert "Start calling 2 people now? [y/N]: n\nError: not started\n" in declined.output
    assert campaign(url).status == "draft"
    started = run(url, "campaign", "start", "1", "--yes")
    assert (started.exit_code, started.output.splitlines()[-1]) == (0, "campaign 1 is running")
    again = run(url, "campaign", "start", "1", "--yes")
    assert again.exit_code == 1 and "Error: campaign 1 is running, not a draft" in again.output


def test_a_later_start_is_scheduled(url):
    hotline(url, "campaign", "create", "--case", "F0-7")
    result = run(url, "campaign", "start", "1", "--yes", "--at", "2099-01-01 07:30")
    assert result.output.splitlines()[-1] == "campaign 1 is scheduled (starts 2099-01-01 07:30)"


def test_policy_changes_only_while_no_call_goes_out(url):
    hotline(url, "campaign", "create", "--case", "F0-7")
    run(url, "campaign", "start", "1", "--yes")
    refused = run(url, "campaign", "set", "1", "--channels", "5")
    assert (refused.exit_code, refused.output) == (
        1,
        "Error: campaign 1 is running; settings change only in draft, scheduled or paused "
        "(hotline campaign pause 1)\n",
    )
    assert run(url, "campaign", "pause", "1").output == (
        "campaign 1 is paused; calls under way finish\n"
    )
    changed = run(url, "campaign", "set", "1", "--channels", "5", "--hours", "08:00-19:00")
    assert changed.exit_code == 0
    assert changed.output.startswith("campaign 1 'F0-7 notice': hours 08:00-19:00 mon-sun, 5 ch")
    assert run(url, "campaign", "resume", "1").output == "campaign 1 is running\n"


def test_cancel_leaves_the_rest_uncalled(url):
    hotline(url, "campaign", "create", "--case", "F0-7")
    run(url, "campaign", "start", "1", "--yes")
    result = run(url, "campaign", "cancel", "1", "--yes")
    assert result.output == "campaign 1 is cancelled; 2 pending contact(s) will not be called\n"
    status = run(url, "campaign", "status", "1").output.splitlines()
    assert status[0].startswith("campaign 1 'F0-7 notice' cancelled since ")
    assert status[1] == (
        "  2 contacts: pending 0, dialing 0, answered 0, declared 0, opted out 0, failed 0, "
        "exhausted 0, expired 2"
    )
    assert status[2] == "  dialed 0, channels in use 0/10, 0 calls/min, estimated finish -"
    again = run(url, "campaign", "pause", "1")
    assert (again.exit_code, again.output) == (
        1,
        "Error: campaign 1 is cancelled; only a running one pauses\n",
    )


# --- doctor -------------------------------------------------------------------------------------
@pytest.fixture
def pbx():
    """A pbxsim process on a free port."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "pbxsim", "run", "--ami-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    port = int(re.search(r"AMI on 127\.0\.0\.1:(\d+)", proc.stdout.readline()).group(1))
    yield port
    proc.terminate()
    proc.wait(10)


def sounds(tmp_path):
    from dialer.doctor import NOTICE_PROMPTS

    for lang in ("vi", "en"):
        (tmp_path / "sounds" / lang).mkdir(parents=True, exist_ok=True)
        for pid in NOTICE_PROMPTS:
            (tmp_path / "sounds" / lang / f"{pid}.wav").write_bytes(b"RIFF")
    return str(tmp_path / "sounds")


def test_doctor_says_all_is_well_one_line_each(url, pbx, tmp_path):
    result = run(
        url,
        "doctor",
        "--ami-url",
        f"ami://hotline:hotline@127.0.0.1:{pbx}",
        "--sounds-dir",
        sounds(tmp_path),
        "--recordings-dir",
        str(tmp_path),
    )
    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in lines] == [
        "ok    database",
        "ok    AMI",
        "ok    dialplan context hotline-outbound",
        "ok    AMI CoreShowChannels",
        "ok    prompts",
        "ok    recordings",
    ]
    assert lines[1] == f"ok    AMI: logged in at ami://hotline:***@127.0.0.1:{pbx}"


def test_doctor_names_what_is_wrong_and_exits_1(url, pbx, tmp_path):
    hotline(url, "campaign", "create", "--case", "F0-7")
    run(url, "campaign", "start", "1", "--yes")
    result = run(
        url,
        "doctor",
        "--ami-url",
        f"ami://hotline:hotline@127.0.0.1:{pbx}",
        "--context",
        "no-such-context",
        "--recordings-dir",
        str(tmp_path / "no-such-folder"),
    )
    assert result.exit_code == 1
    out = result.output
    assert (
        "FAIL  dialplan context no-such-context: Did not find context no-such-context; load "
        "asterisk-config/extensions.conf" in out
    )
    assert "FAIL  prompts: 22 notice prompt(s) missing in " in out
    assert "ok    campaign 1 calling window: 07:30-20:30 mon-sun: " in out
    assert "FAIL  dialer: a campaign is running but no dialer is: hotline dialer run" in out
    assert f"FAIL  recordings: {tmp_path}/no-such-folder does not exist" in out
    assert out.endswith("Error: 4 check(s) failed\n")
    wrong = run(url, "doctor", "--ami-url", f"ami://hotline:nope-not-it@127.0.0.1:{pbx}")
    assert "FAIL  AMI: ami://hotline:***@127.0.0.1:" in wrong.output
    assert "refused: Authentication failed" in wrong.output and "nope-not-it" not in wrong.output

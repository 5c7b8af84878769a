"""`make demo` stays true: the whole story runs on a fresh directory and says what it did."""

import csv

from click.testing import CliRunner

from cli import main


def test_demo_runs_the_story_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["demo", "--rows", "6000", "--scale", "0.0005"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "$ hotline checkins import var/demo/checkins.csv\nimported " in out
    assert "\nimported 0, skipped " in out  # the second import adds nothing
    assert "left out: 1 case phone(s), 0 opted out" in out
    assert (tmp_path / "var/demo/contacts.csv").read_bytes().startswith(b"\xef\xbb\xbfphone,")
    # the campaign was dialed to the end by the dialer process, and said so as it went
    assert "$ hotline dialer run --exit-when-idle --channels 20 &\n" in out
    assert "campaign 1 'F0-DEMO notice' completed since 2021-10-08 " in out
    assert "dialing 0" in out and "pending 0" in out
    funnel = out[out.index("$ hotline report summary --campaign 1") :]
    assert "  dialed  " in funnel and "  declared  " in funnel
    with open(tmp_path / "var/reports/campaign-1-attempts.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["outcome"] for r in rows} <= {
        "answered",
        "busy",
        "no_answer",
        "congestion",
        "failed",
        "machine",
    }
    assert (tmp_path / "var/reports/campaign-1-chart.png").read_bytes()[:4] == b"\x89PNG"
    # then the citizen's inbound call, as before
    assert "[keys] 3\n" in out and "[play] declaration-q-breathing" in out
    assert "saved: complete declaration from +84912345678, answers {'symptoms': False, " in out
    assert (
        "call log: +84912345678, path main > covid > flow:declaration > covid, ended by hangup"
        in out
    )

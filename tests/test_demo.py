"""`make demo` stays true: the whole story runs on a fresh directory and says what it did."""

from click.testing import CliRunner

from cli import main


def test_demo_runs_the_story_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--rows", "3000"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "$ hotline checkins import var/demo/checkins.csv\nimported " in out
    assert "\nimported 0, skipped " in out  # the second import adds nothing
    assert "left out: 1 case phone(s), 0 opted out" in out
    assert (tmp_path / "var/demo/contacts.csv").read_bytes().startswith(b"\xef\xbb\xbfphone,")
    assert "[keys] 3\n" in out and "[play] declaration-q-breathing" in out
    assert "saved: complete declaration from +84912345678, answers {'symptoms': False, " in out
    assert (
        "call log: +84912345678, path main > covid > flow:declaration > covid, ended by hangup"
        in out
    )

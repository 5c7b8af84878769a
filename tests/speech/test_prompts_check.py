"""`hotline prompts check`: every catalog prompt needs a sound file per language."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

CATALOG = """\
goodbye = { vi = "Xin chào", en = "Goodbye" }
welcome = { vi = "Kính chào", en = "Welcome" }
thank-you = { vi = "Cảm ơn" }
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("catalog.toml").write_text(CATALOG, encoding="utf-8")


def sounds(*paths: str) -> None:
    for path in paths:
        Path("sounds", path).parent.mkdir(parents=True, exist_ok=True)
        Path("sounds", path).write_bytes(b"")


def run():
    args = ["prompts", "check", "--sounds-dir", "sounds", "--catalog", "catalog.toml"]
    return CliRunner().invoke(main, args)


def test_all_there_in_any_format():
    sounds("vi/goodbye.wav", "vi/welcome.sln16", "vi/thank-you.ulaw", "en/goodbye.gsm",
           "en/welcome.wav")  # fmt: skip
    result = run()
    assert result.exit_code == 0
    assert result.output == "ok: 3 prompts in vi, en\n"


def test_missing_files_one_per_line_then_a_count():
    sounds("vi/goodbye.wav", "en/welcome.wav", "en/old-prompt.wav")
    result = run()
    assert result.exit_code == 1
    assert result.output == (
        "sounds/vi/thank-you: no sound file\n"
        "sounds/vi/welcome: no sound file\n"
        "sounds/en/goodbye: no sound file\n"
        "note: sounds/en/old-prompt: not in the catalog (unused)\n"
        "missing: 3 sound files (vi 2, en 1)\n"
    )


def test_no_sounds_folder_at_all():
    result = run()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "missing: 5 sound files (vi 3, en 2)"

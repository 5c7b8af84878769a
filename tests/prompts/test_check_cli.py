"""`hotline prompts check`: missing, extra and wrongly formatted sound files; exit 1 on any."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sound_files import write_wav

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


def raw(path: str, size: int) -> None:
    Path("sounds", path).parent.mkdir(parents=True, exist_ok=True)
    Path("sounds", path).write_bytes(b"\x01" * size)


def run(*extra: str):
    args = ["prompts", "check", "--sounds-dir", "sounds", "--catalog", "catalog.toml", *extra]
    return CliRunner().invoke(main, args)


def test_every_prompt_there_in_formats_asterisk_plays():
    write_wav(Path("sounds/vi/goodbye.wav"))
    write_wav(Path("sounds/vi/welcome.wav16"), rate=16000)
    raw("vi/thank-you.ulaw", 800)
    raw("en/goodbye.gsm", 33 * 50)
    raw("en/welcome.sln", 1600)
    write_wav(Path("sounds/vi/loc-dn-0001.wav"))  # a place name: not a catalog prompt
    Path("sounds/vi/.built.json").write_text("{}")  # the build manifest is not a sound
    result = run()
    assert result.output == "ok: 3 prompts in vi, en, and 1 place-name files\n"
    assert result.exit_code == 0


def test_missing_extra_and_wrongly_formatted_files_one_per_line():
    write_wav(Path("sounds/vi/goodbye.wav"), rate=22050)
    write_wav(Path("sounds/vi/welcome.wav"), channels=2)
    write_wav(Path("sounds/en/welcome.wav"), width=1)
    write_wav(Path("sounds/en/old-prompt.wav"))
    Path("sounds/vi/thank-you.mp3").write_bytes(b"ID3")
    raw("en/goodbye.sln", 1601)
    result = run()
    assert result.output == (
        "sounds/vi/goodbye.wav: 22050 Hz mono 16-bit; Asterisk needs 8000 Hz mono 16-bit "
        "(convert it with: hotline prompts import)\n"
        "sounds/vi/thank-you.mp3: not a format Asterisk plays (.wav, .wav16, .sln, .sln16, "
        ".ulaw, .ul, .alaw, .al, .gsm, .g722, .g729); convert it with: hotline prompts import\n"
        "sounds/vi/welcome.wav: 8000 Hz 2 channels 16-bit; Asterisk needs 8000 Hz mono 16-bit "
        "(convert it with: hotline prompts import)\n"
        "sounds/en/goodbye.sln: 1601 bytes is not a whole number of sln frames (2 bytes)\n"
        "sounds/en/old-prompt.wav: not in the catalog (unused); remove it\n"
        "sounds/en/welcome.wav: 8000 Hz mono 8-bit; Asterisk needs 8000 Hz mono 16-bit "
        "(convert it with: hotline prompts import)\n"
        "problems: 1 extra, 5 wrongly formatted\n"
    )
    assert result.exit_code == 1


def test_missing_files_are_counted_per_language():
    write_wav(Path("sounds/vi/goodbye.wav"))
    write_wav(Path("sounds/en/welcome.wav"))
    result = run()
    assert result.output == (
        "sounds/vi/thank-you: no sound file\n"
        "sounds/vi/welcome: no sound file\n"
        "sounds/en/goodbye: no sound file\n"
        "problems: 3 missing (vi 2, en 1)\n"
    )
    assert result.exit_code == 1


def test_a_wav_that_is_not_pcm_or_is_empty_is_wrongly_formatted():
    Path("sounds/vi").mkdir(parents=True)
    Path("sounds/vi/goodbye.wav").write_bytes(b"")
    write_wav(Path("sounds/vi/welcome.wav"), ms=0)
    write_wav(Path("sounds/vi/thank-you.wav"))
    lines = run().output.splitlines()
    assert lines[0].startswith("sounds/vi/goodbye.wav: not a PCM WAV file (")
    assert lines[1] == "sounds/vi/welcome.wav: no audio in the file"


def test_no_sounds_folder_at_all():
    result = run()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "problems: 5 missing (vi 3, en 2)"


def test_the_sounds_folder_comes_from_the_environment_then_the_config(monkeypatch):
    write_wav(Path("env/vi/goodbye.wav"))
    monkeypatch.setenv("HOTLINE_SOUNDS_DIR", "env")
    args = ["prompts", "check", "--catalog", "catalog.toml"]
    assert CliRunner().invoke(main, args).output.startswith("env/vi/thank-you: no sound file\n")
    monkeypatch.delenv("HOTLINE_SOUNDS_DIR")
    Path("hotline.toml").write_text('[agi]\nsounds_dir = "conf"\n', encoding="utf-8")
    assert CliRunner().invoke(main, args).output.startswith("conf/vi/goodbye: no sound file\n")

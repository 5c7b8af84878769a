"""`hotline prompts build`: espeak-ng speech as 8 kHz mono 16-bit WAV, built only when needed."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from sound_files import needs_speech_tools, wav_shape, write_wav

from cli import main
from prompts import audio
from prompts.build import PAUSE_MS
from prompts.manifest import Manifest

pytestmark = needs_speech_tools

CATALOG = """\
welcome = { vi = "Xin chào", en = "Welcome" }
num-15 = { vi = "mười lăm", en = "fifteen" }
pause = { vi = ",", en = "," }
"""


@pytest.fixture
def catalog(tmp_path) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def build(catalog: Path, sounds: Path, *extra: str):
    args = ["prompts", "build", "--sounds-dir", str(sounds), "--catalog", str(catalog), *extra]
    return CliRunner().invoke(main, args)


def riff_header(path: Path) -> tuple:
    """The fmt chunk as Asterisk's format_wav reads it: (format, channels, rate, bits)."""
    head = path.read_bytes()[:44]
    assert head[:4] == b"RIFF" and head[8:16] == b"WAVEfmt "
    fmt, channels, rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", head[20:36])
    return fmt, channels, rate, bits


def test_every_prompt_in_both_languages_as_asterisk_reads_it(catalog, tmp_path):
    sounds = tmp_path / "sounds"
    result = build(catalog, sounds)
    assert result.output == "built 6 prompts (en 3, vi 3), 0 unchanged, 0 studio recordings kept\n"
    for lang in ("vi", "en"):
        for pid in ("welcome", "num-15"):
            path = sounds / lang / f"{pid}.wav"
            assert riff_header(path) == (1, 1, 8000, 16)
            clip = audio.AudioSegment.from_wav(path)
            assert 300 < len(clip) < 3000  # speech, trimmed
            assert clip.max_dBFS <= audio.PEAK_CEILING_DBFS + 0.01  # nothing clipped
            assert audio.speech_level(clip) == pytest.approx(audio.SPEECH_LEVEL_DBFS, abs=1.5)
        pause = audio.AudioSegment.from_wav(sounds / lang / "pause.wav")
        assert (len(pause), pause.max) == (PAUSE_MS, 0)
    assert CliRunner().invoke(main, ["prompts", "check", "--sounds-dir", str(sounds),
                                     "--catalog", str(catalog)]).exit_code == 0  # fmt: skip


def test_a_second_build_changes_nothing_and_a_new_text_rebuilds_one_file(catalog, tmp_path):
    sounds = tmp_path / "sounds"
    build(catalog, sounds, "--lang", "vi")
    before = {p.name: p.stat().st_mtime_ns for p in (sounds / "vi").glob("*.wav")}
    result = build(catalog, sounds, "--lang", "vi")
    assert result.output == "built 0 prompts, 3 unchanged, 0 studio recordings kept\n"
    catalog.write_text(CATALOG.replace("Xin chào", "Kính chào"), encoding="utf-8")
    result = build(catalog, sounds, "--lang", "vi")
    assert result.output == "built 1 prompts (vi 1), 2 unchanged, 0 studio recordings kept\n"
    after = {p.name: p.stat().st_mtime_ns for p in (sounds / "vi").glob("*.wav")}
    assert [n for n in before if before[n] != after[n]] == ["welcome.wav"]


def test_a_studio_file_is_never_overwritten(catalog, tmp_path):
    sounds = tmp_path / "sounds"
    studio = write_wav(sounds / "vi" / "welcome.wav", ms=700)  # put there by hand
    imported = write_wav(sounds / "vi" / "num-15.wav", ms=600)
    manifest = Manifest(sounds / "vi")
    manifest.studio("num-15", "num-15.flac")  # as `prompts import` records it
    manifest.save()
    result = build(catalog, sounds, "--lang", "vi")
    assert result.output == "built 1 prompts (vi 1), 0 unchanged, 2 studio recordings kept\n"
    assert len(audio.AudioSegment.from_wav(studio)) == 700
    assert len(audio.AudioSegment.from_wav(imported)) == 600


def test_a_voice_of_ones_choice(catalog, tmp_path):
    sounds = tmp_path / "sounds"
    result = build(catalog, sounds, "--lang", "vi", "--voice", "vi-vn-x-central")
    assert result.exit_code == 0
    assert wav_shape(sounds / "vi" / "welcome.wav") == (8000, 1, 16)
    result = build(catalog, sounds, "--lang", "vi", "--voice", "xx")
    assert result.output == (
        "Error: espeak-ng has no voice 'xx'; list them with: espeak-ng --voices\n"
    )
    assert result.exit_code == 1


def test_missing_programs_are_named_with_their_package(catalog, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = build(catalog, tmp_path / "sounds")
    assert result.output == (
        "Error: espeak-ng and ffmpeg not installed; "
        "install with: sudo apt-get install espeak-ng ffmpeg (or: make system-deps)\n"
    )
    assert result.exit_code == 1


def test_a_sounds_folder_that_cannot_be_written(catalog, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = build(catalog, blocker / "sounds")
    assert result.output == (
        f"Error: cannot write to {blocker / 'sounds'}; pass --sounds-dir or set [agi] sounds_dir\n"
    )

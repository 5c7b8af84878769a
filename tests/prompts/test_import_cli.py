"""`hotline prompts import DIR`: studio recordings in any format, trimmed, levelled, converted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sound_files import needs_ffmpeg, needs_speech_tools, wav_shape

from cli import main
from prompts import audio

pytestmark = needs_ffmpeg

CATALOG = """\
welcome = { vi = "Xin chào", en = "Welcome" }
goodbye = { vi = "Tạm biệt", en = "Goodbye" }
"""


def studio_take(path: Path, *, db: float, tone_s: float = 0.8, lead_s=0.6, tail_s=0.5) -> Path:
    """A 44.1 kHz stereo take: silence, a tone at `db`, silence, in the format of its suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    graph = (
        f"sine=f=300:r=44100:d={tone_s},volume={db}dB,"
        f"adelay={int(lead_s * 1000)},apad=pad_dur={tail_s}"
    )
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", graph, "-ac", "2", str(path)],
        check=True,
    )
    return path


@pytest.fixture
def catalog(tmp_path) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def run(catalog: Path, *args: str):
    return CliRunner().invoke(main, ["prompts", "import", *args, "--catalog", str(catalog)])


def test_takes_in_any_format_come_out_trimmed_at_one_level(catalog, tmp_path):
    studio, sounds = tmp_path / "studio", tmp_path / "sounds"
    studio_take(studio / "vi" / "Welcome.flac", db=-30)
    studio_take(studio / "en" / "welcome.mp3", db=-3)
    studio_take(studio / "en" / "goodbye.ogg", db=-12)
    result = run(catalog, str(studio), "--sounds-dir", str(sounds))
    lines = result.output.splitlines()
    assert [line.split(": ")[:2] for line in lines[:3]] == [
        ["vi/welcome", "Welcome.flac"],
        ["en/goodbye", "goodbye.ogg"],
        ["en/welcome", "welcome.mp3"],
    ]
    assert lines[3] == f"imported 3 recordings into {sounds}, skipped 0"
    assert result.exit_code == 0
    levels = []
    for path in (sounds / "vi/welcome.wav", sounds / "en/welcome.wav", sounds / "en/goodbye.wav"):
        assert wav_shape(path) == (8000, 1, 16)
        clip = audio.AudioSegment.from_wav(path)
        # 0.6 s before and 0.5 s after the tone are gone, a short margin kept (mp3 pads a bit)
        assert 0.8 <= len(clip) / 1000 <= 0.8 + 2 * audio.PAD_MS / 1000 + 0.06
        levels.append(audio.speech_level(clip))
    assert max(levels) - min(levels) < 0.5
    assert levels[0] == pytest.approx(audio.SPEECH_LEVEL_DBFS, abs=0.5)


def test_each_file_reported_and_bad_ones_skipped(catalog, tmp_path):
    studio, sounds = tmp_path / "studio", tmp_path / "sounds"
    studio_take(studio / "welcome.wav", db=-10)
    studio_take(studio / "welcome.mp3", db=-10)
    studio_take(studio / "no-such-prompt.wav", db=-10)
    (studio / "goodbye.m4a").write_text("not audio")
    result = run(catalog, str(studio), "--lang", "vi", "--sounds-dir", str(sounds))
    lines = result.output.splitlines()
    assert lines[0].startswith("vi/goodbye: goodbye.m4a: cannot read it (ffmpeg failed: ")
    assert lines[1] == (
        "vi/no-such-prompt: no-such-prompt.wav: not a prompt id in the catalog; skipped"
    )
    assert lines[2].startswith("vi/welcome: welcome.mp3: 0.9 s, trimmed ")
    assert lines[3] == "vi/welcome: welcome.wav: welcome.mp3 was imported; skipped"
    assert lines[4] == f"imported 1 recordings into {sounds}, skipped 3"
    assert result.exit_code == 1


def test_loose_files_need_a_language(catalog, tmp_path):
    studio_take(tmp_path / "studio" / "welcome.wav", db=-10)
    result = run(catalog, str(tmp_path / "studio"), "--sounds-dir", str(tmp_path / "s"))
    assert result.output == (
        f"Error: {tmp_path / 'studio'} has recordings outside {tmp_path / 'studio'}/<lang>/ "
        "(e.g. welcome.wav); pass --lang or move them into a language folder\n"
    )
    assert result.exit_code == 1


@needs_speech_tools
def test_a_studio_take_wins_over_the_generated_prompt(catalog, tmp_path):
    sounds = tmp_path / "sounds"
    build = ["prompts", "build", "--lang", "vi", "--sounds-dir", str(sounds),
             "--catalog", str(catalog)]  # fmt: skip
    CliRunner().invoke(main, build)
    studio_take(tmp_path / "studio" / "welcome.wav", db=-10, tone_s=2.5)
    run(catalog, str(tmp_path / "studio"), "--lang", "vi", "--sounds-dir", str(sounds))
    result = CliRunner().invoke(main, build)
    assert result.output == "built 0 prompts, 1 unchanged, 1 studio recordings kept\n"
    assert len(audio.AudioSegment.from_wav(sounds / "vi" / "welcome.wav")) > 2500

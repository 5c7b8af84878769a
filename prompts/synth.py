# Rules: espeak-ng speaks one text per run, reading it from stdin (text is never an option);
# ffmpeg converts a whole batch of files in one run (its start-up is most of its cost),
# resampling with its anti-alias filter, 6 dB down first so that no resampled peak clips
# (audio.level restores the level). Inputs are opened as file: URLs, never as protocols.
"""Speech from espeak-ng, and any audio file ffmpeg reads, as 8 kHz mono clips."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prompts.audio import CHANNELS, RATE, AudioSegment
from prompts.tools import run

SPEED_WPM = 150  # espeak's 175 is quick for older callers on a phone line
_FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
_TO_CLIP = ["-af", f"volume=0.5,aresample={RATE}", "-ac", str(CHANNELS),
            "-c:a", "pcm_s32le", "-f", "s32le"]  # fmt: skip


def check_voice(voice: str) -> None:
    """ToolError unless espeak-ng knows `voice`."""
    run(["espeak-ng", "-v", voice, "-q", "--stdin"], stdin=b"")


def speak(jobs: Sequence[tuple[str, str]], workdir: Path) -> list[AudioSegment]:
    """(text, voice) pairs -> 8 kHz mono 32-bit clips, in order."""
    wavs = []
    for i, (text, voice) in enumerate(jobs):
        wav = workdir / f"speech-{i}.wav"
        args = ["espeak-ng", "-v", voice, "-s", str(SPEED_WPM), "-w", str(wav), "--stdin"]
        run(args, stdin=text.encode("utf-8"))
        wavs.append(wav)
    return decode(wavs, workdir)


def decode(files: Sequence[Path], workdir: Path) -> list[AudioSegment]:
    """Audio files of any format ffmpeg reads -> 8 kHz mono 32-bit clips, one ffmpeg run."""
    args = list(_FFMPEG)
    for path in files:
        args += ["-i", f"file:{Path(path).resolve()}"]
    outs = [workdir / f"clip-{i}.s32" for i in range(len(files))]
    for i, out in enumerate(outs):
        args += ["-map", f"{i}:a:0", *_TO_CLIP, str(out)]
    run(args)
    return [
        AudioSegment(data=out.read_bytes(), sample_width=4, frame_rate=RATE, channels=CHANNELS)
        for out in outs
    ]

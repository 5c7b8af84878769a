"""Small sound files for the prompt tests, written with the standard library."""

from __future__ import annotations

import math
import shutil
import wave
from pathlib import Path

import pytest


def write_wav(path: Path, *, rate=8000, channels=1, width=2, ms=100, hz=440.0, dbfs=-6.0) -> Path:
    """A sine tone (silence when hz is 0) as PCM WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    amplitude = (2 ** (8 * width - 1) - 1) * 10 ** (dbfs / 20)
    frames = bytearray()
    for i in range(rate * ms // 1000):
        value = int(amplitude * math.sin(2 * math.pi * hz * i / rate)) if hz else 0
        sample = value.to_bytes(width, "little", signed=True) if width > 1 else bytes([value + 128])
        frames += sample * channels
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return path


def wav_shape(path: Path) -> tuple[int, int, int]:
    """(rate, channels, bits) as a RIFF header says them."""
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getnchannels(), 8 * w.getsampwidth()


needs_speech_tools = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None,
    reason="espeak-ng and ffmpeg are not installed (apt-get install espeak-ng ffmpeg)",
)
needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (apt-get install ffmpeg)"
)

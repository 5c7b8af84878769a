# Rules: pure functions on pydub AudioSegments (no files, no programs). What Asterisk plays is
# 8 kHz mono 16-bit; levels are dBFS. Silence is whatever stays SILENCE_BELOW_PEAK_DB under the
# clip's own peak, so a studio's noise floor is trimmed as well as espeak's zeros. Every clip
# leaves at one speech level (the mean power of its active 20 ms frames) unless that would
# push its peak above PEAK_CEILING_DBFS: nothing is ever clipped.
"""Trimming and levelling speech for the phone."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

with warnings.catch_warnings():  # pydub imports audioop, deprecated on 3.11 and 3.12
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

RATE, CHANNELS, WIDTH = 8000, 1, 2
SPEECH_LEVEL_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0
SILENCE_BELOW_PEAK_DB = 35.0
ACTIVE_WITHIN_DB = 30.0  # frames this close to the loudest one count as speech
FRAME_MS = 20
PAD_MS = 40


class SilentAudio(ValueError):
    """Nothing but silence: no prompt can be made of it."""


@dataclass(frozen=True)
class Finished:
    audio: AudioSegment
    lead_ms: int  # silence cut from the start
    tail_ms: int  # and from the end
    gain_db: float


def finish(raw: AudioSegment) -> Finished:
    """8 kHz mono audio (any sample width) -> trimmed, levelled, 16-bit."""
    if (raw.frame_rate, raw.channels) != (RATE, CHANNELS):
        raise ValueError(f"expected {RATE} Hz mono, got {raw.frame_rate} Hz x{raw.channels}")
    trimmed, lead, tail = trim(raw)
    levelled, gain = level(trimmed)
    return Finished(levelled.set_sample_width(WIDTH), lead, tail, gain)


def trim(seg: AudioSegment) -> tuple[AudioSegment, int, int]:
    """The clip without leading and trailing silence (PAD_MS kept each side); ms cut."""
    if seg.max == 0:
        raise SilentAudio("the audio is silent")
    threshold = seg.max_dBFS - SILENCE_BELOW_PEAK_DB
    lead = detect_leading_silence(seg, threshold, chunk_size=5)
    tail = detect_leading_silence(seg.reverse(), threshold, chunk_size=5)
    start = max(0, lead - PAD_MS)
    end = min(len(seg), len(seg) - tail + PAD_MS)
    return seg[start:end], start, len(seg) - end


def speech_level(seg: AudioSegment) -> float:
    """Mean power of the active frames, in dBFS (silence between words does not count)."""
    powers = [
        seg[i : i + FRAME_MS].rms ** 2 for i in range(0, len(seg) - FRAME_MS + 1, FRAME_MS)
    ] or [seg.rms**2]
    gate = max(powers) / 10 ** (ACTIVE_WITHIN_DB / 10)
    active = [p for p in powers if p >= gate and p > 0]
    if not active:
        return -math.inf
    return 10 * math.log10(sum(active) / len(active) / seg.max_possible_amplitude**2)


def level(seg: AudioSegment) -> tuple[AudioSegment, float]:
    """The clip at SPEECH_LEVEL_DBFS, or as loud as the peak ceiling allows; the gain in dB."""
    gain = min(SPEECH_LEVEL_DBFS - speech_level(seg), PEAK_CEILING_DBFS - seg.max_dBFS)
    return seg.apply_gain(gain), gain


def wav_bytes(clip: AudioSegment) -> bytes:
    """A RIFF WAV file of the clip as Asterisk reads it: 8 kHz mono 16-bit PCM."""
    buf = io.BytesIO()
    clip.set_frame_rate(RATE).set_channels(CHANNELS).set_sample_width(WIDTH).export(
        buf, format="wav"
    )
    return buf.getvalue()

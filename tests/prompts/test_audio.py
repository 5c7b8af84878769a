"""prompts.audio: trimming and levelling, on clips made in memory."""

from __future__ import annotations

import pytest
from pydub.generators import Sine

from prompts import audio
from prompts.audio import AudioSegment


def tone(ms: int, dbfs: float, hz: int = 440) -> AudioSegment:
    return Sine(hz, sample_rate=8000).to_audio_segment(duration=ms, volume=dbfs).set_sample_width(4)


def silence(ms: int) -> AudioSegment:
    return AudioSegment.silent(ms, frame_rate=8000).set_sample_width(4)


def test_leading_and_trailing_silence_go_but_a_short_margin_stays():
    done = audio.finish(silence(700) + tone(500, -12) + silence(300))
    assert (done.lead_ms, done.tail_ms) == (700 - audio.PAD_MS, 300 - audio.PAD_MS)
    assert len(done.audio) == 500 + 2 * audio.PAD_MS


def test_a_quiet_and_a_loud_clip_leave_at_the_same_speech_level():
    quiet, loud = audio.finish(tone(400, -40)), audio.finish(tone(400, -3))
    assert audio.speech_level(quiet.audio) == pytest.approx(audio.SPEECH_LEVEL_DBFS, abs=0.2)
    assert audio.speech_level(loud.audio) == pytest.approx(audio.SPEECH_LEVEL_DBFS, abs=0.2)
    assert quiet.gain_db > 0 > loud.gain_db


def test_pauses_between_words_do_not_lower_the_level():
    words = tone(300, -10) + silence(600) + tone(300, -10)
    assert audio.speech_level(words) == pytest.approx(audio.speech_level(tone(300, -10)), abs=0.2)


def test_a_peaky_clip_is_held_below_full_scale_rather_than_clipped():
    # One sample in 200 at -6 dBFS: its speech level is 23 dB under its peak, so reaching
    # SPEECH_LEVEL_DBFS would clip; the ceiling wins.
    peak = int(2**31 * 10 ** (-6 / 20))
    data = b"".join(
        (peak if i % 200 == 0 else 0).to_bytes(4, "little", signed=True) for i in range(4000)
    )
    done = audio.finish(AudioSegment(data=data, sample_width=4, frame_rate=8000, channels=1))
    assert done.audio.max_dBFS == pytest.approx(audio.PEAK_CEILING_DBFS, abs=0.1)
    assert audio.speech_level(done.audio) < audio.SPEECH_LEVEL_DBFS - 3


def test_the_result_is_what_asterisk_plays():
    done = audio.finish(tone(200, -10))
    assert (done.audio.frame_rate, done.audio.channels, done.audio.sample_width) == (8000, 1, 2)


def test_silence_cannot_become_a_prompt():
    with pytest.raises(audio.SilentAudio):
        audio.finish(silence(500))


def test_only_8khz_mono_is_taken():
    with pytest.raises(ValueError, match="expected 8000 Hz mono"):
        audio.finish(tone(100, -10).set_frame_rate(16000))

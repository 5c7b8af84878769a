"""The recordings folder as configuration, and what a recording leaves on disk."""

from __future__ import annotations

import wave

import pytest

from ivr.recordings import Recorded, discard, inspect, prepare_folder, recordings_dir
from store.errors import UserError


def test_the_default_folder_is_var_recordings_here_and_always_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert recordings_dir(None) == tmp_path / "var" / "recordings"
    assert recordings_dir("rec") == tmp_path / "rec"
    assert recordings_dir("/var/spool/hotline/recordings").as_posix() == (
        "/var/spool/hotline/recordings"
    )


def test_with_asterisk_here_a_missing_folder_is_created_and_said_once(tmp_path):
    folder = tmp_path / "spool" / "recordings"
    state = prepare_folder(folder, asterisk_here=True)
    assert folder.is_dir() and state.created
    assert state.note() == (
        f"created the recordings folder {folder} (Asterisk writes feedback there)"
    )
    assert prepare_folder(folder, asterisk_here=True).note() is None  # ready: nothing to say


def test_with_asterisk_elsewhere_a_missing_folder_is_left_to_its_box(tmp_path):
    folder = tmp_path / "recordings"
    state = prepare_folder(folder, asterisk_here=False)
    assert not folder.exists() and not state.here
    assert "is not on this host" in state.note() and "mount it here" in state.note()


def test_a_folder_that_cannot_be_created_is_one_user_error(tmp_path):
    (tmp_path / "spool").write_text("in the way")
    with pytest.raises(UserError, match="cannot create the recordings folder .*: Not a directory"):
        prepare_folder(tmp_path / "spool" / "recordings", asterisk_here=True)


def write_wav(path, seconds: float) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(seconds * 8000))


def test_a_recording_is_as_long_as_asterisk_says_and_its_file_is_checked(tmp_path):
    write_wav(tmp_path / "a.wav", 2.5)
    assert inspect(tmp_path / "a.wav", 20000) == Recorded(2.5, True)  # Asterisk's endpos wins
    assert inspect(tmp_path / "a.wav", None) == Recorded(2.5, True)  # no endpos: the file's
    assert inspect(tmp_path / "gone.wav", 8000) == Recorded(1.0, False)  # here, but no file
    elsewhere = tmp_path / "elsewhere" / "b.wav"  # the folder is not on this host
    assert inspect(elsewhere, 8000) == Recorded(1.0, None)


def test_discarding_a_cancelled_recording(tmp_path):
    write_wav(tmp_path / "a.wav", 1)
    assert discard(tmp_path / "a.wav") is True and not (tmp_path / "a.wav").exists()
    assert discard(tmp_path / "a.wav") is False

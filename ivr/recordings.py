# Rules: the recordings folder is configuration, as Asterisk sees it (like the sounds
# folder): an absolute path (a relative one is made absolute against the current folder,
# as the default var/recordings is). Asterisk writes the files there (RECORD FILE creates
# no folder); hotline reads them and deletes the ones a caller cancels. When Asterisk runs
# on this host the folder is prepared here (created if missing; a failure is one UserError
# line); when it runs on another box the folder lives there and is only checked for here
# (a mount at the same path). A recording's length is Asterisk's own count (endpos, 8 kHz
# samples for wav), or the file's when Asterisk gave none. No clock, no sockets.
"""The recordings folder: where it is, making it ready, and what a recording left behind."""

from __future__ import annotations

import logging
import os
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.errors import UserError

log = logging.getLogger("hotline.ivr")

DEFAULT_RECORDINGS_DIR = "var/recordings"
SAMPLE_RATE = 8000  # Asterisk's wav (and sln) format: 8 kHz, 16-bit, mono


def recordings_dir(configured: str | os.PathLike | None = None) -> Path:
    """The folder as an absolute path: the configured one, else var/recordings here."""
    return Path(configured or DEFAULT_RECORDINGS_DIR).expanduser().absolute()


def from_context(context: Mapping[str, Any]) -> Path:
    return recordings_dir(context.get("recordings_dir"))


@dataclass(frozen=True)
class FolderState:
    path: Path
    created: bool = False
    here: bool = True  # False: Asterisk's folder is on another box and not mounted here
    writable: bool = True  # by this process (cancel and purge delete files)

    def note(self) -> str | None:
        """One line for `agi serve`'s start, or None when there is nothing to say."""
        if self.created:
            return f"created the recordings folder {self.path} (Asterisk writes feedback there)"
        if not self.here:
            return (
                f"recordings folder {self.path} is not on this host: Asterisk writes it on its "
                "own box; mount it here at the same path so hotline can read and purge it"
            )
        if not self.writable:
            return (
                f"Warning: recordings folder {self.path} is not writable by this user: "
                "cancelled messages cannot be deleted"
            )
        return None


def prepare_folder(folder: Path, asterisk_here: bool) -> FolderState:
    """Create the folder when Asterisk runs on this host; UserError when that fails."""
    if folder.is_dir():
        return FolderState(folder, writable=os.access(folder, os.W_OK | os.X_OK))
    if not asterisk_here:
        return FolderState(folder, here=False)
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise UserError(
                f"the recordings folder {folder} is a file; pick another --recordings-dir"
            ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(
            f"cannot create the recordings folder {folder}: {reason}; create it (writable by "
            "Asterisk) or pick another --recordings-dir"
        ) from None
    return FolderState(folder, created=True)


def recorded_file(path_without_ext: str, fmt: str = "wav") -> Path:
    return Path(f"{path_without_ext}.{fmt}")


@dataclass(frozen=True)
class Recorded:
    """What one recording left: its length in seconds (None: unknown), and whether its file
    is where hotline looks (None: the folder is not on this host, nothing to check)."""

    seconds: float | None
    present: bool | None


def inspect(file: Path, endpos: int | None) -> Recorded:
    """Blocking (run it in a thread): the length from Asterisk's endpos, else from the file."""
    present = file.is_file() if file.parent.is_dir() else None
    if endpos is not None and endpos >= 0:
        return Recorded(endpos / SAMPLE_RATE, present)
    return Recorded(wav_seconds(file) if present else None, present)


def wav_seconds(file: Path) -> float | None:
    try:
        with wave.open(str(file), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        return None


def discard(file: Path) -> bool:
    """Delete a cancelled recording; False when it is not here (or cannot be deleted)."""
    try:
        file.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("cannot delete the cancelled recording %s: %s", file, exc.strerror)
        return False

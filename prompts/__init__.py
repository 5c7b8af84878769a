# Rules: the catalog (catalog.toml) and the sound files (sounds/<lang>/<id>.wav) live in this
# package, so an installed wheel finds them where the checkout does. Generated audio is never
# committed; it ships in a wheel built after `hotline prompts build`.
"""Prompts as sound: build them with espeak-ng, import studio recordings, check the folder."""

from __future__ import annotations

import os
from pathlib import Path

SOUNDS_ENV = "HOTLINE_SOUNDS_DIR"
# The same folder as ivr.channel.DEFAULT_SOUNDS_DIR, where the IVR plays from by default.
DEFAULT_SOUNDS_DIR = Path(__file__).resolve().parent / "sounds"


def sounds_dir(option: str | os.PathLike | None = None, config: dict | None = None) -> Path:
    """The sounds folder: --sounds-dir, then HOTLINE_SOUNDS_DIR, then the config file's
    [agi] sounds_dir, then the package's own sounds/ (prompts/sounds in the checkout)."""
    chosen = option or os.environ.get(SOUNDS_ENV) or (config or {}).get("sounds_dir")
    return Path(chosen) if chosen else DEFAULT_SOUNDS_DIR


def shown(path: Path) -> str:
    """A path as a message shows it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

# Rules: one small JSON file per language folder (<sounds>/<lang>/.built.json) says who made
# each sound file: `prompts build` (with the key of the text, voice and pipeline it spoke) or
# `prompts import` (with the studio file's name). A file the manifest does not list was put
# there by someone else and counts as a studio recording: nothing here overwrites it except
# `prompts import`. Saved atomically (temporary file, then rename).
"""The record of which sound files were generated, and from what."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MANIFEST_NAME = ".built.json"
GENERATED, STUDIO = "espeak-ng", "studio"


class Manifest:
    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_NAME
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        self._entries: dict[str, dict[str, str]] = raw if isinstance(raw, dict) else {}

    def made_by(self, prompt_id: str) -> str | None:
        return self._entries.get(prompt_id, {}).get("by")

    def key(self, prompt_id: str) -> str | None:
        return self._entries.get(prompt_id, {}).get("key")

    def generated(self, prompt_id: str, key: str) -> None:
        self._entries[prompt_id] = {"by": GENERATED, "key": key}

    def studio(self, prompt_id: str, source: str) -> None:
        self._entries[prompt_id] = {"by": STUDIO, "from": source}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self._entries, ensure_ascii=False, indent=0, sort_keys=True)
        write_atomically(self.path, text.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Readers (Asterisk, another build) see the old file or the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

# Rules: reads the folder, never changes it. Every catalog prompt needs a file per language
# that has its text; a file whose name is neither a catalog id nor a place name (loc-…) is
# extra; a file Asterisk cannot play as named is wrongly formatted (.wav must be 8000 Hz mono
# 16-bit PCM, .wav16 the same at 16000 Hz; raw formats need a whole number of frames).
# Hidden files (the build manifest, temporary files) are not sounds.
"""`hotline prompts check`: missing, extra and wrongly formatted sound files."""

from __future__ import annotations

import wave
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ivr.catalog import Catalog

PLACE_PREFIX = "loc-"
WAV_RATES = {"wav": 8000, "wav16": 16000}
RAW_FRAME_BYTES = {"sln": 2, "sln16": 2, "ulaw": 1, "ul": 1, "alaw": 1, "al": 1, "gsm": 33,
                   "g722": 1, "g729": 10}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    kind: str  # missing | extra | format
    lang: str
    name: str  # the prompt id when missing, else the file name
    detail: str

    def line(self, shown_root: str) -> str:
        return f"{shown_root}/{self.lang}/{self.name}: {self.detail}"


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    places: int = 0  # place-name files seen (any language)

    def summary(self, catalog: Catalog) -> str:
        if not self.problems:
            places = f", and {self.places} place-name files" if self.places else ""
            return f"ok: {len(catalog.ids)} prompts in {', '.join(catalog.langs)}{places}"
        kinds = Counter(p.kind for p in self.problems)
        parts = []
        if kinds["missing"]:
            by_lang = Counter(p.lang for p in self.problems if p.kind == "missing")
            detail = ", ".join(f"{lang} {by_lang[lang]}" for lang in catalog.langs)
            parts.append(f"{kinds['missing']} missing ({detail})")
        if kinds["extra"]:
            parts.append(f"{kinds['extra']} extra")
        if kinds["format"]:
            parts.append(f"{kinds['format']} wrongly formatted")
        return "problems: " + ", ".join(parts)


def check_sounds(catalog: Catalog, sounds_dir: Path) -> CheckReport:
    report = CheckReport()
    for lang in catalog.langs:
        files = _sound_files(sounds_dir / lang)
        stems = {f.name.split(".", 1)[0] for f in files}
        for pid in sorted(catalog.ids):
            if catalog.has(pid, lang) and pid not in stems:
                report.problems.append(Problem("missing", lang, pid, "no sound file"))
        for f in files:
            stem = f.name.split(".", 1)[0]
            if stem.startswith(PLACE_PREFIX):
                report.places += 1
            elif stem not in catalog.ids:
                report.problems.append(
                    Problem("extra", lang, f.name, "not in the catalog (unused); remove it")
                )
                continue
            trouble = format_problem(f)
            if trouble:
                report.problems.append(Problem("format", lang, f.name, trouble))
    return report


def format_problem(path: Path) -> str | None:
    """Why Asterisk could not play `path` as its name says, or None when it can."""
    suffix = path.name.split(".", 1)[1].lower() if "." in path.name else ""
    size = path.stat().st_size
    if suffix in WAV_RATES:
        return _wav_problem(path, WAV_RATES[suffix])
    if suffix in RAW_FRAME_BYTES:
        frame = RAW_FRAME_BYTES[suffix]
        if size == 0 or size % frame:
            return f"{size} bytes is not a whole number of {suffix} frames ({frame} bytes)"
        return None
    known = ", ".join(f".{s}" for s in [*WAV_RATES, *RAW_FRAME_BYTES])
    return f"not a format Asterisk plays ({known}); convert it with: hotline prompts import"


def _wav_problem(path: Path, rate: int) -> str | None:
    try:
        with wave.open(str(path), "rb") as w:
            shape = (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes())
    except (wave.Error, EOFError) as exc:
        return f"not a PCM WAV file ({exc or 'truncated'}); convert it with: hotline prompts import"
    got_rate, channels, width, frames = shape
    if (got_rate, channels, width) != (rate, 1, 2):
        kind = "mono" if channels == 1 else f"{channels} channels"
        return (
            f"{got_rate} Hz {kind} {8 * width}-bit; Asterisk needs {rate} Hz mono 16-bit "
            "(convert it with: hotline prompts import)"
        )
    if frames == 0:
        return "no audio in the file"
    return None


def _sound_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

# Rules: real sound files for the prompts the real-Asterisk tests play, until the project's
# own `hotline prompts build` makes them: espeak-ng speaks each prompt's catalog text (its
# first few words, fast, so a test call stays short) and sox makes it 8 kHz mono 16-bit WAV,
# at <dir>/<lang>/<prompt id>.wav, where the FastAGI server plays them from. Files are
# cached by their text, voice and speed under a folder the caller gives (pytest's cache), so
# only the first run pays. `missing_reason()` says why this cannot run here.
"""Stand-in prompt recordings made with espeak-ng, for tests on a real Asterisk."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ivr.catalog import load_catalog

WORDS = 5  # a prompt says the first WORDS words of its text
SPEED = 260  # espeak-ng words per minute
VOICES = {"vi": "vi", "en": "en"}


def missing_reason() -> str | None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed; the real-Asterisk call tests speak prompts with it"
    return None


def spoken_text(text: str, words: int = WORDS) -> str:
    return " ".join(text.split()[:words]) or "."


def make_prompts(sounds_dir: Path, cache_dir: Path, lang: str = "vi",
                 ids: Iterable[str] | None = None) -> Path:  # fmt: skip
    """Write <sounds_dir>/<lang>/<id>.wav for every catalog prompt (or `ids`); sounds_dir."""
    catalog = load_catalog()
    wanted = sorted(catalog.ids if ids is None else ids)
    target = sounds_dir / lang
    target.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)

    texts = {pid: spoken_text(catalog.text(pid, lang)) for pid in wanted}
    cached = {pid: cache_dir / f"{cache_key(text, lang)}.wav" for pid, text in texts.items()}
    todo = {path: texts[pid] for pid, path in cached.items() if not path.exists()}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda path: _speak(todo[path], lang, path), todo))
    for pid, path in cached.items():
        shutil.copyfile(path, target / f"{pid}.wav")
    return sounds_dir


def cache_key(text: str, lang: str) -> str:
    return hashlib.sha256(f"{VOICES[lang]}|{SPEED}|{text}".encode()).hexdigest()[:20]


def _speak(text: str, lang: str, out: Path) -> None:
    """espeak-ng, then sox to 8 kHz mono 16-bit; renamed into place when whole."""
    stem = f"{out.stem}.{os.getpid()}.{threading.get_ident()}"
    raw, final = out.with_name(stem + ".raw.wav"), out.with_name(stem + ".wav")
    subprocess.run(
        ["espeak-ng", "-v", VOICES[lang], "-s", str(SPEED), "-w", str(raw), "--", text],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
         str(final)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    raw.unlink()
    final.replace(out)

# Rules: a studio recording is named after its prompt id (any case, any extension ffmpeg
# reads) and sits in DIR/<lang>/, or in DIR itself with --lang. Each file is decoded by ffmpeg
# on its own (one bad file never stops the rest), trimmed of leading and trailing silence,
# brought to the one speech level (audio.finish) and written as <sounds>/<lang>/<id>.wav; the
# manifest marks it a studio file, so `prompts build` never overwrites it. Every file gets
# one line saying what happened to it.
"""`hotline prompts import DIR`: studio recordings, trimmed, levelled and converted."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ivr.catalog import LANGS, Catalog
from prompts import audio, synth, tools
from prompts.check import PLACE_PREFIX
from prompts.manifest import Manifest, write_atomically
from store.errors import UserError


@dataclass(frozen=True)
class Imported:
    lang: str
    source: Path
    prompt_id: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.lang}/{self.prompt_id}: {self.source.name}: {self.detail}"


def find_recordings(src: Path, lang: str | None, langs: Iterable[str] = LANGS):
    """(lang, file) pairs: DIR/<lang>/* for every language, or DIR/* when `lang` is given."""
    if not src.is_dir():
        raise UserError(f"{src} is not a folder of recordings")
    if lang is not None:
        found = [(lang, f) for f in _files(src)]
    else:
        loose = _files(src)
        if loose:
            raise UserError(
                f"{src} has recordings outside {src}/<lang>/ (e.g. {loose[0].name}); "
                "pass --lang or move them into a language folder"
            )
        found = [(code, f) for code in langs for f in _files(src / code)]
    if not found:
        where = f"{src}/*" if lang else f"{src}/<{'|'.join(langs)}>/*"
        raise UserError(f"no recordings found; expected {where} named after the prompt id")
    return found


def import_recordings(
    src: Path,
    sounds_dir: Path,
    catalog: Catalog,
    *,
    lang: str | None = None,
    on_file: Callable[[Imported], None] | None = None,
) -> list[Imported]:
    recordings = find_recordings(src, lang, catalog.langs)
    tools.require("ffmpeg")
    done: list[Imported] = []
    taken: dict[tuple[str, str], str] = {}
    for code, path in recordings:
        pid = path.name.split(".", 1)[0].lower()
        result = _import_one(code, path, pid, sounds_dir, catalog, taken)
        taken.setdefault((code, pid), path.name)
        done.append(result)
        if on_file:
            on_file(result)
    return done


def _import_one(lang, path, pid, sounds_dir, catalog, taken) -> Imported:
    if pid not in catalog.ids and not pid.startswith(PLACE_PREFIX):
        return Imported(lang, path, pid, False, "not a prompt id in the catalog; skipped")
    if (lang, pid) in taken:
        return Imported(lang, path, pid, False, f"{taken[(lang, pid)]} was imported; skipped")
    with tempfile.TemporaryDirectory(prefix="hotline-import-") as tmp:
        try:
            (clip,) = synth.decode([path], Path(tmp))
            done = audio.finish(clip)
        except tools.ToolError as exc:
            return Imported(lang, path, pid, False, f"cannot read it ({exc}); skipped")
        except audio.SilentAudio:
            return Imported(lang, path, pid, False, "only silence; skipped")
    folder = sounds_dir / lang
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{pid}.wav", audio.wav_bytes(done.audio))
    except OSError as exc:
        raise UserError(f"cannot write to {folder}: {exc.strerror}; pass --sounds-dir") from None
    manifest = Manifest(folder)
    manifest.studio(pid, path.name)
    manifest.save()
    detail = (
        f"{len(done.audio) / 1000:.1f} s, trimmed {done.lead_ms / 1000:.2f} s + "
        f"{done.tail_ms / 1000:.2f} s of silence, gain {done.gain_db:+.1f} dB"
    )
    return Imported(lang, path, pid, True, detail)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

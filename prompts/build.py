# Rules: idempotent. A prompt is (re)built only when its file is missing or the manifest's key
# (text, voice, speed, audio chain) differs; a file the manifest does not list as generated
# (a studio recording, or one copied in by hand) is never touched. Identical (text, voice)
# pairs are spoken once. Work goes in batches (one ffmpeg run each) on a few threads; each
# finished batch is written and recorded at once, so an interrupted build keeps its work.
# A prompt with no letter or digit in its text ("," for `pause`) is PAUSE_MS of silence.
"""`hotline prompts build`: catalog prompts and place names, spoken by espeak-ng."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ivr.catalog import LANGS, Catalog, load_catalog
from prompts import audio, synth, tools
from prompts.manifest import GENERATED, Manifest, write_atomically
from store.errors import UserError

PIPELINE = "1"  # bump when the audio chain changes: every generated file is rebuilt then
DEFAULT_VOICES = {"vi": "vi", "en": "en-us"}
PLACE_VOICE = "vi"  # a place is named as people there say it, in either language's prompts
PAUSE_MS = 400
BATCH = 24


@dataclass(frozen=True)
class Wanted:
    """One sound file that should exist: <lang>/<prompt_id>.wav saying `text`."""

    lang: str
    prompt_id: str
    text: str
    voice: str

    @property
    def key(self) -> str:
        raw = f"{PIPELINE}\n{self.voice}\n{synth.SPEED_WPM}\n{self.text}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    @property
    def is_pause(self) -> bool:
        return not any(ch.isalnum() for ch in self.text)


@dataclass
class BuildSummary:
    built: Counter = field(default_factory=Counter)  # by language
    unchanged: int = 0
    studio: int = 0  # kept: made by a studio or by hand

    def line(self) -> str:
        total = sum(self.built.values())
        by_lang = ", ".join(f"{lang} {n}" for lang, n in sorted(self.built.items()))
        return (
            f"built {total} prompts{f' ({by_lang})' if total else ''}, "
            f"{self.unchanged} unchanged, {self.studio} studio recordings kept"
        )


def catalog_wanted(
    catalog: Catalog, langs: Sequence[str] = LANGS, voice: str | None = None
) -> list[Wanted]:
    """Every catalog prompt with text in one of `langs`; `voice` overrides the language's."""
    return [
        Wanted(lang, pid, catalog.text(pid, lang), voice or DEFAULT_VOICES[lang])
        for lang in langs
        for pid in sorted(catalog.ids)
        if catalog.has(pid, lang)
    ]


def places_wanted(places: Iterable[tuple[str, str]], langs: Sequence[str] = LANGS) -> list[Wanted]:
    """(prompt id, place name) -> the same Vietnamese name in every language's folder."""
    return [Wanted(lang, pid, name, PLACE_VOICE) for pid, name in places if name for lang in langs]


def plan(wanted: Iterable[Wanted], sounds_dir: Path) -> tuple[list[Wanted], BuildSummary]:
    """What must be built; the rest is counted as unchanged or kept as studio work."""
    summary, todo = BuildSummary(), []
    manifests: dict[str, Manifest] = {}
    stems: dict[str, set[str]] = {}
    for w in wanted:
        if w.lang not in manifests:
            manifests[w.lang] = Manifest(sounds_dir / w.lang)
            stems[w.lang] = _stems(sounds_dir / w.lang)
        manifest = manifests[w.lang]
        if w.prompt_id in stems[w.lang] and manifest.made_by(w.prompt_id) != GENERATED:
            summary.studio += 1
        elif w.prompt_id in stems[w.lang] and manifest.key(w.prompt_id) == w.key:
            summary.unchanged += 1
        else:
            todo.append(w)
    return todo, summary


def build(
    wanted: Iterable[Wanted],
    sounds_dir: Path,
    on_built: Callable[[int], None] | None = None,
) -> BuildSummary:
    """Build what `plan` says is missing or stale; `on_built(n)` after every batch."""
    todo, summary = plan(wanted, sounds_dir)
    if not todo:
        return summary
    tools.require("espeak-ng", "ffmpeg")
    for voice in sorted({w.voice for w in todo}):
        try:
            synth.check_voice(voice)
        except tools.ToolError:
            raise UserError(
                f"espeak-ng has no voice {voice!r}; list them with: espeak-ng --voices"
            ) from None
    _make_writable(sounds_dir, sorted({w.lang for w in todo}))
    groups: dict[tuple[str, str], list[Wanted]] = defaultdict(list)
    for w in todo:
        groups[(w.text, w.voice)].append(w)
    jobs = list(groups.items())
    batches = [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    manifests = {lang: Manifest(sounds_dir / lang) for lang in {w.lang for w in todo}}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for done in pool.map(_render, batches):
            for targets, wav in done:
                for w in targets:
                    write_atomically(sounds_dir / w.lang / f"{w.prompt_id}.wav", wav)
                    manifests[w.lang].generated(w.prompt_id, w.key)
                    summary.built[w.lang] += 1
            for manifest in manifests.values():
                manifest.save()
            if on_built:
                on_built(sum(len(targets) for targets, _ in done))
    return summary


def build_prompts(
    sounds_dir: Path,
    *,
    langs: Sequence[str] = LANGS,
    voice: str | None = None,
    catalog: Catalog | None = None,
    places: Iterable[tuple[str, str]] = (),
    ids: Collection[str] | None = None,
    on_built: Callable[[int], None] | None = None,
) -> BuildSummary:
    """The whole job, for the CLI and the demo: catalog prompts (only `ids` when given) and
    place names ((prompt id, name) pairs) in `langs`, under `sounds_dir`/<lang>/."""
    wanted = catalog_wanted(catalog or load_catalog(), langs, voice)
    if ids is not None:
        wanted = [w for w in wanted if w.prompt_id in ids]
    return build([*wanted, *places_wanted(places, langs)], sounds_dir, on_built)


def _render(batch: list[tuple[tuple[str, str], list[Wanted]]]) -> list[tuple[list[Wanted], bytes]]:
    spoken = [key for key, targets in batch if not targets[0].is_pause]
    with tempfile.TemporaryDirectory(prefix="hotline-prompts-") as tmp:
        clips = iter(synth.speak(spoken, Path(tmp)) if spoken else [])
        out = []
        for _key, targets in batch:
            if targets[0].is_pause:
                clip = audio.AudioSegment.silent(PAUSE_MS, frame_rate=audio.RATE)
            else:
                clip = audio.finish(next(clips)).audio
            out.append((targets, audio.wav_bytes(clip)))
    return out


def _make_writable(sounds_dir: Path, langs: Sequence[str]) -> None:
    try:
        for lang in langs:
            (sounds_dir / lang).mkdir(parents=True, exist_ok=True)
            if not os.access(sounds_dir / lang, os.W_OK):
                raise PermissionError(sounds_dir / lang)
    except OSError:
        raise UserError(
            f"cannot write to {sounds_dir}; pass --sounds-dir or set [agi] sounds_dir"
        ) from None


def _stems(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name.split(".", 1)[0] for p in folder.iterdir() if _is_sound(p)}


def _is_sound(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".")

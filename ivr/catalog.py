# Rules: the prompt catalog (prompts/catalog.toml) is read once and checked as a whole: every id
# is a sound-file stem (ascii a-z, 0-9, dash), every entry has text in at least one of the
# catalog's languages (a translation may lag; `hotline menu check` and the tests report it),
# text is NFC-normalised. A bad file raises CatalogError naming file and id.
# The default catalog is cached; an explicit path is read afresh.
"""The prompt catalog: which prompt ids exist and what each says in vi and en."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from store.errors import UserError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "prompts" / "catalog.toml"
LANGS = ("vi", "en")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EXTRA_FIELDS = {"note"}


class CatalogError(UserError):
    """The catalog file cannot be used; the message names the file and the prompt id."""


class Catalog:
    """Prompt id -> language -> text; immutable once built."""

    def __init__(self, texts: dict[str, dict[str, str]], langs: Iterable[str] = LANGS) -> None:
        self._texts = {pid: dict(by_lang) for pid, by_lang in texts.items()}
        self._langs = tuple(langs)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._texts)

    @property
    def langs(self) -> tuple[str, ...]:
        return self._langs

    def has(self, prompt_id: str, lang: str) -> bool:
        return lang in self._texts.get(prompt_id, {})

    def text(self, prompt_id: str, lang: str) -> str:
        """The words of one prompt; KeyError names what is missing."""
        try:
            return self._texts[prompt_id][lang]
        except KeyError:
            raise KeyError(f"prompt {prompt_id!r} has no {lang!r} text in the catalog") from None

    def render(self, prompt_ids: Iterable[str], lang: str) -> str:
        """The words a prompt sequence says, space-separated; punctuation (a pause) sticks left."""
        out = ""
        for pid in prompt_ids:
            words = self.text(pid, lang)
            if not out or not words[:1].isalnum():
                out += words
            else:
                out += " " + words
        return out


def missing_sounds(catalog: Catalog, stems: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """(lang, id) of each catalog prompt with no sound file; `stems` are file names sans suffix."""
    have = {lang: set(stems.get(lang, ())) for lang in catalog.langs}
    return [(lang, pid) for lang in catalog.langs for pid in sorted(catalog.ids)
            if catalog.has(pid, lang) and pid not in have[lang]]  # fmt: skip


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path`, or the project's prompts/catalog.toml (cached)."""
    if path is None:
        return _default_catalog()
    return _read(Path(path))


@functools.cache
def _default_catalog() -> Catalog:
    return _read(DEFAULT_PATH)


def _read(path: Path) -> Catalog:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogError(f"{path}: prompt catalog not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from None
    return Catalog({pid: _entry(path, pid, value) for pid, value in raw.items()})


def _entry(path: Path, pid: str, value: object) -> dict[str, str]:
    where = f"{path}: prompt {pid!r}"
    if not ID_RE.match(pid):
        raise CatalogError(f"{where}: an id is a file name stem: lowercase ascii, digits, dashes")
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected a table with {' and '.join(LANGS)} text")
    unknown = sorted(set(value) - set(LANGS) - EXTRA_FIELDS)
    if unknown:
        raise CatalogError(
            f"{where}: unknown field {unknown[0]!r}; fields are "
            f"{', '.join(LANGS + tuple(sorted(EXTRA_FIELDS)))}"
        )
    out = {}
    for lang in LANGS:
        text = value.get(lang)
        if text is None:
            continue
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{where}: {lang!r} text must be non-empty text")
        out[lang] = unicodedata.normalize("NFC", text.strip())
    if not out:
        raise CatalogError(f"{where}: no text; give at least {' or '.join(LANGS)}")
    return out

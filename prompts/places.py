# Rules: a place's prompt id is loc-<code> made a file-name stem (lowercase ascii, digits,
# dashes; a code that loses anything on the way gets a short hash, so two codes never share
# a file). Its text is the place's name, spoken by the Vietnamese voice into every language's
# folder. Location.prompt_id is set once the file exists in every language, and only then:
# the outbound notice falls back to the district prompt while it is unset. After `locations
# import`, places are built only when the tools are there and the sounds folder exists and is
# writable; otherwise one line says how to build them later. An import never fails for it.
"""Place names as prompts (loc-<code>), and Location.prompt_id."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from ivr.catalog import LANGS
from prompts import shown, tools
from prompts.build import BuildSummary, build, places_wanted
from prompts.check import PLACE_PREFIX
from store.errors import UserError
from store.models import Location

_NOT_STEM = re.compile(r"[^a-z0-9]+")
LATER = "hotline prompts build --locations"


def place_prompt_id(code: str) -> str:
    """'DN-0001' -> 'loc-dn-0001'; 'Chợ Hàn #2' -> 'loc-cho-han-2-<hash>'."""
    plain = unicodedata.normalize("NFKD", code.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    slug = _NOT_STEM.sub("-", plain).strip("-")
    if slug != code.lower():
        slug = f"{slug}-{hashlib.sha1(code.encode('utf-8')).hexdigest()[:6]}".lstrip("-")
    return PLACE_PREFIX + slug


def build_place_prompts(
    sessions: sessionmaker[Session],
    sounds_dir: Path,
    *,
    only_new: bool = False,
    langs: Sequence[str] = LANGS,
    on_built: Callable[[int], None] | None = None,
) -> tuple[BuildSummary, int]:
    """Build every named place's prompt (only those without a prompt_id when `only_new`);
    returns the build summary and how many places now have their prompt_id set."""
    places = _named_places(sessions, only_new)
    summary = build(places_wanted([(pid, name) for _, pid, name in places], langs), sounds_dir,
                    on_built)  # fmt: skip
    ready = [(loc_id, pid) for loc_id, pid, _ in places if _exists(sounds_dir, pid, LANGS)]
    with sessions.begin() as s:
        for loc_id, pid in ready:
            s.execute(
                sa.update(Location)
                .where(Location.id == loc_id, sa.or_(Location.prompt_id.is_(None),
                                                     Location.prompt_id != pid))
                .values(prompt_id=pid)
            )  # fmt: skip
    return summary, len(ready)


def after_import(sessions: sessionmaker[Session], sounds_dir: Path) -> str | None:
    """The one line `locations import` adds about new places' spoken names, if any."""
    with sessions() as s:
        new = s.scalar(
            sa.select(sa.func.count())
            .select_from(Location)
            .where(Location.prompt_id.is_(None), Location.name != "")
        )
    if not new:
        return None
    reason = _cannot_build(sounds_dir)
    if reason is None:
        try:
            _summary, ready = build_place_prompts(sessions, sounds_dir, only_new=True)
            return f"spoken names: {ready} new place(s) built in {shown(sounds_dir)}"
        except UserError as exc:
            reason = str(exc)
    return f"note: {new} place(s) have no spoken name yet ({reason}); later run: {LATER}"


def _cannot_build(sounds_dir: Path) -> str | None:
    absent = tools.missing("espeak-ng", "ffmpeg")
    if absent:
        return f"{' and '.join(absent)} not installed"
    if not sounds_dir.is_dir():
        return f"no sounds folder {shown(sounds_dir)}"
    if not os.access(sounds_dir, os.W_OK):
        return f"{shown(sounds_dir)} is not writable"
    return None


def _named_places(sessions: sessionmaker[Session], only_new: bool) -> list[tuple[int, str, str]]:
    query = sa.select(Location.id, Location.code, Location.name).where(Location.name != "")
    if only_new:
        query = query.where(Location.prompt_id.is_(None))
    with sessions() as s:
        return [(i, place_prompt_id(code), name.strip()) for i, code, name in s.execute(query)]


def _exists(sounds_dir: Path, pid: str, langs: Sequence[str]) -> bool:
    return all(any((sounds_dir / lang).glob(f"{pid}.*")) for lang in langs)

"""`hotline say`, `hotline menu check`, `hotline prompts build|import|check`: hear what the
IVR would say, check the menus, make and check the sound files.

Rules: parse, call ivr.speech / ivr.menus / prompts, print (prompts.* is imported inside its
commands: pydub is slow to import). Bad values become UserError (one line,
exit 1); `menu check` prints one problem per line and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import datetime
import importlib
import importlib.util
import re
import sys
from collections.abc import Collection
from contextlib import contextmanager
from pathlib import Path

import click

from ivr import speech
from ivr.catalog import load_catalog
from store.errors import UserError

KINDS = ("number", "date", "time", "digits")
_NUMBER = re.compile(r"^\d+$|^\d{1,3}([ ._,]\d{3})+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")
_GROUPS = re.compile(r"^\d+(,\d+)*$")


@click.command()
@click.argument("value")
@click.option("--as", "kind", type=click.Choice(KINDS), default="number", show_default=True,
              help="How to read VALUE.")  # fmt: skip
@click.option("--lang", type=click.Choice(speech.LANGS), default="vi", show_default=True)
@click.option("--ids", is_flag=True, help="Print the prompt ids instead of the words.")
@click.option("--groups", help="Digit group sizes for --as digits, e.g. 4,3,3.")
def say(value: str, kind: str, lang: str, ids: bool, groups: str | None) -> None:
    """Print what the IVR says for VALUE (number, YYYY-MM-DD, HH:MM or digits).

    \b
    Example:
      hotline say 1879 --as number
      hotline say 2021-10-07 --as date --lang en
      hotline say 0905123456 --as digits --ids
    """
    try:
        prompts = _prompts(value, kind, lang, groups)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    click.echo(" ".join(prompts) if ids else load_catalog().render(prompts, lang))


def _prompts(value: str, kind: str, lang: str, groups: str | None) -> list[str]:
    if groups is not None and kind != "digits":
        raise ValueError("--groups only applies to --as digits")
    if kind == "number":
        if not _NUMBER.match(value):
            raise ValueError(f"{value!r} is not a whole number")
        return speech.number_prompts(int(re.sub(r"\D", "", value)), lang)
    if kind == "date":
        return speech.date_prompts(_parse(value, _DATE, "a date (YYYY-MM-DD)", _date), lang)
    if kind == "time":
        return speech.time_prompts(_parse(value, _TIME, "a time (HH:MM)", _time), lang)
    if groups is not None and not _GROUPS.match(groups):
        raise ValueError(f"--groups {groups!r} must be sizes separated by commas, e.g. 4,3,3")
    sizes = [int(g) for g in groups.split(",")] if groups else None
    return speech.digits_prompts(value, lang, sizes)


def _parse(value: str, pattern: re.Pattern, what: str, convert):
    if not pattern.match(value):
        raise ValueError(f"{value!r} is not {what}")
    try:
        return convert(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not {what}: {exc}") from None


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _time(value: str) -> datetime.time:
    hour, minute = value.split(":")
    return datetime.time(int(hour), int(minute))


@click.group()
def menu() -> None:
    """Check the voice menus (ivr/menus.toml)."""


@menu.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Menus file to check (default: ivr/menus.toml).")  # fmt: skip
@click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False),
              help="Prompt catalog to check against (default: prompts/catalog.toml).")  # fmt: skip
@click.pass_context
def menu_check(ctx: click.Context, path: str | None, catalog_path: str | None) -> None:
    """Report unreachable menus, dangling targets (missing menus, unregistered flows),
    duplicate digits, menus with no way out and prompt ids missing from the catalog;
    exit 1 if there is any.

    \b
    Example:
      hotline menu check
      hotline menu check --file my-menus.toml
    """
    from ivr.menu_check import check_tree, prompt_ids, sort_problems
    from ivr.menus import read_menus

    tree, problems, shown = read_menus(path)
    catalog = load_catalog(catalog_path)
    problems = sort_problems([*problems, *check_tree(tree, catalog, known_routes())])
    for problem in problems:
        click.echo(problem.format(shown))
    if problems:
        ctx.exit(1)
    click.echo(f"ok: {len(tree.menus)} menus, {len(prompt_ids(tree))} prompts")


def known_routes() -> Collection[str] | None:
    """The flow routes the IVR answers (ivr.flows.ROUTES); None when they cannot be loaded.

    Read from the ROUTES literal in ivr/flows/__init__.py without running it: importing the
    flows loads the database layer (half a second) for a check that needs only the names.
    A ROUTES that is not one literal with string keys is imported instead.
    """
    names = _routes_literal()
    if names is not None:
        return names
    try:
        return frozenset(importlib.import_module("ivr.flows").ROUTES)
    except (ImportError, AttributeError):
        return None


def _routes_literal() -> frozenset[str] | None:
    """The keys of `ROUTES = {...}` in ivr.flows' source, if that is all ROUTES ever is."""
    spec = importlib.util.find_spec("ivr.flows")
    if spec is None or spec.origin is None:
        return None
    try:
        module = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    uses = [n for n in ast.walk(module) if isinstance(n, ast.Name) and n.id == "ROUTES"]
    if len(uses) != 1:  # changed after its assignment, or not there at all
        return None
    for node in module.body:
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        else:
            continue
        keys = node.value.keys if isinstance(node.value, ast.Dict) else [None]
        if target is uses[0] and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in keys
        ):
            return frozenset(k.value for k in keys)
    return None


@click.group()
def prompts() -> None:
    """The prompts as sound files: build them, import studio recordings, check the folder."""


_sounds_dir_option = click.option(
    "--sounds-dir",
    type=click.Path(file_okay=False),
    help="Folder of <lang>/<prompt id>.wav (default: HOTLINE_SOUNDS_DIR, [agi] sounds_dir, "
    "else prompts/sounds).",
)
_catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(dir_okay=False),
    help="Prompt catalog (default: prompts/catalog.toml).",
)


def _sounds_root(ctx: click.Context, option: str | None) -> Path:
    from prompts import sounds_dir

    return sounds_dir(option, ctx.find_root().obj.section("agi"))


@prompts.command("build")
@click.option("--lang", type=click.Choice(speech.LANGS), help="Only this language (default: all).")
@click.option(
    "--voice", help="espeak-ng voice for --lang (default: vi, en-us; see espeak-ng --voices)."
)
@click.option("--locations", is_flag=True,
              help="Also every place's name from the database (loc-<code>).")  # fmt: skip
@_sounds_dir_option
@_catalog_option
@click.option("--silent", is_flag=True, help="No progress bar.")
@click.pass_context
def prompts_build(ctx, lang, voice, locations, sounds_dir, catalog_path, silent) -> None:
    """Speak every catalog prompt that has no studio recording with espeak-ng, as 8 kHz mono
    16-bit WAV under the sounds folder; a prompt whose text did not change is not rebuilt.

    Needs espeak-ng and ffmpeg (Debian: apt-get install espeak-ng ffmpeg).

    \b
    Example:
      hotline prompts build
      hotline prompts build --lang vi --voice vi-vn-x-central
      hotline prompts build --locations
    """
    from prompts.build import build, catalog_wanted, plan

    if voice and not lang:
        raise click.UsageError("--voice needs --lang: a voice speaks one language")
    langs = [lang] if lang else list(speech.LANGS)
    root = _sounds_root(ctx, sounds_dir)
    wanted = catalog_wanted(load_catalog(catalog_path), langs, voice)
    todo, _ = plan(wanted, root)
    with _bar(len(todo), "speaking prompts", silent) as on_built:
        summary = build(wanted, root, on_built)
    click.echo(summary.line())
    if locations:
        _build_places(ctx, root, langs, silent)


def _build_places(ctx: click.Context, root: Path, langs: list[str], silent: bool) -> None:
    from cli.store_access import engine_for
    from prompts.places import build_place_prompts
    from store.db import session_factory

    sessions = session_factory(engine_for(ctx))
    summary, ready = build_place_prompts(sessions, root, langs=langs)
    click.echo(f"place names: {summary.line()}; {ready} places have their prompt")


@contextmanager
def _bar(length: int, label: str, silent: bool):
    """A progress bar on stderr, on a terminal only; yields its update function."""
    if silent or not length or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@prompts.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(speech.LANGS),
    help="FOLDER holds this language's files (default: FOLDER/vi, FOLDER/en).",
)
@_sounds_dir_option
@_catalog_option
@click.pass_context
def prompts_import(ctx, folder: Path, lang, sounds_dir, catalog_path) -> None:
    """Import studio recordings named <prompt id>.<any format ffmpeg reads>: trimmed of
    leading and trailing silence, brought to one loudness, converted to 8 kHz mono 16-bit
    WAV. A studio file always wins: `prompts build` never overwrites it. One line per file;
    exit 1 if any file was skipped.

    \b
    Example:
      hotline prompts import studio/          # studio/vi/welcome.mp3, studio/en/welcome.flac
      hotline prompts import takes/ --lang vi # takes/welcome.m4a
    """
    from prompts.studio import import_recordings

    root = _sounds_root(ctx, sounds_dir)
    results = import_recordings(
        folder, root, load_catalog(catalog_path), lang=lang, on_file=lambda r: click.echo(r.line())
    )
    good = sum(r.ok for r in results)
    click.echo(f"imported {good} recordings into {_relative(root)}, skipped {len(results) - good}")
    if good < len(results):
        ctx.exit(1)


@prompts.command("check")
@_sounds_dir_option
@_catalog_option
@click.pass_context
def prompts_check(ctx: click.Context, sounds_dir: str | None, catalog_path: str | None) -> None:
    """Report missing sound files (per language), extra files not in the catalog and files
    Asterisk cannot play as named (.wav must be 8 kHz mono 16-bit); exit 1 on any.

    Place names (loc-<code>) are not catalog prompts and are not extra.

    \b
    Example:
      hotline prompts check
      hotline prompts check --sounds-dir /var/lib/asterisk/sounds/hotline
    """
    from prompts.check import check_sounds

    catalog = load_catalog(catalog_path)
    root = _sounds_root(ctx, sounds_dir)
    shown = sounds_dir or _relative(root)
    report = check_sounds(catalog, root)
    for problem in report.problems:
        click.echo(problem.line(shown))
    click.echo(report.summary(catalog))
    if report.problems:
        ctx.exit(1)


def _relative(path: Path) -> str:
    from prompts import shown

    return shown(path)

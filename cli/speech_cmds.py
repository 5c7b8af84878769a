"""`hotline say`, `hotline menu check`, `hotline prompts check`: hear what the IVR would say,
check the menus and the recordings.

Rules: parse, call ivr.speech / ivr.menus, print. Bad values become UserError (one line,
exit 1); `menu check` prints one problem per line and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import datetime
import importlib
import importlib.util
import re
from collections.abc import Collection
from pathlib import Path

import click

from ivr import speech
from ivr.catalog import load_catalog, missing_sounds
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
    """Check the prompt catalog (prompts/catalog.toml) against the recordings."""


@prompts.command("check")
@click.option("--sounds-dir", type=click.Path(file_okay=False),
              help="Folder of <lang>/<prompt id>.<format> (default: prompts/sounds).")  # fmt: skip
@click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False),
              help="Prompt catalog (default: prompts/catalog.toml).")  # fmt: skip
@click.pass_context
def prompts_check(ctx: click.Context, sounds_dir: str | None, catalog_path: str | None) -> None:
    """Report every catalog prompt with no sound file in a language; exit 1 if any.

    Any format Asterisk plays counts (.wav, .sln, .ulaw, .gsm, …): only the name is checked.

    \b
    Example:
      hotline prompts check
      hotline prompts check --sounds-dir /var/lib/asterisk/sounds/hotline
    """
    from ivr.channel import DEFAULT_SOUNDS_DIR

    catalog = load_catalog(catalog_path)
    root = Path(sounds_dir) if sounds_dir else DEFAULT_SOUNDS_DIR
    shown = sounds_dir or _relative(root)
    stems = {lang: _stems(root / lang) for lang in catalog.langs}
    missing = missing_sounds(catalog, stems)
    for lang, pid in missing:
        click.echo(f"{shown}/{lang}/{pid}: no sound file")
    for lang in catalog.langs:
        for stem in sorted(stems[lang] - catalog.ids):
            click.echo(f"note: {shown}/{lang}/{stem}: not in the catalog (unused)")
    if missing:
        by_lang = ", ".join(f"{lang} {sum(1 for m in missing if m[0] == lang)}"
                            for lang in catalog.langs)  # fmt: skip
        click.echo(f"missing: {len(missing)} sound files ({by_lang})")
        ctx.exit(1)
    click.echo(f"ok: {len(catalog.ids)} prompts in {', '.join(catalog.langs)}")


def _stems(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name.split(".", 1)[0] for p in folder.iterdir() if p.is_file()}


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

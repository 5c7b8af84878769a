# Rules: a menus file (TOML) becomes a MenuTree plus a list of Problems, never an exception
# for bad content, so `hotline menu check` can report everything at once and load_menus can
# refuse the first fatal one. Line numbers come from a cheap scan of the `[menu.<id>]` and
# `[menu.<id>.keys]` sections; a digit declared twice in one keys table is reported and the
# second line dropped, so the rest of the file can still be checked. Pure: text in, data out.
"""Parsing and structural validation of the menus file (ivr/menus.toml)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

ROOT = "main"
OPERATOR_KEY, REPEAT_KEY = "0", "*"
RESERVED = {OPERATOR_KEY: "the operator", REPEAT_KEY: "the repeat"}
KEYS = frozenset("0123456789*#")
ID_RE = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")
TARGET_RE = re.compile(r"^(menu|flow):([a-z0-9]+([_-][a-z0-9]+)*)$")
EXITS = ("operator", "hangup")
DEFAULTS = {
    "timeout_s": 6.0,
    "retries": 3,
    "invalid": "invalid-key",
    "timeout": "no-input",
    "fallback": "operator",
    "footer": ("menu-footer",),
}
NODE_FIELDS = {"prompts", "keys", *DEFAULTS}

# Problem kinds, in the order `menu check` explains them.
INVALID, DUPLICATE, DANGLING, UNREACHABLE, NO_WAY_OUT, MISSING_PROMPT = (
    "invalid", "duplicate digit", "dangling target", "unreachable", "no way out",
    "missing prompt",
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    kind: str
    node: str  # a menu id, or "defaults" / "file"
    message: str
    line: int | None = None

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        label = self.node if self.node in ("defaults", "file") else f"menu {self.node}"
        return f"{where}: {label}: {self.message}"


@dataclass(frozen=True)
class Menu:
    """One node: what it says, which key goes where, and how patient it is."""

    id: str
    prompts: tuple[str, ...]
    keys: Mapping[str, str]  # declared keys only; 0 and * are added by every menu
    timeout_s: float
    retries: int
    invalid: str
    timeout: str
    fallback: str
    footer: tuple[str, ...]
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int | None:
        """Line of a field (prompts, fallback, …) when written in this menu, else of the menu."""
        return self.field_lines.get(name, self.line)

    @property
    def digits(self) -> frozenset[str]:
        return frozenset(self.keys) | frozenset(RESERVED)

    @property
    def own_prompts(self) -> tuple[str, ...]:
        return (*self.prompts, *self.footer, self.invalid, self.timeout)


@dataclass(frozen=True)
class MenuTree:
    menus: Mapping[str, Menu]
    root: str = ROOT
    defaults_line: int | None = None
    defaults: Mapping[str, object] = field(default_factory=lambda: dict(DEFAULTS))
    defaults_lines: Mapping[str, int] = field(default_factory=dict)

    def menu(self, menu_id: str) -> Menu:
        try:
            return self.menus[menu_id]
        except KeyError:
            raise KeyError(f"no menu {menu_id!r}") from None


def target_kind(target: str) -> str | None:
    """'menu', 'flow', 'operator' or 'hangup'; None when the target is malformed."""
    if target in EXITS:
        return target
    match = TARGET_RE.match(target)
    return match.group(1) if match else None


# --- line scan ----------------------------------------------------------------------------

_HEADER = re.compile(r"^\[\s*(menu\s*\.\s*([A-Za-z0-9_-]+)(\s*\.\s*keys)?|defaults)\s*\]")
_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


@dataclass
class _Lines:
    nodes: dict[str, int] = field(default_factory=dict)
    fields: dict[str, dict[str, int]] = field(default_factory=dict)  # per node and "defaults"
    keys: dict[str, dict[str, int]] = field(default_factory=dict)
    defaults: int | None = None

    def field(self, node: str, name: str) -> int | None:
        return self.fields.get(node, {}).get(name) or (
            self.defaults if node == "defaults" else self.nodes.get(node)
        )


def _scan(text: str) -> tuple[str, _Lines, list[Problem]]:
    """Line numbers of nodes and keys; drops a repeated key line so TOML can still parse."""
    lines, kept, problems = _Lines(), [], []
    section: str | None = None  # the menu whose keys table we are in
    node: str | None = None  # the menu (or "defaults") whose fields we are in
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _HEADER.match(stripped)
        if header or stripped.startswith("["):
            section = node = None
        if header:
            if header.group(1) == "defaults":
                lines.defaults, node = number, "defaults"
            elif header.group(3):
                section = header.group(2)
                lines.keys.setdefault(section, {})
            else:
                node = header.group(2)
                lines.nodes.setdefault(node, number)
        elif node and (key := _KEY.match(stripped)):
            name = next(g for g in key.groups() if g is not None)
            lines.fields.setdefault(node, {}).setdefault(name, number)
        elif section and (key := _KEY.match(stripped)):
            digit = next(g for g in key.groups() if g is not None)
            seen = lines.keys[section]
            if digit in seen:
                problems.append(Problem(DUPLICATE, section, f"key {digit} is declared twice "
                                        f"(first on line {seen[digit]})", number))  # fmt: skip
                kept.append("")
                continue
            seen[digit] = number
        kept.append(line)
    return "\n".join(kept), lines, problems


# --- structure ----------------------------------------------------------------------------


def parse_menus(text: str) -> tuple[MenuTree, list[Problem]]:
    """The tree this text describes, as far as it can be built, and what is wrong with it."""
    text, lines, problems = _scan(text)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return MenuTree({}), [*problems, Problem(INVALID, "file", f"not valid TOML: {exc}")]
    defaults = _defaults(raw.get("defaults", {}), lines, problems)
    unknown = sorted(set(raw) - {"defaults", "menu"})
    if unknown:
        problems.append(Problem(INVALID, "file", f"unknown section [{unknown[0]}]; "
                                "sections are [defaults] and [menu.<id>]"))  # fmt: skip
    nodes = raw.get("menu", {})
    if not isinstance(nodes, dict):
        nodes = {}
        problems.append(Problem(INVALID, "file", "`menu` must be tables [menu.<id>]"))
    menus = {}
    for menu_id, node in nodes.items():
        menu = _menu(menu_id, node, defaults, lines, problems)
        if menu is not None:
            menus[menu_id] = menu
    if ROOT not in nodes:
        problems.append(Problem(INVALID, "file", f"no root menu: add a [menu.{ROOT}] section"))
    tree = MenuTree(menus, defaults_line=lines.defaults, defaults=defaults,
                    defaults_lines=lines.fields.get("defaults", {}))  # fmt: skip
    problems += _dangling(tree)
    return tree, problems


def _defaults(raw: object, lines: _Lines, problems: list[Problem]) -> dict:
    out = dict(DEFAULTS)
    if not isinstance(raw, dict):
        problems.append(Problem(INVALID, "defaults", "[defaults] must be a table", lines.defaults))
        return out
    for name, value in raw.items():
        line = lines.field("defaults", name)
        if name not in DEFAULTS:
            fields = ", ".join(DEFAULTS)
            problems.append(Problem(INVALID, "defaults", f"unknown field {name!r}; "
                                    f"fields are {fields}", line))  # fmt: skip
            continue
        error = _field_error(name, value)
        if error:
            problems.append(Problem(INVALID, "defaults", error, line))
        else:
            out[name] = _field_value(name, value)
    return out


def _menu(
    menu_id: str, node: object, defaults: dict, lines: _Lines, problems: list[Problem]
) -> Menu | None:
    line = lines.nodes.get(menu_id)

    def bad(message: str, at: int | None = line, kind: str = INVALID) -> None:
        problems.append(Problem(kind, menu_id, message, at))

    if not ID_RE.match(menu_id):
        bad("a menu id is lowercase ascii, digits, dashes and underscores")
        return None
    if not isinstance(node, dict):
        bad("must be a table [menu.<id>]")
        return None
    for name in sorted(set(node) - NODE_FIELDS):
        fields = ", ".join(sorted(NODE_FIELDS))
        bad(f"unknown field {name!r}; fields are {fields}", lines.field(menu_id, name))
    values = dict(defaults)
    for name in sorted(set(node) & set(DEFAULTS)):
        error = _field_error(name, node[name])
        if error:
            bad(error, lines.field(menu_id, name))
        else:
            values[name] = _field_value(name, node[name])
    prompts = node.get("prompts")
    if not _is_id_list(prompts) or not prompts:
        bad("`prompts` must be a non-empty list of prompt ids", lines.field(menu_id, "prompts"))
        prompts = []
    keys = _keys(node.get("keys", {}), lines.keys.get(menu_id, {}), bad)
    return Menu(menu_id, tuple(prompts), keys, line=line, key_lines=lines.keys.get(menu_id, {}),
                field_lines=lines.fields.get(menu_id, {}), **values)  # fmt: skip


def _keys(raw: object, key_lines: dict[str, int], bad) -> dict[str, str]:
    if not isinstance(raw, dict):
        bad("`keys` must be a table of key = target")
        return {}
    keys = {}
    for key, target in raw.items():
        at = key_lines.get(key)
        if key in RESERVED:
            bad(f"key {key} duplicates {RESERVED[key]} key every menu has", at, DUPLICATE)
        elif key not in KEYS:
            bad(f"key {key!r} is not a phone key (0-9, *, #)", at)
        elif not isinstance(target, str):
            bad(f"key {key}: the target must be text", at)
        else:
            keys[key] = target
    return keys


def _dangling(tree: MenuTree) -> list[Problem]:
    out = []
    for menu in tree.menus.values():
        routes = [(f"key {k}", t, menu.key_lines.get(k)) for k, t in menu.keys.items()]
        fallback = ("fallback", menu.fallback, menu.line_of("fallback"))
        for what, target, line in [*routes, fallback]:
            kind = target_kind(target)
            if kind is None:
                message = (f"{what}: unknown target {target!r}; use menu:<id>, flow:<route>, "
                           "operator or hangup")  # fmt: skip
                out.append(Problem(DANGLING, menu.id, message, line or menu.line))
            elif kind == "menu" and target[5:] not in tree.menus:
                message = f"{what} leads to missing menu {target[5:]!r}"
                out.append(Problem(DANGLING, menu.id, message, line or menu.line))
    return out


def _field_error(name: str, value: object) -> str | None:
    if name == "timeout_s":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        return None if ok else "`timeout_s` must be a number of seconds above 0"
    if name == "retries":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return None if ok else "`retries` must be a whole number, 1 or more"
    if name == "footer":
        return None if _is_id_list(value) else "`footer` must be a list of prompt ids"
    if not isinstance(value, str) or not value:
        return f"`{name}` must be text"
    return None


def _field_value(name: str, value: object) -> object:
    if name == "timeout_s":
        return float(value)
    return tuple(value) if name == "footer" else value


def _is_id_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)

# Rules: what `hotline menu check` finds beyond the file's structure: menus no caller can reach
# from "main", menus with no way out, fallbacks that loop, prompt ids the catalog lacks in any
# language, and (when the caller passes the registered routes) "flow:<route>" targets no flow
# answers. Pure: a tree, a catalog and a set of routes in, Problems out.
"""Lints of a menu tree against itself and against the prompt catalog."""

from __future__ import annotations

from collections.abc import Collection

from ivr.catalog import Catalog
from ivr.menu_file import (
    DANGLING,
    MISSING_PROMPT,
    NO_WAY_OUT,
    UNREACHABLE,
    MenuTree,
    Problem,
    target_kind,
)


def check_tree(
    tree: MenuTree, catalog: Catalog, routes: Collection[str] | None = None
) -> list[Problem]:
    """Lints; `routes` (e.g. ivr.flows.ROUTES) also flags flow targets nothing answers."""
    unknown = _unknown_routes(tree, routes) if routes is not None else []
    return [*unknown, *_unreachable(tree), *_no_way_out(tree), *_fallback_loops(tree),
            *_missing_prompts(tree, catalog)]  # fmt: skip


def _unknown_routes(tree: MenuTree, routes: Collection[str]) -> list[Problem]:
    out = []
    for menu in tree.menus.values():
        places = [(f"key {k}", t, menu.key_lines.get(k)) for k, t in menu.keys.items()]
        places.append(("fallback", menu.fallback, menu.line_of("fallback")))
        for what, target, line in places:
            route = target[len("flow:") :]
            if target_kind(target) == "flow" and route not in routes:
                message = f"{what} leads to flow {route!r}, which no registered flow answers"
                out.append(Problem(DANGLING, menu.id, message, line or menu.line))
    return out


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """File-wide problems first, then by line (stable, so equal lines keep their order)."""
    return sorted(problems, key=lambda p: p.line or 0)


def _menu_targets(tree: MenuTree, menu_id: str, with_fallback: bool) -> list[str]:
    menu = tree.menus[menu_id]
    targets = [*menu.keys.values(), *([menu.fallback] if with_fallback else [])]
    return [t[5:] for t in targets if target_kind(t) == "menu" and t[5:] in tree.menus]


def _reach(tree: MenuTree, start: str, with_fallback: bool) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        menu_id = todo.pop()
        if menu_id not in seen:
            seen.add(menu_id)
            todo += _menu_targets(tree, menu_id, with_fallback)
    return seen


def _unreachable(tree: MenuTree) -> list[Problem]:
    if tree.root not in tree.menus:
        return []
    reached = _reach(tree, tree.root, with_fallback=True)
    return [
        Problem(
            UNREACHABLE,
            m.id,
            f"unreachable: no key or fallback leads here from {tree.root!r}",
            m.line,
        )  # fmt: skip
        for m in tree.menus.values()
        if m.id not in reached
    ]


def _exits(tree: MenuTree, menu_id: str) -> bool:
    return any(target_kind(t) in ("flow", "operator", "hangup")
               for m in _reach(tree, menu_id, with_fallback=False)
               for t in tree.menus[m].keys.values())  # fmt: skip


def _no_way_out(tree: MenuTree) -> list[Problem]:
    message = ("no way out: no key leads, directly or through other menus, to a flow, "
               "the operator or hangup (0 aside)")  # fmt: skip
    return [Problem(NO_WAY_OUT, m.id, message, m.line)
            for m in tree.menus.values() if not _exits(tree, m.id)]  # fmt: skip


def _fallback_loops(tree: MenuTree) -> list[Problem]:
    """Each loop once, at its first menu in file order."""
    out, reported = [], set()
    for start in tree.menus:
        chain, menu_id = [start], start
        while True:
            target = tree.menus[menu_id].fallback
            if target_kind(target) != "menu" or target[5:] not in tree.menus:
                break
            menu_id = target[5:]
            if menu_id in chain:
                if menu_id == start and frozenset(chain) not in reported:
                    reported.add(frozenset(chain))
                    message = (f"no way out: fallbacks loop ({' > '.join([*chain, start])}); "
                               "a silent caller would never leave")  # fmt: skip
                    out.append(Problem(NO_WAY_OUT, start, message, tree.menus[start].line))
                break
            chain.append(menu_id)
    return out


PROMPT_FIELDS = ("prompts", "footer", "invalid", "timeout")


def _as_ids(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value),)


def _default_prompts(tree: MenuTree) -> tuple[str, ...]:
    return tuple(pid for name in PROMPT_FIELDS[1:] for pid in _as_ids(tree.defaults[name]))


def _missing_prompts(tree: MenuTree, catalog: Catalog) -> list[Problem]:
    """Each missing id once, on the line that names it: in [defaults] or in a menu."""
    places = []
    for name in PROMPT_FIELDS[1:]:
        line = tree.defaults_lines.get(name, tree.defaults_line)
        places.append(("defaults", line, _as_ids(tree.defaults[name])))
    for menu in tree.menus.values():
        for name in PROMPT_FIELDS:
            value = getattr(menu, name)
            if name == "prompts" or value != tree.defaults[name]:
                places.append((menu.id, menu.line_of(name), _as_ids(value)))
    out = []
    for node, line, pids in places:
        for pid in dict.fromkeys(pids):
            missing = [lang for lang in catalog.langs if not catalog.has(pid, lang)]
            if missing:
                message = f"prompt {pid!r} is missing from the catalog ({', '.join(missing)})"
                out.append(Problem(MISSING_PROMPT, node, message, line))
    return out


def prompt_ids(tree: MenuTree) -> set[str]:
    """Every prompt id the tree can play, defaults included."""
    return {pid for m in tree.menus.values() for pid in m.own_prompts} | set(_default_prompts(tree))

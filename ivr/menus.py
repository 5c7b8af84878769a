# Rules: menus are data (ivr/menus.toml); this module loads them and walks them, and does no
# I/O while walking: a driver asks `current()`, plays the prompts, collects one key (or None on
# timeout) and calls `press()`. Every menu accepts 0 (the operator) and * (repeat) without
# declaring them. A wrong key plays the invalid prompt then the menu again, a timeout the
# timeout prompt then the menu again; `retries` failures in a row at one menu take its fallback
# (by default the operator: a caller who cannot manage the keypad reaches a human).
"""The menu tree and the pure engine a driver walks over the phone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr.menu_file import (
    DANGLING,
    DUPLICATE,
    INVALID,
    OPERATOR_KEY,
    REPEAT_KEY,
    ROOT,
    Menu,
    MenuTree,
    Problem,
    parse_menus,
    target_kind,
)
from store.errors import UserError

__all__ = [
    "Ask", "Exit", "Menu", "MenuError", "MenuTree", "MenuWalker", "WalkerStateError", "load_menus",
    "read_menus",
]  # fmt: skip

DEFAULT_PATH = Path(__file__).resolve().parent / "menus.toml"
FATAL = (INVALID, DUPLICATE, DANGLING)  # a tree with these cannot be walked


class MenuError(UserError):
    """The menus file cannot be used; the message names the file, the menu and the line."""


class WalkerStateError(RuntimeError):
    """The driver pressed a key after the walk had ended."""


@dataclass(frozen=True)
class Ask:
    """Play `prompts`, then wait `timeout_s` for one of `digits`."""

    prompts: tuple[str, ...]
    timeout_s: float
    digits: frozenset[str]
    menu_id: str


@dataclass(frozen=True)
class Exit:
    """The walk is over: "flow:<route>", "operator" or "hangup"."""

    target: str


def read_menus(path: str | Path | None = None) -> tuple[MenuTree, list[Problem], str]:
    """Tree, problems and the file name as shown in messages (for `hotline menu check`)."""
    file = Path(path) if path is not None else DEFAULT_PATH
    shown = str(path) if path is not None else _shown(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MenuError(f"{shown}: menus file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MenuError(f"{shown}: cannot read the menus file: {exc}") from None
    tree, problems = parse_menus(text)
    return tree, problems, shown


def load_menus(path: str | Path | None = None) -> MenuTree:
    """The menu tree (root "main"); MenuError on the first problem that makes it unwalkable."""
    tree, problems, shown = read_menus(path)
    fatal = sorted((p for p in problems if p.kind in FATAL), key=lambda p: p.line or 0)
    if fatal:
        raise MenuError(fatal[0].format(shown))
    return tree


def _shown(file: Path) -> str:
    try:
        return str(file.relative_to(Path.cwd()))
    except ValueError:
        return str(file)


class MenuWalker:
    """One caller's walk through the tree; remembers the path for the call record."""

    def __init__(self, tree: MenuTree, start: str = ROOT) -> None:
        if start not in tree.menus:
            raise ValueError(f"no menu {start!r} to start from")
        self._tree = tree
        self._menu: Menu = tree.menus[start]
        self._failures = 0
        self._path = [start]
        self._exit: Exit | None = None
        self._ask = self._menu_ask()

    @property
    def path(self) -> list[str]:
        """Menus entered, in order, then the exit target once the walk ends."""
        return list(self._path)

    @property
    def exit(self) -> Exit | None:
        return self._exit

    def current(self) -> Ask:
        """What to play and collect now."""
        self._check_running()
        return self._ask

    def press(self, key: str | None) -> Ask | Exit:
        """One key from the caller, or None (or "") when nothing came before the timeout."""
        self._check_running()
        if not key:
            return self._fail(self._menu.timeout)
        if key == REPEAT_KEY:
            self._failures = 0
            return self._set(self._menu_ask())
        if key == OPERATOR_KEY:
            return self._go("operator")
        if key in self._menu.keys:
            return self._go(self._menu.keys[key])
        return self._fail(self._menu.invalid)

    def _fail(self, prompt: str) -> Ask | Exit:
        self._failures += 1
        if self._failures >= self._menu.retries:
            return self._go(self._menu.fallback)
        return self._set(self._menu_ask(prefix=(prompt,)))

    def _go(self, target: str) -> Ask | Exit:
        self._failures = 0
        if target_kind(target) == "menu":
            self._menu = self._tree.menu(target[len("menu:") :])
            self._path.append(self._menu.id)
            return self._set(self._menu_ask())
        self._path.append(target)
        self._exit = Exit(target)
        return self._exit

    def _set(self, ask: Ask) -> Ask:
        self._ask = ask
        return ask

    def _menu_ask(self, prefix: tuple[str, ...] = ()) -> Ask:
        menu = self._menu
        prompts = (*prefix, *menu.prompts, *menu.footer)
        return Ask(prompts, menu.timeout_s, menu.digits, menu.id)

    def _check_running(self) -> None:
        if self._exit is not None:
            raise WalkerStateError(
                f"the walk has ended at {self._exit.target!r} (path {' > '.join(self._path)})"
            )

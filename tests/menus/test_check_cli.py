"""`hotline menu check`: one bad file per kind of problem, with exact output and exit code."""

# ruff: noqa: E501  (expected output lines are as long as the messages)

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from cli.speech_cmds import known_routes as real_known_routes

CATALOG = """\
main-menu = { vi = "Menu chính", en = "Main menu" }
covid-menu = { vi = "COVID-19", en = "COVID-19" }
menu-footer = { vi = "Bấm 0, bấm sao", en = "Press 0, press star" }
invalid-key = { vi = "Sai phím", en = "Wrong key" }
no-input = { vi = "Chưa bấm phím", en = "No key" }
"""


ROUTES = frozenset({"feedback", "exposure", "declaration"})


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Run in a scratch directory, with a fixed set of registered flows."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("cli.speech_cmds.known_routes", lambda: ROUTES)


def check(menus: str, catalog: str = CATALOG):
    Path("menus.toml").write_text(menus, encoding="utf-8")
    Path("catalog.toml").write_text(catalog, encoding="utf-8")
    args = ["menu", "check", "--file", "menus.toml", "--catalog", "catalog.toml"]
    return CliRunner().invoke(main, args)


def test_a_good_file():
    result = check(
        '[menu.main]\nprompts = ["main-menu"]\n\n[menu.main.keys]\n1 = "menu:covid"\n\n'
        '[menu.covid]\nprompts = ["covid-menu"]\n\n[menu.covid.keys]\n1 = "flow:exposure"\n'
    )
    assert result.exit_code == 0
    # main-menu, covid-menu and the three defaults: menu-footer, invalid-key, no-input
    assert result.output == "ok: 2 menus, 5 prompts\n"


def test_the_shipped_menus_are_clean(monkeypatch):
    # Whether ivr.flows registers every route yet is the flows' business, checked below.
    monkeypatch.setattr("cli.speech_cmds.known_routes", lambda: None)
    result = CliRunner().invoke(main, ["menu", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


UNREACHABLE = """\
[menu.main]
prompts = ["main-menu"]

[menu.main.keys]
1 = "flow:feedback"

[menu.orphan]
prompts = ["covid-menu"]

[menu.orphan.keys]
1 = "flow:exposure"
"""

DANGLING = """\
[menu.main]
prompts = ["main-menu"]
fallback = "menu:help"

[menu.main.keys]
1 = "menu:covid"
2 = "flow:feedback"
3 = "transfer"
"""

DUPLICATE = """\
[menu.main]
prompts = ["main-menu"]

[menu.main.keys]
1 = "flow:feedback"
2 = "flow:exposure"
1 = "flow:declaration"
"*" = "hangup"
0 = "flow:feedback"
"""

NO_WAY_OUT = """\
[menu.main]
prompts = ["main-menu"]

[menu.main.keys]
1 = "menu:info"
2 = "flow:feedback"
3 = "menu:a"

[menu.info]
prompts = ["covid-menu"]

[menu.a]
prompts = ["covid-menu"]
fallback = "menu:b"

[menu.a.keys]
1 = "flow:exposure"

[menu.b]
prompts = ["covid-menu"]
fallback = "menu:a"

[menu.b.keys]
1 = "flow:exposure"
"""

MISSING_PROMPTS = """\
[defaults]
invalid = "wrong-key"

[menu.main]
prompts = ["main-menu", "no-such-prompt"]
timeout = "silence"

[menu.main.keys]
1 = "flow:feedback"
"""

INVALID = """\
[defaults]
timeout_s = "six"

[menu.main]
prompts = []
retries = 0
colour = "blue"

[menu.main.keys]
1 = "flow:feedback"
A = "hangup"
"""

CASES = {
    "unreachable": (UNREACHABLE, """\
menus.toml:7: menu orphan: unreachable: no key or fallback leads here from 'main'
"""),
    "dangling": (DANGLING, """\
menus.toml:3: menu main: fallback leads to missing menu 'help'
menus.toml:6: menu main: key 1 leads to missing menu 'covid'
menus.toml:8: menu main: key 3: unknown target 'transfer'; use menu:<id>, flow:<route>, operator or hangup
"""),
    "duplicate": (DUPLICATE, """\
menus.toml:7: menu main: key 1 is declared twice (first on line 5)
menus.toml:8: menu main: key * duplicates the repeat key every menu has
menus.toml:9: menu main: key 0 duplicates the operator key every menu has
"""),
    "no way out": (NO_WAY_OUT, """\
menus.toml:9: menu info: no way out: no key leads, directly or through other menus, to a flow, the operator or hangup (0 aside)
menus.toml:12: menu a: no way out: fallbacks loop (a > b > a); a silent caller would never leave
"""),
    "missing prompts": (MISSING_PROMPTS, """\
menus.toml:2: defaults: prompt 'wrong-key' is missing from the catalog (vi, en)
menus.toml:5: menu main: prompt 'no-such-prompt' is missing from the catalog (vi, en)
menus.toml:6: menu main: prompt 'silence' is missing from the catalog (vi, en)
"""),
    "invalid": (INVALID, """\
menus.toml:2: defaults: `timeout_s` must be a number of seconds above 0
menus.toml:5: menu main: `prompts` must be a non-empty list of prompt ids
menus.toml:6: menu main: `retries` must be a whole number, 1 or more
menus.toml:7: menu main: unknown field 'colour'; fields are fallback, footer, invalid, keys, prompts, retries, timeout, timeout_s
menus.toml:11: menu main: key 'A' is not a phone key (0-9, *, #)
"""),
    "no root": ('[menu.start]\nprompts = ["main-menu"]\n\n[menu.start.keys]\n1 = "hangup"\n', """\
menus.toml: file: no root menu: add a [menu.main] section
"""),
}  # fmt: skip


@pytest.mark.parametrize("kind", CASES)
def test_each_kind_of_problem(kind):
    menus, expected = CASES[kind]
    result = check(menus)
    assert result.exit_code == 1
    assert result.output == expected


def test_a_flow_no_route_answers():
    result = check(
        '[menu.main]\nprompts = ["main-menu"]\nfallback = "flow:help"\n\n'
        '[menu.main.keys]\n1 = "flow:feedback"\n2 = "flow:vaccination"\n'
    )
    assert result.exit_code == 1
    assert result.output == (
        "menus.toml:3: menu main: fallback leads to flow 'help', which no registered flow answers\n"
        "menus.toml:7: menu main: key 2 leads to flow 'vaccination', which no registered flow answers\n"
    )


def test_the_real_routes_are_those_of_ivr_flows():
    from ivr.flows import ROUTES

    assert real_known_routes() == frozenset(ROUTES)


def test_a_prompt_missing_in_one_language_only():
    catalog = CATALOG.replace('no-input = { vi = "Chưa bấm phím", en = "No key" }', "")
    catalog += 'no-input = { vi = "Chưa bấm phím" }\n'
    result = check(
        '[menu.main]\nprompts = ["main-menu"]\n\n[menu.main.keys]\n1 = "hangup"\n', catalog
    )
    assert result.exit_code == 1
    assert (
        result.output
        == "menus.toml: defaults: prompt 'no-input' is missing from the catalog (en)\n"
    )


def test_not_toml():
    result = check("[menu.main\n")
    assert result.exit_code == 1
    assert result.output.startswith("menus.toml: file: not valid TOML: ")
    assert len(result.output.splitlines()) == 1


def test_missing_file_is_an_error_line():
    result = CliRunner().invoke(main, ["menu", "check", "--file", "/nonexistent/menus.toml"])
    assert result.exit_code == 1
    assert result.output == "Error: /nonexistent/menus.toml: menus file not found\n"

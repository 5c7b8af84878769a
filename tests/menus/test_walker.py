"""The pure menu engine: keys, repeats, wrong keys, timeouts, fallbacks and the path taken."""

from __future__ import annotations

import textwrap

import pytest

from ivr.menus import Ask, Exit, MenuError, MenuWalker, WalkerStateError, load_menus

TREE = """\
[defaults]
timeout_s = 5
retries = 3

[menu.main]
prompts = ["main-menu"]

[menu.main.keys]
1 = "menu:covid"
2 = "flow:feedback"
"#" = "hangup"

[menu.covid]
prompts = ["covid-menu"]
timeout_s = 8.5
retries = 2
fallback = "menu:main"

[menu.covid.keys]
1 = "flow:declaration"
9 = "menu:main"
"""


@pytest.fixture
def tree(tmp_path):
    path = tmp_path / "menus.toml"
    path.write_text(TREE, encoding="utf-8")
    return load_menus(path)


def test_first_ask_is_the_menu_with_its_footer_and_the_reserved_keys(tree):
    ask = MenuWalker(tree).current()
    assert ask == Ask(("main-menu", "menu-footer"), 5.0, frozenset("0*12#"), "main")


def test_a_key_leads_to_a_sub_menu_and_then_to_a_flow(tree):
    walker = MenuWalker(tree)
    ask = walker.press("1")
    assert ask == Ask(("covid-menu", "menu-footer"), 8.5, frozenset("0*19"), "covid")
    assert walker.current() == ask
    assert walker.press("1") == Exit("flow:declaration")
    assert walker.path == ["main", "covid", "flow:declaration"]
    assert walker.exit == Exit("flow:declaration")


def test_zero_is_the_operator_everywhere(tree):
    walker = MenuWalker(tree)
    walker.press("1")
    assert walker.press("0") == Exit("operator")
    assert walker.path == ["main", "covid", "operator"]


def test_hash_can_be_declared(tree):
    assert MenuWalker(tree).press("#") == Exit("hangup")


def test_star_repeats_the_menu(tree):
    walker = MenuWalker(tree)
    assert walker.press("*").prompts == ("main-menu", "menu-footer")
    assert walker.path == ["main"]


def test_wrong_key_plays_the_invalid_prompt_then_the_menu(tree):
    ask = MenuWalker(tree).press("7")
    assert ask.prompts == ("invalid-key", "main-menu", "menu-footer")
    assert ask.menu_id == "main"


@pytest.mark.parametrize("timeout", [None, ""])
def test_timeout_plays_the_timeout_prompt_then_the_menu(tree, timeout):
    ask = MenuWalker(tree).press(timeout)
    assert ask.prompts == ("no-input", "main-menu", "menu-footer")


def test_retries_failures_in_a_row_reach_the_operator(tree):
    walker = MenuWalker(tree)
    assert isinstance(walker.press("7"), Ask)
    assert isinstance(walker.press(None), Ask)
    assert walker.press("8") == Exit("operator")
    assert walker.path == ["main", "operator"]


def test_a_good_key_resets_the_count(tree):
    walker = MenuWalker(tree)
    walker.press("7")
    walker.press("7")
    walker.press("*")
    assert isinstance(walker.press("7"), Ask)
    assert isinstance(walker.press("7"), Ask)
    assert walker.press("7") == Exit("operator")


def test_a_menu_fallback_goes_to_that_menu_and_counts_afresh(tree):
    walker = MenuWalker(tree)
    walker.press("1")
    walker.press(None)
    ask = walker.press(None)  # covid allows 2 retries, then falls back to main
    assert ask.menu_id == "main" and ask.prompts == ("main-menu", "menu-footer")
    assert isinstance(walker.press(None), Ask)
    assert walker.path == ["main", "covid", "main"]


def test_back_to_main(tree):
    walker = MenuWalker(tree)
    walker.press("1")
    assert walker.press("9").menu_id == "main"
    assert walker.press("2") == Exit("flow:feedback")
    assert walker.path == ["main", "covid", "main", "flow:feedback"]


def test_no_keys_after_the_end(tree):
    walker = MenuWalker(tree)
    walker.press("0")
    with pytest.raises(WalkerStateError, match="ended at 'operator'"):
        walker.press("1")
    with pytest.raises(WalkerStateError):
        walker.current()


def test_start_elsewhere(tree):
    assert MenuWalker(tree, start="covid").current().menu_id == "covid"
    with pytest.raises(ValueError, match="no menu 'nowhere'"):
        MenuWalker(tree, start="nowhere")


def test_shipped_menus_load_and_every_menu_offers_operator_and_repeat():
    tree = load_menus()
    assert tree.root == "main" and "main" in tree.menus
    for menu_id in tree.menus:
        digits = MenuWalker(tree, start=menu_id).current().digits
        assert {"0", "*"} <= digits


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[menu.other]\nprompts = ['x']\n", ": file: no root menu: add a [menu.main]"),
        (
            '[menu.main]\nprompts = ["x"]\n\n[menu.main.keys]\n1 = "menu:gone"\n',
            ":5: menu main: key 1 leads to missing menu 'gone'",
        ),
        (
            '[menu.main]\nprompts = ["x"]\nretries = 0\n',
            ":3: menu main: `retries` must be a whole number, 1 or more",
        ),
        (
            '[menu.main]\nprompts = ["x"]\n\n[menu.main.keys]\n0 = "hangup"\n',
            ":5: menu main: key 0 duplicates the operator key every menu has",
        ),
        ("[menu.main\n", ": file: not valid TOML"),
    ],
)
def test_a_bad_file_names_file_line_and_menu(tmp_path, text, message):
    path = tmp_path / "menus.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(MenuError) as info:
        load_menus(path)
    assert str(info.value).startswith(f"{path}{message}")


def test_missing_file(tmp_path):
    with pytest.raises(MenuError, match="menus file not found"):
        load_menus(tmp_path / "nope.toml")

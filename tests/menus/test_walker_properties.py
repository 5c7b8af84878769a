"""Any key sequence on the shipped menus: only Ask or Exit, and a silent caller reaches a human."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ivr.menus import Ask, Exit, MenuWalker, load_menus

keys = st.lists(st.sampled_from([*"0123456789*#", None, "", "12"]), max_size=40)


@given(keys)
def test_any_keys_give_ask_or_exit(presses):
    tree = load_menus()
    walker = MenuWalker(tree)
    for key in presses:
        step = walker.press(key)
        if isinstance(step, Exit):
            assert walker.path[-1] == step.target
            assert step.target == "operator" or step.target.startswith(("flow:", "hangup"))
            return
        assert isinstance(step, Ask)
        assert step.menu_id in tree.menus and walker.path[-1] == step.menu_id
        assert step.prompts and {"0", "*"} <= step.digits


@given(st.sampled_from(sorted(load_menus().menus)), st.sampled_from([None, "", "8"]))
def test_a_caller_who_cannot_use_the_keypad_reaches_the_operator(start, key):
    tree = load_menus()
    walker = MenuWalker(tree, start)
    steps = [walker.press(key) for _ in range(tree.menus[start].retries)]
    assert all(isinstance(s, Ask) for s in steps[:-1])
    assert steps[-1] == Exit("operator")

"""pbxsim is the PBX: replaceable by a real Asterisk, so it cannot lean on our code."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PBXSIM = Path(__file__).resolve().parents[2] / "pbxsim"
OURS = {"ivr", "dialer", "store", "cli", "reports"}
MODULES = sorted(PBXSIM.glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_pbxsim_imports_only_the_standard_library_and_itself(path):
    allowed = set(sys.stdlib_module_names) | {"pbxsim", "__future__"}
    if path.name == "cli.py":
        allowed.add("click")
    assert imported(path) - allowed == set()
    assert not imported(path) & OURS

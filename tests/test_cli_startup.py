"""`hotline` starts quickly: a command loads only what it uses (rule in cli/commands.py).

Each case runs the real `hotline` entry point in a fresh interpreter and lists the modules
it loaded; the database layer, the IVR's flows and asyncio servers are for the commands
that use them.
"""

import json
import subprocess
import sys

import pytest

from cli import main
from cli.commands import COMMANDS, load

HEAVY = ("sqlalchemy", "alembic", "asyncio", "phonenumbers", "psycopg", "panoramisk",
         "asterisk", "apscheduler", "pydub", "ivr.flows", "store.db", "store.models",
         "store.migrate", "pbxsim.sim")  # fmt: skip
PROBE = """
import sys
from cli import main
try:
    main(sys.argv[1:], prog_name="hotline")
except SystemExit:
    pass
print("\\nloaded:", " ".join(sorted(sys.modules)))
"""


def loaded_by(*args: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    ).stdout
    return set(out.rsplit("\nloaded: ", 1)[1].split())


@pytest.mark.parametrize("args", [["--help"], ["say", "1879"], ["menu", "check"]])
def test_quick_commands_load_no_heavy_module(args):
    heavy = {m for m in loaded_by(*args) if m.startswith(HEAVY)}
    assert not heavy, f"hotline {' '.join(args)} loads {sorted(heavy)}"


def test_a_command_loads_its_own_module_only():
    modules = loaded_by("say", "1879")
    assert "cli.speech_cmds" in modules
    assert not modules & {m for m, _ in COMMANDS if m != "cli.speech_cmds"}


def test_a_database_command_still_gets_its_database_layer(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    assert {"sqlalchemy", "store.migrate"} <= loaded_by("--database-url", url, "db", "init")


def test_every_registration_names_its_command_and_no_name_is_taken_twice():
    """`hotline X` finds X's module by the attribute name without importing the others."""
    names = [load(module, attribute).name for module, attribute in COMMANDS]
    assert names == [attribute.replace("_", "-") for _, attribute in COMMANDS]
    assert len(set(names)) == len(names)


def test_help_lists_every_registered_command():
    ctx = main.make_context("hotline", ["--help"], resilient_parsing=True)
    assert main.list_commands(ctx) == sorted(a.replace("_", "-") for _, a in COMMANDS)


SUBCOMMANDS = """
import importlib, json, sys
import click
from cli.commands import COMMANDS

def tree(command):
    if not isinstance(command, click.Group):
        return None
    return {name: tree(sub) for name, sub in sorted(command.commands.items())}

module, attribute = sys.argv[1:]
alone = tree(getattr(importlib.import_module(module), attribute))
for other, _ in COMMANDS:
    importlib.import_module(other)
print(json.dumps([alone, tree(getattr(importlib.import_module(module), attribute))]))
"""


@pytest.mark.parametrize("module,attribute", COMMANDS, ids=[a for _, a in COMMANDS])
def test_a_group_has_all_its_subcommands_without_the_other_modules(module, attribute):
    """`hotline X` imports X's module only: a subcommand that another module attaches to X
    on import would be missing. Define subcommands in the group's own module."""
    out = subprocess.run(
        [sys.executable, "-c", SUBCOMMANDS, module, attribute],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    alone, with_all = json.loads(out)
    assert alone == with_all

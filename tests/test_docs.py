"""Every command a supervisor can type has help, and the README shows the newcomer's two."""

from pathlib import Path

import click
import pytest

from cli import main

ROOT = Path(__file__).resolve().parents[1]


def walk(command: click.Command, path: tuple[str, ...] = ()):
    """Every command under `command`, through click's own lookup (the groups are lazy)."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1] if path else "hotline")
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), (*path, name))


COMMANDS = [(" ".join(p), c) for p, c in walk(main) if p]


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help(name, command):
    assert command.help and command.help.strip(), f"hotline {name} has no help text"


def test_readme_opens_with_the_two_newcomer_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("\n## ")]
    assert "make demo" in head and "make test" in head

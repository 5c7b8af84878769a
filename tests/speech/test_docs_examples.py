"""The shell sessions in docs/speech.md are replayed: what the page shows is what you get."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "speech.md"


def sessions() -> list[list[tuple[str, list[str]]]]:
    """Each fenced block that starts with `$ `, as (command, output lines) pairs."""
    blocks = re.findall(r"```\n(\$ .*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    out = []
    for block in blocks:
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
        out.append(steps)
    return out


def test_the_page_has_sessions():
    commands = [cmd for steps in sessions() for cmd, _ in steps]
    assert any(c.startswith("hotline say") for c in commands)
    assert any(c.startswith("hotline menu check") for c in commands)


@pytest.mark.parametrize("steps", sessions())
def test_session(steps, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Route registration belongs to ivr.flows and is tested in tests/menus.
    monkeypatch.setattr("cli.speech_cmds.known_routes", lambda: None)
    exit_code = None
    for command, expected in steps:
        args = shlex.split(command)
        if args[0] == "cat":
            Path(args[1]).write_text("\n".join(expected) + "\n", encoding="utf-8")
        elif args == ["echo", "$?"]:
            assert expected == [str(exit_code)]
        else:
            assert args[0] == "hotline", command
            result = CliRunner().invoke(main, args[1:])
            assert result.output.splitlines() == expected, command
            exit_code = result.exit_code

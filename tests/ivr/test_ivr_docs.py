"""docs/ivr.md tells the truth: its `hotline simulate` sessions are replayed verbatim."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main as hotline

DOC = Path(__file__).resolve().parents[2] / "docs" / "ivr.md"
BLOCK = re.compile(r"```\n\$ (hotline simulate[^\n]*)\n(.*?)```", re.S)
SESSIONS = BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_simulate_sessions():
    assert len(SESSIONS) >= 2


@pytest.mark.parametrize(("command", "output"), SESSIONS, ids=[c for c, _ in SESSIONS])
def test_simulate_session_in_the_doc(command, output):
    result = CliRunner().invoke(hotline, shlex.split(command)[1:])
    assert result.exit_code == 0
    assert result.output == output

"""asterisk-config/ as a PBX team installs it: a real Asterisk loads it cleanly, every context
is in its dialplan, the [globals] block is the one place for hosts, ports and trunks, and
asterisklint passes on every file."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from real_asterisk import OVERLAY, SHIPPED

LINT = Path(__file__).resolve().parents[1] / "support" / "asterisk_lint.py"
CONTEXTS = {
    "hotline-inbound",
    "hotline-outbound",
    "hotline-operator",
    "hotline-error",
    "hotline-callout",
}
CONFIG_FILES = sorted(SHIPPED.glob("*.conf")) + [OVERLAY / "test-network.conf"]


def shipped_contexts() -> set[str]:
    text = (SHIPPED / "extensions.conf").read_text(encoding="utf-8")
    return set(re.findall(r"^\[([^\]]+)\]", text, re.M)) - {"general", "globals"}


def test_the_shipped_files_are_there():
    names = {p.name for p in SHIPPED.glob("*.conf")}
    assert {"extensions.conf", "manager.conf", "queues.conf", "pjsip.conf"} <= names
    assert (SHIPPED / "README.md").is_file()
    assert shipped_contexts() == CONTEXTS


def test_asterisk_boots_on_the_shipped_files_without_a_warning_or_error(asterisk):
    assert asterisk.log_problems(0, until=asterisk.boot_mark) == []
    assert "hotline-operators" in asterisk.rx("queue show hotline-operators")
    users = asterisk.rx("manager show user hotline-dialer")
    assert re.search(r"read perm: call\s*$", users, re.M), users
    assert re.search(r"write perm: reporting,originate\s*$", users, re.M), users
    assert "secret: <Set>" in users  # read from hotline-ami-secret.conf


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_dialplan_show_has_every_context(asterisk, context):
    shown = asterisk.rx(f"dialplan show {context}")
    assert f"Context '{context}' created by 'pbx_config'" in shown, shown
    assert "[extensions.conf:" in shown  # from the shipped file itself


def test_the_log_check_sees_a_broken_dialplan(pbx):
    pbx.set_dialplan("broken", "[test-broken]\nexten => s,1,NoOp(\nthis is not a line\n")
    deadline = time.monotonic() + 10  # the log reaches the disk a moment after the reload
    while not pbx.log_problems(pbx.mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pbx.log_problems(pbx.mark), "a broken dialplan left no WARNING or ERROR"


def test_hosts_ports_and_trunks_live_in_globals_only():
    text = (SHIPPED / "extensions.conf").read_text(encoding="utf-8")
    globals_block = text.split("\n[globals]\n", 1)[1].split("\n[", 1)[0]
    contexts = text.split("\n[globals]\n", 1)[1][len(globals_block) :]
    for literal in ("127.0.0.1", "4573", "hotline-trunk", "hotline-operators", "PJSIP"):
        assert literal in globals_block
        code = [line for line in contexts.splitlines() if not line.lstrip().startswith(";")]
        assert not [line for line in code if literal in line], literal


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.name)
def test_asterisklint_passes(path):
    pytest.importorskip("asterisklint", reason="asterisklint is in the test extras")
    done = subprocess.run([sys.executable, str(LINT), str(path)], capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_asterisklint_catches_a_broken_dialplan(tmp_path):
    pytest.importorskip("asterisklint", reason="asterisklint is in the test extras")
    broken = tmp_path / "extensions.conf"
    broken.write_text(
        "[general]\n[broken]\nexten => s,1,Goto(nowhere,s,1)\n same => n,Plaback(x)\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(LINT), str(broken)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Plaback" in done.stderr + done.stdout


def test_the_readme_shows_what_dialplan_show_prints(asterisk):
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    after = readme.split("`dialplan show hotline-outbound` prints", 1)[1]
    block = after.split("```\n", 1)[1].split("```", 1)[0]
    shown = [line[3:].rstrip() for line in block.rstrip().splitlines()]
    printed = asterisk.rx("dialplan show hotline-outbound").strip("\n").splitlines()
    assert shown == [line.rstrip() for line in printed]

"""One flow, three drivers: the same calls under FastAGI, classic AGI and the console."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from agi_fakes import ScriptedAsterisk, dial, header_block
from click.testing import CliRunner

from cli import main as hotline
from ivr.catalog import load_catalog
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES

HOTLINE = str(Path(sys.executable).with_name("hotline"))
SOUNDS = "/var/lib/hotline/sounds"

# (route, keys): what the caller does. Each scenario runs under every driver.
SCENARIOS = {
    "procedures": ("ivr", ["1", "2"]),
    "operator": ("ivr", ["0"]),
    "wrong-key-timeout-language": ("ivr", ["7", "", "9", "*"]),
    "three-timeouts": ("ivr", ["", "", ""]),
    "back-to-main": ("ivr", ["1", "9", "1", "4"]),
    "readback": ("readback", []),
}

EXPECTED_PROCEDURES = [
    "play vi/welcome",
    "play vi/main-menu",
    "play vi/menu-footer",
    "key 1",
    "play vi/procedures-menu",
    "play vi/menu-footer",
    "key 2",
    "play vi/procedure-residence",
    "play vi/procedure-more-info",
    "play vi/procedures-menu",
    "play vi/menu-footer",
    "caller hangs up",
]


class Recorder(ScriptedAsterisk):
    """The scripted Asterisk, logging the language folder of each prompt too."""

    def reply(self, line: str) -> str:
        before = len(self.log)
        out = super().reply(line)
        if len(self.log) > before and self.log[before].startswith("play "):
            lang = line.split("/")[-2]
            self.log[before] = self.log[before].replace("play ", f"play {lang}/")
        return out


async def over_fastagi(route: str, keys: list[str]) -> list[str]:
    server = FastAgiServer(ROUTES, port=0, sounds_dir=SOUNDS)
    port = await server.start()
    try:
        fake = await dial(port, Recorder(list(keys)), header_block(route))
    finally:
        await server.close()
    assert all(SOUNDS + "/" in c for c in fake.commands if c.startswith(("STREAM", "GET DATA")))
    return fake.log


async def over_stdio(route: str, keys: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        HOTLINE, "agi", "stdio", route, "--sounds-dir", SOUNDS,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    fake = Recorder(list(keys))
    header = header_block(route).replace(b"agi_network: yes\n", b"")
    proc.stdin.write(header)
    while line := await asyncio.wait_for(proc.stdout.readline(), 20):
        assert line.endswith(b"\n") and b"\r" not in line
        proc.stdin.write(fake.reply(line[:-1].decode()).encode())
    assert await asyncio.wait_for(proc.wait(), 20) == 0
    return fake.log


def over_console(route: str, keys: list[str], lang: str = "vi") -> list[str]:
    result = CliRunner().invoke(hotline, ["simulate", "--route", route, "--keys", ",".join(keys)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def as_console_lines(log: list[str], route: str) -> list[str]:
    """The scripted Asterisk's log, written the way `hotline simulate` shows it."""
    catalog = load_catalog()
    out = [f"[call] route {route}, caller 0905123456, language vi"]
    for entry in log:
        kind, _, rest = entry.partition(" ")
        if kind == "play":
            lang, pid = rest.split("/")
            out.append(f"[play] {pid}: {catalog.text(pid, lang)}")
        elif kind == "key":
            out.append(f"[keys] {rest}")
        elif kind == "exec":
            out.append(f"[exec] {rest}")
        else:
            out.append({"hangup": "[hangup] by the IVR", "caller": "[hangup] caller hung up"}[kind])
    return out


@pytest.fixture(scope="module")
def fastagi_logs():
    return {name: asyncio.run(over_fastagi(*s)) for name, s in SCENARIOS.items()}


def test_procedures_walk_is_what_a_caller_hears(fastagi_logs):
    assert fastagi_logs["procedures"] == EXPECTED_PROCEDURES


def test_operator_wrong_keys_timeouts_and_language(fastagi_logs):
    assert fastagi_logs["operator"][-2:] == ["play vi/transfer-operator",
                                             "exec Goto hotline-operator,s,1"]  # fmt: skip
    lang = fastagi_logs["wrong-key-timeout-language"]
    assert "play vi/invalid-key" in lang and "play vi/no-input" in lang
    assert lang[lang.index("key 9") + 1 :][:3] == [
        "play en/main-menu", "play en/menu-footer", "key *",
    ]  # fmt: skip
    timeouts = fastagi_logs["three-timeouts"]
    assert timeouts.count("play vi/no-input") == 2
    assert timeouts[-1] == "exec Goto hotline-operator,s,1"
    assert fastagi_logs["back-to-main"][-6:-2] == [
        "key 4", "play vi/procedure-business", "play vi/procedure-more-info",
        "play vi/procedures-menu",
    ]  # fmt: skip


@pytest.mark.parametrize("name", SCENARIOS)
def test_classic_agi_runs_the_same_calls(name, fastagi_logs):
    assert asyncio.run(over_stdio(*SCENARIOS[name])) == fastagi_logs[name]


@pytest.mark.parametrize("name", SCENARIOS)
def test_console_runs_the_same_calls(name, fastagi_logs):
    route, keys = SCENARIOS[name]
    assert over_console(route, keys) == as_console_lines(fastagi_logs[name], route)


def test_classic_agi_sighup_counts_as_a_hangup():
    async def main():
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "stdio", "ivr",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        fake = Recorder(["1", "2"])
        proc.stdin.write(header_block("ivr"))
        commands = []
        while line := await asyncio.wait_for(proc.stdout.readline(), 20):
            commands.append(line.decode())
            if line.startswith((b"GET DATA", b"WAIT FOR DIGIT")):
                # Asterisk's classic-AGI hangup signal; pending before the reply is written,
                # so the child's handler runs before it reads that reply
                proc.send_signal(signal.SIGHUP)
            proc.stdin.write(fake.reply(line[:-1].decode()).encode())
        assert await asyncio.wait_for(proc.wait(), 20) == 0
        return commands

    commands = asyncio.run(main())
    assert commands[-1].startswith("WAIT FOR DIGIT")  # nothing sent after the hangup


def test_a_database_flow_under_all_three_drivers(tmp_path):
    """COVID menu -> declaration (yes, no, no, no, one person, no operator): one complete
    declaration per driver."""
    import sqlalchemy as sa

    from store.db import make_engine, session_factory
    from store.migrate import upgrade
    from store.models import Declaration

    url = f"sqlite:///{tmp_path / 'h.db'}"
    engine = make_engine(url)
    upgrade(engine)
    keys = ["3", "1", "1", "2", "2", "2", "1#", "2"]

    async def fastagi() -> list[str]:
        server = FastAgiServer(ROUTES, port=0, sessions=session_factory(engine))
        port = await server.start()
        try:
            return (await dial(port, Recorder(list(keys)), header_block("ivr"))).log
        finally:
            await server.close()

    async def stdio() -> list[str]:
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "--database-url", url, "agi", "stdio", "ivr",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        fake = Recorder(list(keys))
        proc.stdin.write(header_block("ivr"))
        while line := await asyncio.wait_for(proc.stdout.readline(), 20):
            proc.stdin.write(fake.reply(line[:-1].decode()).encode())
        assert await asyncio.wait_for(proc.wait(), 20) == 0
        return fake.log

    def without_numbers(lines: list[str]) -> list[str]:  # the confirmation code is random
        return [x for x in lines if not re.search(r"\b(num-\d+|pause)\b", x)]

    via_fastagi = asyncio.run(fastagi())
    assert "play vi/confirmation-code-is" in via_fastagi
    assert without_numbers(asyncio.run(stdio())) == without_numbers(via_fastagi)
    result = CliRunner().invoke(
        hotline, ["--database-url", url, "simulate", "--keys", ",".join(keys)]
    )
    assert result.exit_code == 0, result.output
    assert without_numbers(result.output.splitlines()) == without_numbers(
        as_console_lines(via_fastagi, "ivr")
    )
    with session_factory(engine)() as s:
        rows = s.scalars(sa.select(Declaration)).all()
    assert [(r.complete, r.answers["symptoms"], r.answers["fever"]) for r in rows] == [
        (True, True, False)
    ] * 3
    assert len({r.confirmation_code for r in rows}) == 3
    engine.dispose()

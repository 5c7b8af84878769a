"""`hotline agi serve` as Asterisk's admin runs it: a real process, a call, then SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from agi_fakes import ScriptedAsterisk, dial, header_block
from click.testing import CliRunner

from cli import main as hotline

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def test_serve_answers_a_call_and_stops_gracefully_on_sigterm():
    async def main():
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "serve", "--port", "0", "--grace", "5",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert first.startswith("FastAGI listening on 127.0.0.1:"), first
        port = int(first.split(":")[1].split(";")[0])
        fake = await dial(port, ScriptedAsterisk(["0"]), header_block("ivr"))
        assert fake.log[-1] == "exec Goto hotline-operator,s,1"
        proc.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(proc.stdout.read(), 20)).decode()
        assert await proc.wait() == 0
        return rest, (await proc.stderr.read()).decode()

    rest, err = asyncio.run(main())
    assert rest.splitlines() == [
        "accepting connections from loopback only",
        "stopping: 0 call(s) in progress, grace 5s",
        "stopped after 1 call(s)",
    ]
    assert "Traceback" not in err


def test_simulate_rejects_an_unknown_route():
    result = CliRunner().invoke(hotline, ["simulate", "--route", "nope"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no route 'nope'; choose one of: bulletin, ")
    assert ", ivr, " in result.output


def test_serve_on_a_busy_port_is_one_line():
    async def main():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "serve", "--port", str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        server.close()
        return proc.returncode, err.decode()

    code, err = asyncio.run(main())
    assert code == 1
    assert err.startswith("Error: cannot listen on 127.0.0.1:") and "--port" in err
    assert "Traceback" not in err

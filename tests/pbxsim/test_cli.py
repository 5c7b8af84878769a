"""`hotline pbxsim run` as an operator runs it: a real process, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys

from pbxsim_helpers import WAIT, FlowAgi, RawAmi, run, until, value

HOTLINE = [sys.executable, "-c", "from cli import main; main()"]


def test_run_serves_ami_until_sigterm_then_prints_what_it_did():
    proc = subprocess.Popen(
        [
            *HOTLINE,
            "pbxsim",
            "run",
            "--ami-port",
            "0",
            "--secret",
            "s3cret",
            "--scale",
            "0",
            "--last-digit-outcomes",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        port = int(re.search(r"AMI on 127\.0\.0\.1:(\d+)", first).group(1))
        assert "s3cret" not in first and "fates by last digit" in first

        async def busy_call():
            client = await RawAmi.connect(port)
            await client.send([("Action", "Login"), ("Username", "hotline"), ("Secret", "s3cret")])
            await client.read()
            await client.send(
                [
                    ("Action", "Originate"),
                    ("Channel", "PJSIP/0905123452@trunk"),
                    ("Context", "hotline-outbound"),
                    ("Exten", "s"),
                    ("Async", "true"),
                    ("ActionID", "o1"),
                ]
            )
            seen = await until(client, lambda m: value(m, "Event") == "OriginateResponse")
            await client.close()
            return value(seen[-1], "Reason")

        assert run(busy_call()) == "5"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out == "pbxsim: stopped; 1 originated (1 busy), 0 inbound\n"


def test_a_busy_port_is_one_error_line_and_exit_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*HOTLINE, "pbxsim", "run", "--ami-port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_inbound_calls_reach_the_ivr_route_and_are_counted():
    async def scenario():
        async def ivr(call):
            await call.cmd("ANSWER")
            await call.cmd("HANGUP")

        agi = FlowAgi(ivr)
        port = await agi.start()
        proc = await asyncio.create_subprocess_exec(
            *HOTLINE,
            "pbxsim",
            "run",
            "--ami-port",
            "0",
            "--scale",
            "0",
            "--agi-url",
            f"agi://127.0.0.1:{port}",
            "--inbound-calls",
            "3",
            stdout=asyncio.subprocess.PIPE,
        )
        await proc.stdout.readline()
        while agi.finished < 3:
            await asyncio.wait_for(agi.served.wait(), WAIT)
            agi.served.clear()
        proc.send_signal(signal.SIGTERM)
        out = await asyncio.wait_for(proc.stdout.read(), WAIT)
        await proc.wait()
        agi.close()
        return proc.returncode, out.decode(), agi.calls

    code, out, calls = run(scenario())
    assert code == 0
    assert out == "pbxsim: stopped; 0 originated (none), 3 inbound\n"
    assert {c.header["agi_network_script"] for c in calls} == {"ivr"}
    assert len({c.header["agi_callerid"] for c in calls}) == 3


def test_an_agi_url_that_is_not_agi_is_a_usage_error():
    done = subprocess.run(
        [*HOTLINE, "pbxsim", "run", "--agi-url", "http://127.0.0.1:4573"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 2
    assert "Invalid value for '--agi-url': 'http://127.0.0.1:4573' is not agi://host[:port]" in (
        done.stderr
    )

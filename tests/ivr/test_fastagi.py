"""The FastAGI server over loopback TCP, against a fake Asterisk written from the traces."""

from __future__ import annotations

import asyncio
import logging

import pytest
from agi_fakes import ScriptedAsterisk, dial, header_block

from ivr.channel import Channel
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES


async def boom(channel: Channel) -> None:
    await channel.answer()
    raise RuntimeError("a bug in a flow")


async def note_caller(channel: Channel) -> None:
    await channel.answer()
    await channel.set_variable("CALLER_NAME", channel.request.get("calleridname"))
    await channel.hangup()


async def held(channel: Channel) -> None:
    await channel.answer()
    for _ in range(3):
        await channel.play(["please-wait"])
    await channel.hangup()


TEST_ROUTES = {**ROUTES, "boom": boom, "note-caller": note_caller, "held": held}


def with_server(test, **kw):
    async def main():
        server = FastAgiServer(TEST_ROUTES, port=0, **kw)
        port = await server.start()
        try:
            return await asyncio.wait_for(test(server, port), 20)
        finally:
            await server.close(grace=1)

    return asyncio.run(main())


def test_a_call_ends_with_the_server_closing_the_socket():
    async def test(server, port):
        fake = await dial(port, ScriptedAsterisk([]), header_block("readback"))
        assert fake.log[0] == "play you-entered" and fake.log[-1] == "hangup"
        await server.wait_idle()
        assert server.outcomes == {"done": 1}

    with_server(test)


def test_flow_bug_plays_apology_and_transfers(caplog):
    async def test(server, port):
        fake = await dial(port, ScriptedAsterisk([]), header_block("boom"))
        assert fake.log == [
            "play error-apology",
            "play transfer-operator",
            "exec Goto hotline-operator,s,1",
        ]
        await server.wait_idle()
        assert server.outcomes == {"error": 1}

    with caplog.at_level(logging.ERROR, "hotline.ivr"):
        with_server(test)
    assert [r.exc_info[0] for r in caplog.records] == [RuntimeError]


def test_unknown_route_apologises_and_transfers_to_the_configured_operator():
    async def test(server, port):
        fake = await dial(port, ScriptedAsterisk([]), header_block("nope?x=1"))
        assert fake.log[-1] == "exec Dial PJSIP/operator,30"
        assert fake.commands[-1] == 'EXEC Dial "PJSIP/operator,30"'

    with_server(test, operator="Dial:PJSIP/operator,30")


def test_peer_closing_before_the_header_ends_costs_nothing(caplog):
    async def test(server, port):
        for data in (b"", b"agi_network: yes\nagi_network_scr"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            writer.close()
            assert await reader.read() == b""  # the server closed its side too
        await server.wait_idle()
        fake = await dial(port, ScriptedAsterisk(["0"]), header_block("ivr"))
        assert fake.log[-1] == "exec Goto hotline-operator,s,1"
        assert server.calls_started == 1

    with caplog.at_level(logging.INFO):
        with_server(test)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_silent_peer_is_dropped_after_the_read_timeout():
    async def test(server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"agi_network: yes\n")
        assert await asyncio.wait_for(reader.read(), 5) == b""
        await server.wait_idle()
        assert server.calls_started == 0

    with_server(test, read_timeout=0.2)


def test_exit_on_hangup_two_hangups_then_eof():
    """ivr-exit-on-hangup.agi: the caller hangs up waiting for a key; Asterisk closes the
    socket."""

    async def test(server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(header_block("ivr"))
        fake = ScriptedAsterisk(["1"])
        while not (line := (await reader.readline()).decode()).startswith("WAIT FOR DIGIT"):
            writer.write(fake.reply(line[:-1]).encode())
        writer.write(b"HANGUP\nHANGUP\n\n")
        writer.close()
        await server.wait_idle()
        assert server.outcomes == {"hangup": 1}

    with_server(test)


def test_hangup_then_511_ends_the_flow():
    async def test(server, port):
        fake = await dial(port, ScriptedAsterisk(["1"]), header_block("ivr"))
        # keys ran out in the procedures menu: -1, then HANGUP + 511 for the probe
        assert fake.log[-1] == "caller hangs up"
        assert fake.commands[-1] == "CHANNEL STATUS"
        await server.wait_idle()
        assert server.outcomes == {"hangup": 1}

    with_server(test)


def test_cr_lf_in_caller_name_never_reaches_asterisk():
    async def test(server, port):
        header = header_block("note-caller").replace(
            b"agi_calleridname: Test Caller", b"agi_calleridname: Eve\rEXEC System rm"
        )
        fake = await dial(port, ScriptedAsterisk([]), header)
        assert not any("System" in c for c in fake.commands)
        assert fake.log[-1] == "exec Goto hotline-operator,s,1"  # apology + operator instead

    with_server(test)


def test_concurrent_calls():
    async def test(server, port):
        scenarios = [["1", "2"], ["0"], ["3", "9", "0"], ["7", "", "9"]] * 25
        fakes = await asyncio.gather(
            *(dial(port, ScriptedAsterisk(list(k)), header_block("ivr")) for k in scenarios)
        )
        for keys, fake in zip(scenarios, fakes, strict=True):
            assert fake.log == (await dial(port, ScriptedAsterisk(list(keys)), header_block())).log
        assert server.calls_started == 200

    with_server(test)


@pytest.mark.parametrize("grace", [5.0, 0.2])
def test_graceful_shutdown_with_a_call_in_progress(grace):
    async def test(server, port):
        reached, release = asyncio.Event(), asyncio.Event()

        async def gate(command: str) -> None:
            if command.startswith("STREAM FILE") and not reached.is_set():
                reached.set()
                await release.wait()

        call = asyncio.create_task(dial(port, ScriptedAsterisk([]), header_block("held"), gate))
        await reached.wait()
        closing = asyncio.create_task(server.close(grace=grace))
        await asyncio.sleep(0)  # let close() stop the listener
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)
        if grace > 1:
            release.set()
            fake = await call
            assert fake.log[-1] == "hangup"  # the call finished normally
            await closing
        else:
            await closing  # cut after the grace period; the fake sees EOF
            release.set()
            fake = await call
            assert "hangup" not in fake.log

    with_server(test)


def test_a_peer_silent_mid_call_is_cut_after_the_read_timeout(caplog):
    async def test(server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(header_block("readback"))
        assert await reader.readline() == b"ANSWER\n"  # ...and Asterisk never answers it
        assert await asyncio.wait_for(reader.read(), 5) == b""
        await server.wait_idle()
        assert server.outcomes == {"hangup": 1}

    with caplog.at_level(logging.WARNING):
        with_server(test, read_timeout=0.3)
    assert "peer silent for 0.3 s, waiting for ANSWER" in caplog.text

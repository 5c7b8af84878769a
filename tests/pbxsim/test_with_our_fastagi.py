"""Whole calls placed by pbxsim and served by our own FastAGI server (ivr.fastagi).

Only tests may import both: pbxsim stands where Asterisk would, unchanged ivr code serves.
"""

from __future__ import annotations

from pbxsim_helpers import RawAmi, fixture_sim, is_final_hangup, run, until, value

from ivr.channel import Channel
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES


def test_a_caller_walks_the_real_menus_to_the_operator(tmp_path):
    async def scenario():
        server = FastAgiServer(ROUTES, port=0, sounds_dir=str(tmp_path))
        sim = fixture_sim(await server.start(), sounds=None)
        try:
            return await sim.inbound_call("0905123456", "0")
        finally:
            await server.close(grace=1)
            await sim.close()

    transcript = run(scenario())
    assert transcript.heard[:2] == [f"{tmp_path}/vi/welcome", f"{tmp_path}/vi/main-menu"]
    assert f"{tmp_path}/vi/transfer-operator" in transcript.heard
    assert transcript.pressed == ["0"]
    assert any(line.startswith("> EXEC Goto") for line in transcript.lines)
    assert transcript.status == "SUCCESS"  # our server closed the socket itself


def test_an_outbound_notice_flow_hears_each_callee_as_asterisk_would():
    heard = {}

    async def notice(channel: Channel) -> None:
        await channel.answer()
        key = await channel.play(["notice"], escape="12")
        if key is None:
            key = (await channel.ask(["press-one"], timeout=8)).key
        heard[channel.args[0]] = key
        await channel.hangup()

    async def scenario():
        server = FastAgiServer({"notice": notice}, port=0)
        sim = fixture_sim(await server.start(), sounds=None)
        client = await RawAmi.connect(await sim.start(ami_port=0))
        await client.login()
        await client.read()
        results = {}
        for attempt, number in enumerate(["0905000001", "0905000009", "0905000005"], 1):
            await client.send(
                [
                    ("Action", "Originate"),
                    ("Channel", f"PJSIP/{number}@trunk"),
                    ("Context", "hotline-outbound"),
                    ("Exten", "s"),
                    ("Priority", "1"),
                    ("Async", "true"),
                    ("Variable", f"HOTLINE_ATTEMPT={attempt}"),
                    ("ChannelId", f"att-{attempt}"),
                    ("ActionID", f"o{attempt}"),
                ]
            )
            seen = await until(client, is_final_hangup(""))
            [resp] = [m for m in seen if value(m, "Event") == "OriginateResponse"]
            results[number] = (value(resp, "Reason"), value(seen[-1], "Cause"))
        await server.close(grace=1)
        await client.close()
        await sim.close()
        return results

    results = run(scenario())
    assert heard == {"1": "1", "2": "2"}  # the third hung up before the flow heard anything
    assert results == {
        "0905000001": ("4", "0"),
        "0905000009": ("4", "0"),
        "0905000005": ("4", "16"),
    }

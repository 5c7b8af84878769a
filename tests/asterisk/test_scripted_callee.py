"""The test network's digit 9: an outbound call, originated as the dialer does, is answered
by the scripted test caller, who listens to the PBX side and presses a key."""

from __future__ import annotations

import asyncio

from ami_client import AmiClient
from real_asterisk import DIALER_USER, TEST_NETWORK, TEST_USER
from scripted_caller import Listen, Press, ScriptedCaller

PROBE = """[test-probe]
exten => s,1,Playback(hello-world)
 same => n,Read(KEY,,1,,1,5)
 same => n,UserEvent(TestProbe,Key: ${KEY})
 same => n,Playback(beep)
 same => n,Hangup()
"""


def test_a_number_ending_in_9_is_answered_by_the_scripted_caller(pbx):
    pbx.set_dialplan("probe", PROBE)

    async def scenario():
        ami = await AmiClient.login(pbx.host, pbx.ami_port, DIALER_USER, pbx.dialer_secret)
        watcher = await AmiClient.login(pbx.host, pbx.ami_port, TEST_USER, pbx.test_secret)
        async with ScriptedCaller(pbx) as caller:
            callee = caller.expect_callee("0905000029", [Listen(), Press("7"), Listen()])
            queued = await ami.action(
                "Originate",
                [
                    ("Channel", TEST_NETWORK.format(number="0905000029")),
                    ("Context", "test-probe"),
                    ("Exten", "s"),
                    ("Priority", "1"),
                    ("Async", "true"),
                    ("ChannelId", "probe-1"),
                ],
            )
            transcript = await asyncio.wait_for(callee, 30)
        answered = await ami.wait_event(
            lambda e: e.get("Event") == "OriginateResponse" and e.get("Uniqueid") == "probe-1"
        )
        probe = await watcher.wait_event(lambda e: e.get("UserEvent") == "TestProbe")
        await ami.close()
        await watcher.close()
        return queued, transcript, answered, probe

    queued, transcript, answered, probe = asyncio.run(scenario())
    assert queued["Response"] == "Success"
    assert answered["Reason"] == "4"
    assert transcript.lines[0].startswith("heard ") and transcript.lines[0] != "heard nothing"
    assert transcript.lines[1] == "pressed 7"
    assert transcript.lines[-1] == "the far end hung up"  # after the beep
    assert transcript.far_end_hung_up
    assert transcript.channel.startswith("Local/0905000029@test-pstn")
    assert probe["Key"] == "7"
    assert pbx.log_problems(pbx.mark) == []

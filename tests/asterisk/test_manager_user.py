"""The shipped AMI user for the dialer, on the real Asterisk: every action the dialer needs
works with it, and what it does not need is refused. Also the test network's digit table."""

from __future__ import annotations

import asyncio

import pytest
from ami_client import AmiClient, AmiError
from asterisk_calls import ami_login
from real_asterisk import DIALER_USER, TEST_NETWORK, TEST_USER

ANSWERED = """[test-answered]
exten => s,1,NoOp(attempt ${HOTLINE_ATTEMPT})
 same => n,Wait(30)
 same => n,Hangup()
"""


def originate(number: str, channel_id: str, timeout_ms: int = 10000, **variables: str):
    return [
        ("Channel", TEST_NETWORK.format(number=number)),
        ("Context", "test-answered"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Timeout", str(timeout_ms)),
        ("CallerID", '"Tổng đài 1022" <1022>'),
        ("Async", "true"),
        ("ChannelId", channel_id),
        *(("Variable", f"{name}={value}") for name, value in variables.items()),
    ]


def test_the_dialer_user_logs_in_and_pings_and_a_wrong_secret_is_refused(pbx):
    async def scenario():
        async with ami_login(pbx, DIALER_USER) as ami:
            pong = await ami.action("Ping")
            banner = ami.banner
        with pytest.raises(AmiError, match="refused"):
            await AmiClient.login(pbx.host, pbx.ami_port, DIALER_USER, "not-the-secret")
        return banner, pong

    banner, pong = asyncio.run(scenario())
    assert banner.startswith("Asterisk Call Manager/")
    assert (pong["Response"], pong["Ping"]) == ("Success", "Pong")


def test_the_dialer_user_originates_and_follows_the_call(pbx):
    pbx.set_dialplan("answered", ANSWERED)

    async def scenario():
        async with ami_login(pbx, DIALER_USER) as ami, ami_login(pbx, TEST_USER) as watcher:
            queued = await ami.action(
                "Originate", originate("0905000018", "attempt-42", HOTLINE_ATTEMPT="42")
            )
            answered = await ami.wait_event(
                lambda e: (
                    e.get("Event") == "OriginateResponse" and e.get("Uniqueid") == "attempt-42"
                )
            )
            variable = await watcher.wait_event(
                lambda e: (
                    e.get("Event") == "VarSet"
                    and e.get("Uniqueid") == "attempt-42"
                    and e.get("Variable") == "HOTLINE_ATTEMPT"
                )
            )
            listed, channels = await ami.action_list("CoreShowChannels")
            pbx.hangup_all()
            hangup = await ami.wait_event(
                lambda e: e.get("Event") == "Hangup" and e.get("Uniqueid") == "attempt-42"
            )
            states = [e for e in ami.events if e.get("Event") == "Newstate"]
            return queued, answered, variable, listed, channels, hangup, states

    queued, answered, variable, listed, channels, hangup, states = asyncio.run(scenario())
    assert queued["Message"] == "Originate successfully queued"
    assert (answered["Response"], answered["Reason"]) == ("Success", "4")
    assert variable["Value"] == "42"
    assert listed["Response"] == "Success"
    assert "attempt-42" in {c.get("Uniqueid") for c in channels}
    assert hangup["Channel"].startswith("Local/0905000018@test-pstn")
    assert any(e.get("Uniqueid") == "attempt-42" and e["ChannelStateDesc"] == "Up" for e in states)
    assert pbx.log_problems(pbx.mark) == []


def test_the_dialer_user_may_read_the_dialplan_but_not_run_commands_or_applications(pbx):
    async def scenario():
        async with ami_login(pbx, DIALER_USER) as ami:
            shown, entries = await ami.action_list(
                "ShowDialPlan", [("Context", "hotline-outbound")]
            )
            command = await ami.action("Command", [("Command", "core show version")])
            agi = await ami.action(
                "Originate",
                [("Channel", "Local/1022@hotline-inbound"), ("Application", "AGI"),
                 ("Data", "agi://127.0.0.1/anything"), ("Async", "true")],
            )  # fmt: skip
            system = await ami.action(
                "Originate",
                [("Channel", "Local/1022@hotline-inbound"), ("Application", "System"),
                 ("Data", "touch /tmp/x"), ("Async", "true")],
            )  # fmt: skip
        return shown, entries, command, agi, system

    shown, entries, command, agi, system = asyncio.run(scenario())
    assert shown["Response"] == "Success"
    assert {e.get("Context") for e in entries} == {"hotline-outbound"}
    assert {e.get("Application") for e in entries} >= {"AMD", "MixMonitor", "AGI"}
    assert (command["Response"], command["Message"]) == ("Error", "Permission denied")
    for refused in (agi, system):  # an application on the originated channel needs `system`
        assert refused["Response"] == "Error"
        assert refused["Message"].startswith("Originate Access Forbidden"), refused


# The test network: what the number's last digit does (asterisk_overlay/test-network.conf).
# The network's Q.850 cause is on the Hangup event of the Local channel's far half,
# Uniqueid "<ChannelId>;2" (the near half says 0 for busy and congestion).
DIGITS = {  # digit: (OriginateResponse Reason, Hangup cause of <ChannelId>;2)
    "0": ("0", "1"),  # unallocated number
    "1": ("4", None),  # rings 2 s, answers, presses 1 (still up when the test ends)
    "2": ("5", "17"),  # busy
    "3": ("3", "19"),  # rings out (our Timeout)
    "4": ("8", "34"),  # congestion
    "5": ("4", "16"),  # answers and hangs up
    "6": ("4", None),  # answering machine
    "7": ("0", "21"),  # rejected
    "8": ("4", None),  # a person
}


def test_the_test_network_answers_by_the_last_digit(pbx):
    pbx.set_dialplan("answered", ANSWERED)

    async def scenario():
        async with ami_login(pbx, DIALER_USER) as ami:
            for digit in DIGITS:
                queued = await ami.action(
                    "Originate", originate(f"090500000{digit}", f"net-{digit}", timeout_ms=3000)
                )
                assert queued["Response"] == "Success", queued
            responses = {}
            for digit in DIGITS:
                event = await ami.wait_event(
                    lambda e, d=digit: (
                        e.get("Event") == "OriginateResponse" and e.get("Uniqueid") == f"net-{d}"
                    )
                )
                responses[digit] = event["Reason"]
            ended = [d for d, (_, cause) in DIGITS.items() if cause is not None]
            for digit in ended:
                await ami.wait_event(
                    lambda e, d=digit: (
                        e.get("Event") == "Hangup" and e.get("Uniqueid") == f"net-{d};2"
                    )
                )
            causes = {
                e["Uniqueid"].removeprefix("net-").removesuffix(";2"): e["Cause"]
                for e in ami.events
                if e.get("Event") == "Hangup" and e.get("Uniqueid", "").endswith(";2")
            }
        return responses, causes

    responses, causes = asyncio.run(scenario())
    assert responses == {digit: reason for digit, (reason, _) in DIGITS.items()}
    assert causes == {digit: cause for digit, (_, cause) in DIGITS.items() if cause is not None}

"""pbxsim's AMI as a client written from PROTOCOL.md sees it: login, actions, call events."""

from __future__ import annotations

import asyncio

import pytest
from pbxsim_helpers import (
    FlowAgi,
    RawAmi,
    fixture_sim,
    is_final_hangup,
    load_ami,
    notice_flow,
    originate,
    run,
    until,
    value,
)


async def session(flow=notice_flow, events: str = "on", **overrides):
    agi = FlowAgi(flow)
    sim = fixture_sim(await agi.start(), **overrides)
    client = await RawAmi.connect(await sim.start(ami_port=0))
    await client.login(events=events)
    return sim, client, agi


async def finish(sim, client, agi) -> None:
    await client.close()
    await sim.close()
    agi.close()


def test_banner_login_and_ping_are_asterisks_bytes():
    trace = load_ami("login")

    async def scenario():
        sim = fixture_sim()
        client = await RawAmi.connect(await sim.start(ami_port=0))
        login = await client.login()
        booted = await client.read()
        await client.send([("Action", "Ping"), ("ActionID", "hotline-3")])
        pong = await client.read()
        await client.close()
        await sim.close()
        return client.banner, login, booted, pong

    banner, login, booted, pong = run(scenario())
    assert banner == trace[0][1][0][0].encode() + b"\r\n" == b"Asterisk Call Manager/13.0.0\r\n"
    assert login == trace[2][1]
    assert [k for k, _ in booted] == [k for k, _ in trace[3][1]]
    assert value(booted, "Status") == "Fully Booted"
    assert [k for k, _ in pong] == ["Response", "ActionID", "Ping", "Timestamp"]
    assert pong[:3] == trace[5][1][:3] and float(value(pong, "Timestamp")) > 0


def test_a_bad_secret_is_refused_and_the_connection_closed():
    async def scenario():
        sim = fixture_sim()
        client = await RawAmi.connect(await sim.start(ami_port=0))
        refused = await client.login(secret="wrong")
        rest = await asyncio.wait_for(client.reader.read(), 5)
        await sim.close()
        return refused, rest

    refused, rest = run(scenario())
    assert refused == [
        ("Response", "Error"),
        ("ActionID", "hotline-1"),
        ("Message", "Authentication failed"),
    ]
    assert rest == b""


def test_nothing_but_login_before_authentication():
    async def scenario():
        sim = fixture_sim()
        client = await RawAmi.connect(await sim.start(ami_port=0))
        await client.send([("Action", "Ping"), ("ActionID", "p")])
        reply = await client.read()
        await client.close()
        await sim.close()
        return reply

    assert run(scenario()) == [
        ("Response", "Error"),
        ("ActionID", "p"),
        ("Message", "Permission denied"),
    ]


def test_logoff_says_goodbye_and_closes():
    async def scenario():
        sim, client, agi = await session()
        await client.read()  # FullyBooted
        await client.send([("Action", "Logoff"), ("ActionID", "bye")])
        reply = await client.read()
        rest = await asyncio.wait_for(client.reader.read(), 5)
        await finish(sim, client, agi)
        return reply, rest

    reply, rest = run(scenario())
    assert reply[:2] == [("Response", "Goodbye"), ("ActionID", "bye")] and rest == b""


def test_events_off_means_responses_only():
    async def scenario():
        sim, client, agi = await session(events="off")
        await originate(client, "5550002", "o1")
        queued = await client.read()
        await sim.idle()
        await client.send([("Action", "Ping"), ("ActionID", "after")])
        pong = await client.read()
        await finish(sim, client, agi)
        return queued, pong

    queued, pong = run(scenario())
    assert value(queued, "Message") == "Originate successfully queued"
    assert value(pong, "ActionID") == "after"  # no event came in between


def test_an_event_mask_of_system_hides_call_events():
    async def scenario():
        sim, client, agi = await session(events="system")
        booted = await client.read()
        await client.send([("Action", "Events"), ("EventMask", "off"), ("ActionID", "e")])
        off = await client.read()
        await originate(client, "5550002", "o1")
        queued = await client.read()
        await sim.idle()
        await client.send([("Action", "Ping"), ("ActionID", "after")])
        pong = await client.read()
        await finish(sim, client, agi)
        return booted, off, queued, pong

    booted, off, queued, pong = run(scenario())
    assert value(booted, "Event") == "FullyBooted"
    assert off == [("Response", "Success"), ("ActionID", "e"), ("Events", "Off")]
    assert value(pong, "ActionID") == "after"


@pytest.mark.parametrize(
    "fields,message",
    [
        ([("Context", "outbound-notice"), ("Exten", "s")], "Channel not specified"),
        ([("Channel", "5550001"), ("Exten", "s")], "Invalid channel"),
        ([("Channel", "Local/5550001@fake-pstn"), ("Timeout", "soon")], "Invalid timeout"),
        ([("Channel", "Local/5550001@fake-pstn"), ("Priority", "first")], "Invalid priority"),
    ],
)
def test_bad_originates_get_asterisks_error(fields, message):
    async def scenario():
        sim, client, agi = await session()
        await client.read()
        await client.send(
            [("Action", "Originate"), *fields, ("Async", "true"), ("ActionID", "bad")]
        )
        reply = await client.read()
        await finish(sim, client, agi)
        return reply

    assert run(scenario()) == [("Response", "Error"), ("ActionID", "bad"), ("Message", message)]


OUTCOMES = [  # last digit -> (Response, Reason, cause on the dialed channel)
    ("0905123451", "Success", "4", "0"),
    ("0905123452", "Failure", "5", "17"),
    ("0905123453", "Failure", "3", "19"),
    ("0905123454", "Failure", "8", "34"),
    ("0905123457", "Failure", "0", "21"),
    ("0905123450", "Failure", "0", "1"),
]


@pytest.mark.parametrize("number,response,reason,cause", OUTCOMES)
def test_a_pjsip_call_reaches_each_outcome_on_one_channel(number, response, reason, cause):
    async def scenario():
        sim, client, agi = await session()
        await client.read()
        await client.send(
            [
                ("Action", "Originate"),
                ("Channel", f"PJSIP/{number}@trunk"),
                ("Context", "hotline-outbound"),
                ("Exten", "s"),
                ("Priority", "1"),
                ("Timeout", "8000"),
                ("Async", "true"),
                ("ChannelId", "att-1"),
                ("Account", "camp-7"),
                ("Variable", "HOTLINE_ATTEMPT=41"),
                ("ActionID", "o1"),
            ]
        )
        seen = await until(client, lambda m: value(m, "Event") == "Hangup")
        await sim.idle()
        await finish(sim, client, agi)
        return seen, agi.calls

    seen, calls = run(scenario())
    [resp] = [m for m in seen if value(m, "Event") == "OriginateResponse"]
    assert (value(resp, "Response"), value(resp, "Reason")) == (response, reason)
    assert value(resp, "Uniqueid") == "att-1"
    hangup = seen[-1]
    assert value(hangup, "Channel").startswith("PJSIP/trunk-")
    assert (value(hangup, "Uniqueid"), value(hangup, "Cause")) == ("att-1", cause)
    assert value(hangup, "AccountCode") == "camp-7"
    if response == "Success":
        assert calls[0].header["agi_network_script"] == "notice"
        assert calls[0].header["agi_arg_1"] == "41"
        assert calls[0].header["agi_uniqueid"] == "att-1"
        assert calls[0].header["agi_accountcode"] == "camp-7"
    else:
        assert calls == []


def test_the_originate_timeout_is_in_milliseconds_and_bounds_the_ringing():
    async def scenario(timeout):  # ...1 answers after 2 s of ringing
        sim, client, agi = await session()
        await client.read()
        await originate(client, "5550001", "o1", Timeout=timeout)
        seen = await until(client, lambda m: value(m, "Event") == "OriginateResponse")
        await sim.idle()
        await finish(sim, client, agi)
        return value(seen[-1], "Reason")

    assert run(scenario("1500")) == "3"
    assert run(scenario("2500")) == "4"


def test_sync_originate_answers_only_once_the_callee_answered():
    async def scenario():
        sim, client, agi = await session()
        await client.read()
        await originate(client, "5550001", "sync", Async="false")
        seen = await until(client, lambda m: value(m, "Response") is not None)
        rest = await until(client, is_final_hangup(";2"))
        await finish(sim, client, agi)
        return seen, rest

    seen, rest = run(scenario())
    events = [value(m, "Event") for m in seen[:-1]]
    assert "DialBegin" in events and events.count("Newstate") >= 3  # ringing, up, up
    assert seen[-1] == [
        ("Response", "Success"),
        ("ActionID", "sync"),
        ("Message", "Originate successfully queued"),
    ]
    assert "OriginateResponse" not in [value(m, "Event") for m in seen + rest]


def test_variables_are_split_on_commas_and_readable_from_agi():
    got = {}

    async def flow(call):
        got["campaign"] = await call.cmd("GET VARIABLE CAMPAIGN")
        got["target"] = await call.cmd("GET VARIABLE TARGET")
        got["unset"] = await call.cmd("GET VARIABLE NOPE")
        await call.cmd("HANGUP")

    async def scenario():
        sim, client, agi = await session(flow)
        await client.read()
        await originate(client, "5550001", "o1")
        await until(client, is_final_hangup(";2"))
        await finish(sim, client, agi)

    run(scenario())
    assert got == {
        "campaign": "200 result=1 (camp1)",
        "target": "200 result=1 (5550001)",
        "unset": "200 result=0",
    }


def test_hangup_action_ends_a_ringing_call_and_unknown_channels_are_refused():
    async def scenario():
        sim, client, agi = await session()
        await client.read()
        await originate(client, "5550003", "o1", Timeout="600000")
        ringing = await until(client, lambda m: value(m, "Event") == "DialState")
        name = value(ringing[-1], "DestChannel")
        await client.send([("Action", "Hangup"), ("Channel", "Local/nope-1;1"), ("ActionID", "h0")])
        refused = await until(client, lambda m: value(m, "ActionID") == "h0")
        await client.send([("Action", "Hangup"), ("Channel", name), ("ActionID", "h1")])
        rest = await until(client, is_final_hangup(";1"))
        await finish(sim, client, agi)
        return refused[-1], rest

    refused, rest = run(scenario())
    assert value(refused, "Message") == "No such channel"
    [done] = [m for m in rest if value(m, "ActionID") == "h1"]
    assert value(done, "Response") == "Success"
    [resp] = [m for m in rest if value(m, "Event") == "OriginateResponse"]
    assert (value(resp, "Response"), value(resp, "Reason")) == ("Failure", "1")


def test_core_show_channels_lists_both_legs_of_a_live_call():
    release = asyncio.Event()

    async def flow(call):
        await call.cmd("ANSWER")
        await release.wait()
        await call.cmd("HANGUP")

    async def scenario():
        sim, client, agi = await session(flow)
        await client.read()
        await originate(client, "5550001", "o1")
        await until(client, lambda m: value(m, "Event") == "DialEnd")
        await client.send([("Action", "CoreShowChannels"), ("ActionID", "c")])
        listing = await until(client, lambda m: value(m, "Event") == "CoreShowChannelsComplete")
        await client.send([("Action", "Status"), ("ActionID", "s")])
        status = await until(client, lambda m: value(m, "Event") == "StatusComplete")
        release.set()
        await until(client, is_final_hangup(";2"))
        await finish(sim, client, agi)
        return [m for m in listing if value(m, "ActionID") == "c"], status

    listing, status = run(scenario())
    assert [value(m, "Event") for m in status if value(m, "ActionID") == "s"][-3:] == [
        "Status",
        "Status",
        "StatusComplete",
    ]
    assert {value(m, "Application") for m in status if value(m, "Event") == "Status"} == {"AGI"}
    assert value(listing[0], "EventList") == "start"
    items = [m for m in listing if value(m, "Event") == "CoreShowChannel"]
    assert sorted(value(m, "Channel")[-2:] for m in items) == [";1", ";2"]
    assert value(listing[-1], "ListItems") == "2"


def test_past_the_trunk_capacity_calls_meet_congestion():
    async def scenario():
        sim, client, agi = await session(channels=2)
        await client.read()
        for i in range(3):
            await originate(client, "5550003", f"o{i}", Timeout="600000")
        seen = await until(client, lambda m: value(m, "Event") == "OriginateResponse")
        await client.send([("Action", "Hangup"), ("Channel", "/fake-pstn/"), ("ActionID", "h")])
        await sim.idle()
        await finish(sim, client, agi)
        return seen[-1]

    resp = run(scenario())
    assert (value(resp, "ActionID"), value(resp, "Reason")) == ("o2", "8")


def test_hangup_action_cuts_a_waiting_agi_command_short():
    replies = []
    waiting = asyncio.Event()

    async def flow(call):
        await call.cmd("ANSWER")
        waiting.set()
        replies.append(await call.cmd("WAIT FOR DIGIT -1"))  # a silent callee: forever
        replies.append(await call.cmd("GET VARIABLE CAMPAIGN"))
        replies.append(call.hung_up)

    async def scenario():
        sim, client, agi = await session(flow, scale=10.0)  # 1 simulated s = 10 real s
        await client.read()
        await originate(client, "5550008", "o1")
        seen = await until(client, lambda m: value(m, "Event") == "OriginateResponse")
        await waiting.wait()
        name = value(seen[-1], "Channel")
        await client.send([("Action", "Hangup"), ("Channel", name), ("ActionID", "h")])
        seen = await until(client, is_final_hangup(";2"))
        await finish(sim, client, agi)
        return seen

    seen = run(scenario())
    assert replies == ["200 result=-1", "200 result=1 (camp1)", True]
    [soft] = [m for m in seen if value(m, "Event") == "SoftHangupRequest"][:1]
    assert (value(soft, "Channel")[-2:], value(soft, "Cause")) == (";1", "32")


def test_login_and_originate_answers_are_the_traces_bytes():
    login, answer = load_ami("login"), load_ami("out-busy-5550002")

    def raw(block) -> bytes:
        return "".join(f"{k}: {v}\r\n" for k, v in block).encode() + b"\r\n"

    async def scenario():
        sim = fixture_sim()
        reader, writer = await asyncio.open_connection("127.0.0.1", await sim.start(ami_port=0))
        banner = await reader.readline()
        writer.write(raw(login[1][1]))
        accepted = await reader.readuntil(b"\r\n\r\n")
        await reader.readuntil(b"\r\n\r\n")  # FullyBooted
        writer.write(raw(answer[0][1]))
        queued = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await sim.close()
        return banner, accepted, queued

    banner, accepted, queued = run(scenario())
    assert banner == b"Asterisk Call Manager/13.0.0\r\n"
    assert accepted == raw(login[2][1])
    assert queued == raw(answer[1][1])

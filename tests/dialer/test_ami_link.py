"""The dialer's AMI link (panoramisk underneath) against its known faults.

The peer here is a small AMI server written in this file from PROTOCOL.md and the recorded
traces (banner, `Key: Value` lines with CRLF, a blank line after each message), not from
our code; it records what the client sent on each connection and can go silent or hang up.
The byte-level reader is also fed the real traces whole and one byte at a time.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from shared_dir import AMI_TRACES

from dialer.ami import AmiLink, AmiUrl, LinkDown, LoginRefused, OriginateRefused, _Protocol

SECRET = "s3cret-for-the-link-tests"
BANNER = b"Asterisk Call Manager/13.0.0\r\n"


def wire(*fields: tuple[str, str]) -> bytes:
    return b"".join(f"{k}: {v}\r\n".encode() for k, v in fields) + b"\r\n"


class FakeAsterisk:
    """One AMI listener; each connection's actions are kept in `sessions`."""

    def __init__(self, *, answer_pings=True, on_originate="queue", fully_booted=True):
        self.answer_pings = answer_pings
        self.on_originate = on_originate  # queue | error | silence | hang-up
        self.fully_booted = fully_booted
        self.sessions: list[list[dict[str, str]]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.logins = asyncio.Queue()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        self.server.close()

    async def _serve(self, reader, writer) -> None:
        actions: list[dict[str, str]] = []
        self.sessions.append(actions)
        self.writers.append(writer)
        writer.write(BANNER)
        try:
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                lines = block.decode().split("\r\n")
                action = dict(line.split(": ", 1) for line in lines if ": " in line)
                actions.append(action)
                reply = self._reply(action)
                if reply is None:
                    continue
                if reply == b"hang-up":
                    writer.close()
                    return
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def _reply(self, action: dict[str, str]) -> bytes | None:
        aid = ("ActionID", action.get("ActionID", ""))
        name = action.get("Action", "")
        if name == "Login":
            self.logins.put_nowait(action)
            if action.get("Secret") != SECRET:
                return wire(("Response", "Error"), aid, ("Message", "Authentication failed"))
            ok = wire(("Response", "Success"), aid, ("Message", "Authentication accepted"))
            booted = wire(
                ("Event", "FullyBooted"), ("Privilege", "system,all"), ("Status", "Fully Booted")
            )
            return ok + (booted if self.fully_booted else b"")
        if name == "Ping":
            if not self.answer_pings:
                return None
            return wire(("Response", "Success"), aid, ("Ping", "Pong"), ("Timestamp", "1.0"))
        if name == "Originate":
            if self.on_originate == "silence":
                return None
            if self.on_originate == "hang-up":
                return b"hang-up"
            if self.on_originate == "error":
                return wire(("Response", "Error"), aid, ("Message", "Extension does not exist."))
            return wire(("Response", "Success"), aid, ("Message", "Originate successfully queued"))
        if name == "CoreShowChannels":
            return wire(
                ("Response", "Success"),
                aid,
                ("EventList", "start"),
                ("Message", "Channels will follow"),
            ) + wire(("Event", "CoreShowChannelsComplete"), aid, ("EventList", "Complete"))
        return wire(("Response", "Error"), aid, ("Message", "Invalid/unknown command"))

    def send_to_all(self, data: bytes) -> None:
        for writer in self.writers:
            if not writer.is_closing():
                writer.write(data)


def url(port: int, secret: str = SECRET) -> AmiUrl:
    return AmiUrl("127.0.0.1", port, "hotline-dialer", secret)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


ORIGINATE = dict(channel="PJSIP/0905000001@trunk", context="hotline-outbound", timeout=2.0)


def test_the_login_carries_our_event_mask_and_no_action_is_ever_sent_twice():
    async def scenario():
        pbx = FakeAsterisk(on_originate="hang-up")
        link = AmiLink(url(await pbx.start()), ping_interval=60, backoff=(0.01, 0.1))
        await link.start()
        with pytest.raises(LinkDown):  # the PBX hangs up on the Originate: fails at once
            await link.originate(channel_id="c-1", **ORIGINATE)
        second_login = await pbx.logins.get(), await pbx.logins.get()
        assert await link.wait_connected(5)
        assert await link.ping()  # a round trip on the new connection: any re-send is in
        await link.close()
        await pbx.close()
        return pbx.sessions, second_login

    sessions, logins = run(scenario())
    assert [a.get("Events") for a in logins] == ["call", "call"]
    assert [a["Action"] for a in sessions[0]] == ["Login", "Originate"]
    assert [a["Action"] for a in sessions[1]] == ["Login", "Ping"]  # the Originate stays lost


def test_a_peer_that_stops_answering_pings_is_dropped_and_reconnected():
    async def scenario():
        pbx = FakeAsterisk(answer_pings=False)
        link = AmiLink(
            url(await pbx.start()), ping_interval=0.05, ping_timeout=0.1, backoff=(0.01, 0.1)
        )
        await link.start()
        await pbx.logins.get()
        await pbx.logins.get()  # a second login: the silent link was given up
        reconnects = link.reconnects
        await link.close()
        await pbx.close()
        return reconnects, pbx.sessions

    reconnects, sessions = run(scenario())
    assert reconnects >= 1
    assert [a["Action"] for a in sessions[0]][:2] == ["Login", "Ping"]


def test_an_originate_without_an_answer_gives_up_after_its_own_timeout():
    async def scenario():
        pbx = FakeAsterisk(on_originate="silence")
        link = AmiLink(url(await pbx.start()), ping_interval=60)
        await link.start()
        with pytest.raises(LinkDown, match="no answer to Originate in 0.2s"):
            await link.originate(channel_id="c-2", **{**ORIGINATE, "timeout": 0.2})
        await link.close()
        await pbx.close()

    run(scenario())


def test_an_originate_asterisk_refuses_says_why():
    async def scenario():
        pbx = FakeAsterisk(on_originate="error")
        link = AmiLink(url(await pbx.start()), ping_interval=60)
        await link.start()
        with pytest.raises(OriginateRefused, match="Extension does not exist"):
            await link.originate(channel_id="c-3", **ORIGINATE)
        await link.close()
        await pbx.close()

    run(scenario())


def test_the_outcome_is_matched_on_uniqueid_even_after_the_action_was_forgotten():
    async def scenario():
        pbx = FakeAsterisk(on_originate="silence")
        link = AmiLink(url(await pbx.start()), ping_interval=60)
        await link.start()
        watch = link.watch("c-4", "c-4-2")
        response = wire(
            ("Event", "OriginateResponse"),
            ("Privilege", "call,all"),
            ("ActionID", "orig-c-4"),
            ("Response", "Failure"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("Reason", "5"),
            ("Uniqueid", "c-4"),
        )
        far = wire(("Event", "Hangup"), ("Uniqueid", "c-4-2"), ("Cause", "17"))
        near = wire(("Event", "Hangup"), ("Uniqueid", "c-4"), ("Cause", "0"))
        pbx.send_to_all(response + far + near)
        await asyncio.wait_for(watch.hungup.wait(), 5)
        await link.close()
        await pbx.close()
        return watch

    watch = run(scenario())
    assert (watch.reason, watch.response, watch.causes) == (5, "Failure", [17, 0])


def test_a_wrong_secret_is_one_line_that_never_shows_the_secret(caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        pbx = FakeAsterisk()
        link = AmiLink(url(await pbx.start(), secret="wrong-secret-xyz"), backoff=(0.05, 0.1))
        try:
            with pytest.raises(LoginRefused) as refused:
                await link.start(timeout=1.0)
        finally:
            await link.close()
            await pbx.close()
        return str(refused.value)

    message = run(scenario())
    assert message.startswith("AMI login as 'hotline-dialer' at 127.0.0.1:")
    assert message.endswith(" refused: Authentication failed")
    assert "wrong-secret-xyz" not in caplog.text and "wrong-secret-xyz" not in message
    assert repr(url(1, "wrong-secret-xyz")).count("wrong") == 0


def test_a_line_break_never_reaches_the_wire():
    async def scenario():
        pbx = FakeAsterisk()
        link = AmiLink(url(await pbx.start()), ping_interval=60)
        await link.start()
        with pytest.raises(ValueError, match="line break"):
            await link.originate(
                channel_id="c-5",
                variables={"HOTLINE_ATTEMPT": "1\r\nAction: Hangup"},
                **ORIGINATE,
            )
        with pytest.raises(ValueError, match="comma"):
            await link.originate(channel_id="c-6", variables={"A": "1,B=2"}, **ORIGINATE)
        await link.ping()
        await link.close()
        await pbx.close()
        return pbx.sessions[0]

    assert [a["Action"] for a in run(scenario())] == ["Login", "Ping"]


# --- the reader, fed bytes -------------------------------------------------------------------
class _Factory:
    def __init__(self):
        self.events = []

    def dispatch(self, message):
        self.events.append(message)


class _Transport:
    def write(self, data):
        pass

    def close(self):
        pass


def _reader() -> tuple[_Protocol, _Factory]:
    protocol = _Protocol()
    protocol.connection_made(_Transport())
    factory = _Factory()
    protocol.factory = factory
    return protocol, factory


def _trace_bytes(name: str) -> bytes:
    """What Asterisk sent in a recorded exchange, as it was on the wire (CRLF)."""
    out, sending = [], False
    for line in (AMI_TRACES / f"{name}.ami").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith(("<<", ">>")):
            sending = line.startswith("<<")
            continue
        if sending:
            out.append(line)
    return "".join(f"{line}\r\n" for line in out).encode()


@pytest.mark.parametrize("name", ["out-busy-with-channelid-5550002", "out-unallocated-5550000"])
@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_recorded_events_read_the_same_whole_or_one_byte_at_a_time(name, chunk):
    data = _trace_bytes(name)
    protocol, factory = _reader()
    size = chunk or len(data)
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    for piece in pieces:
        protocol.data_received(piece)
    names = [e.get("Event") for e in factory.events]
    assert "OriginateResponse" in names and names.count("Hangup") == 2
    hangups = [e for e in factory.events if e.get("Event") == "Hangup"]
    assert {h["Cause"] for h in hangups} <= {"0", "1", "17"}


def test_a_character_split_across_reads_survives():
    name = "Nguyễn Văn Ánh"
    data = wire(("Event", "Newchannel"), ("CallerIDName", name), ("Uniqueid", "u-1"))
    split = data.index("ễ".encode()) + 1  # inside the three bytes of ễ
    protocol, factory = _reader()
    protocol.data_received(data[:split])
    protocol.data_received(data[split:])
    assert factory.events[0]["CallerIDName"] == name

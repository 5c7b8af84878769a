"""Only allowed peers speak FastAGI: others are cut off before a byte is read, counted, and
logged once per peer per minute. Over loopback TCP: 127.0.0.2 is a second loopback address."""

from __future__ import annotations

import asyncio
import logging

import pytest
from agi_fakes import ScriptedAsterisk, dial, header_block

from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from ivr.peers import LOOPBACK, Allowlist, RefusalLog, is_loopback_host, parse_allow
from store.errors import UserError

ONLY_127_0_0_2 = parse_allow(["127.0.0.2"])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(test, **kw):
    async def main():
        server = FastAgiServer(ROUTES, port=0, read_timeout=30, **kw)
        port = await server.start()
        try:
            return await asyncio.wait_for(test(server, port), 20)
        finally:
            await server.close(grace=1)

    return asyncio.run(main())


async def knock(port: int, header: bytes = b"") -> bytes:
    """Connect from 127.0.0.1, send `header`, return what comes back before the close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(header)
    try:
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        return b""
    finally:
        writer.close()


def test_a_refused_peer_is_closed_at_once_without_its_header_being_read(caplog):
    async def test(server, port):
        # read_timeout is 30 s: an accepted peer that sends nothing would wait that long
        assert await knock(port) == b""
        assert await knock(port, header_block("notice", args=["41"])) == b""
        await server.wait_idle()
        return server.calls_started, server.peers_refused

    with caplog.at_level(logging.WARNING, "hotline.ivr.fastagi"):
        assert run(test, allow=ONLY_127_0_0_2) == (0, 2)
    assert caplog.messages == [
        "refused a FastAGI connection from 127.0.0.1: not in the allowlist (agi serve --allow); "
        "further refusals from it are logged at most once a minute"
    ]


def test_refusals_are_logged_once_per_peer_per_minute(caplog):
    clock = Clock()

    async def test(server, port):
        for _ in range(5):
            await knock(port)
        clock.now += 59
        await knock(port)
        clock.now += 2
        await knock(port)
        return server.peers_refused

    with caplog.at_level(logging.WARNING, "hotline.ivr.fastagi"):
        assert run(test, allow=ONLY_127_0_0_2, monotonic=clock) == 7
    assert len(caplog.messages) == 2
    assert caplog.messages[1] == (
        "refused a FastAGI connection from 127.0.0.1 again (5 more since the last line)"
    )


def test_an_allowed_peer_gets_its_call():
    async def test(server, port):
        fake = await dial_from("127.0.0.2", port, ScriptedAsterisk([]), header_block("readback"))
        await server.wait_idle()
        return fake.log[-1], server.calls_started, server.peers_refused

    assert run(test, allow=ONLY_127_0_0_2) == ("hangup", 1, 0)


def test_the_default_is_loopback_only():
    async def test(server, port):
        fake = await dial(port, ScriptedAsterisk([]), header_block("readback"))
        return fake.log[-1], server.allowlist.networks

    assert run(test) == ("hangup", LOOPBACK)


async def dial_from(source: str, port: int, fake, header):
    """agi_fakes.dial, from another local address."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(header)
    while line := await asyncio.wait_for(reader.readline(), 10):
        writer.write(fake.reply(line[:-1].decode()).encode())
    writer.close()
    return fake


def test_allowlist_judges_addresses_as_getpeername_gives_them():
    allow = Allowlist(parse_allow(["10.0.0.5", "10.0.1.0/24, fd00::/8"]))
    assert allow.admits("10.0.0.5") and allow.admits("10.0.1.77")
    assert allow.admits("::ffff:10.0.0.5")  # IPv4 on a dual-stack socket
    assert allow.admits("fd00::1") and allow.admits("fd12::1%eth0")
    assert not allow.admits("10.0.0.6") and not allow.admits("127.0.0.1")
    assert not allow.admits("::1") and not allow.admits("not-an-address")
    assert Allowlist().admits("127.0.0.1") and Allowlist().admits("::1")
    assert not Allowlist().admits("192.168.1.10")


@pytest.mark.parametrize(
    "text,message",
    [
        ("10.0.0.5/24", "--allow 10.0.0.5/24 has host bits set; write --allow 10.0.0.0/24 "
         "for the network or --allow 10.0.0.5 for the one host"),
        ("pbx.example", "--allow 'pbx.example' is not an address or network; "
         "write e.g. --allow 10.0.0.5 or --allow 10.0.0.0/24"),
    ],
)  # fmt: skip
def test_a_bad_allow_entry_says_how_to_write_it(text, message):
    with pytest.raises(UserError) as err:
        parse_allow([text])
    assert str(err.value) == message


def test_which_bind_addresses_only_this_machine_reaches():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert is_loopback_host("localhost") and is_loopback_host("127.0.0.53")
    for host in ("0.0.0.0", "::", "", "10.0.0.2", "pbx.example"):
        assert not is_loopback_host(host), host


def test_refusal_log_forgets_quiet_peers_when_full():
    log = RefusalLog(interval=60, max_peers=3)
    assert [log.refused(p, 0) for p in "abc"] == [0, 0, 0]
    assert log.refused("a", 1) is None
    assert log.refused("d", 61) == 0  # full: a, b, c are a minute old and forgotten
    assert log.refused("a", 62) == 0

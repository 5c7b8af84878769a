"""The sans-I/O AGI codec: messages whole, byte by byte, with trailing data; quoting; fuzz."""

from __future__ import annotations

import pytest
from agi_fakes import header_block, parse_args
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr import commands as c
from ivr.agi import (
    IDLE,
    NEED_DATA,
    AgiArgumentError,
    AgiConnection,
    AgiProtocolError,
    AgiUsageError,
    Command,
    DeadChannel,
    EndOfStream,
    Hangup,
    InvalidCommand,
    Request,
    Result,
    Trying,
    UsageText,
)


def feed_all(conn: AgiConnection, data: bytes, mode: str) -> list:
    """Feed `data` whole or one byte at a time; return the events up to NEED_DATA."""
    chunks = [data[i : i + 1] for i in range(len(data))] if mode == "bytes" else [data]
    events = []
    for chunk in chunks:
        conn.receive_data(chunk)
        while (event := conn.next_event()) is not NEED_DATA:
            events.append(event)
            if isinstance(event, EndOfStream):
                return events
    return events


MODES = ["whole", "bytes"]


def connected(mode: str = "whole", **kw) -> AgiConnection:
    conn = AgiConnection()
    [request] = feed_all(conn, header_block(**kw), mode)
    assert isinstance(request, Request)
    return conn


@pytest.mark.parametrize("mode", MODES)
def test_header_block_gives_one_request(mode):
    conn = AgiConnection()
    header = header_block(script="ivr?lang=en&case=F0-12", args=["camp1", "5550001", ""])
    [req] = feed_all(conn, header, mode)
    assert req.script == "ivr"
    assert req.query == {"lang": "en", "case": "F0-12"}
    assert req.args == ("camp1", "5550001", "")
    assert req.callerid == "0905123456"
    assert req.variables["agi_accountcode"] == ""
    assert req.get("uniqueid") == "1795695559.1"
    assert conn.state == IDLE


def test_header_with_trailing_data_keeps_it_for_later():
    conn = AgiConnection()
    conn.receive_data(header_block() + b"200 result=0\n")
    assert isinstance(conn.next_event(), Request)
    with pytest.raises(AgiProtocolError, match="no command pending"):
        conn.next_event()


def test_trailing_data_after_a_reply_waits_for_the_next_command():
    conn = connected()
    conn.send(c.answer())
    conn.receive_data(b"200 result=0\nHANGUP\n511 Command Not Permitted\n")
    assert conn.next_event() == Result("0")
    assert conn.next_event() == Hangup()
    with pytest.raises(AgiProtocolError):
        conn.next_event()  # the 511 belongs to no command yet


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("line", "event"),
    [
        (b"200 result=0\n", Result("0")),
        (b"200 result=53 endpos=17440\n", Result("53", None, 17440)),
        (b"200 result=1 (79001234567)\n", Result("1", "79001234567")),
        (b"200 result= (timeout)\n", Result("", "timeout")),
        (b"200 result=0123 (timeout)\n", Result("0123", "timeout")),
        (b"200 result=35 (dtmf) endpos=9612\n", Result("35", "dtmf", 9612)),
        (b"200 result=-1 (hangup) endpos=11212\n", Result("-1", "hangup", 11212)),
        (b"200 result=1 ()\n", Result("1", "")),
        (b"200 result=1 (a (b) c)\n", Result("1", "a (b) c")),
        (b"200 result=1 (Nguy\xe1\xbb\x85n)\n", Result("1", "Nguyễn")),
        (b"510 Invalid or unknown command\n", InvalidCommand("Invalid or unknown command")),
        (
            b"511 Command Not Permitted on a dead channel or intercept routine\n",
            DeadChannel("Command Not Permitted on a dead channel or intercept routine"),
        ),
        (b"520 Invalid command syntax.  Proper usage not available.\n", UsageText("")),
        (
            b"520-Invalid command syntax.  Proper usage follows:\nWaits up to...\nmore\n"
            b"520 End of proper usage.\n",
            UsageText("Waits up to...\nmore"),
        ),
    ],
)
def test_replies(mode, line, event):
    conn = connected(mode)
    conn.send(c.wait_for_digit(1000))
    assert feed_all(conn, line, mode) == [event]
    assert conn.state == IDLE


@pytest.mark.parametrize("line", [b"200 result=35 (dtmf) endpos=9612\n", b"511 dead\n",
                                  b"520-Invalid\nusage\n520 End\n"])  # fmt: skip
def test_replies_with_trailing_data(line):
    conn = connected()
    conn.send(c.wait_for_digit(1000))
    [event] = feed_all(conn, line, "whole")
    conn = connected()
    conn.send(c.wait_for_digit(1000))
    assert feed_all(conn, line + b"HANGUP\n200 res", "whole") == [event, Hangup()]
    assert conn.next_event() is NEED_DATA  # the partial line waits for its command


def test_result_as_int():
    assert Result("-1").result == -1
    assert Result("123").result == 123
    assert Result("").result is None
    assert Result("12*").result is None


@pytest.mark.parametrize("mode", MODES)
def test_trying_then_result_and_hangup_before_result(mode):
    conn = connected(mode)
    conn.send(c.exec_app("Wait", "1"))
    events = feed_all(conn, b"100 result=0 Trying...\nHANGUP\n200 result=0\n", mode)
    assert events == [Trying("result=0 Trying..."), Hangup(), Result("0")]


@pytest.mark.parametrize("mode", MODES)
def test_exit_on_hangup_two_hangups_blank_then_eof(mode):
    conn = connected(mode)
    conn.send(c.stream_file("beep"))
    events = feed_all(conn, b"HANGUP\nHANGUP\n\n", mode)
    conn.receive_data(b"")
    events.append(conn.next_event())
    assert events == [Hangup(), Hangup(), EndOfStream()]
    assert conn.next_event() == EndOfStream()


@pytest.mark.parametrize(
    "data",
    [b"", b"agi_network: yes\n", b"agi_network: yes\nagi_netw"],
    ids=["nothing", "half-header", "mid-line"],
)
def test_peer_closing_before_the_header_ends_is_a_protocol_error(data):
    conn = AgiConnection()
    if data:
        conn.receive_data(data)
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"")
    with pytest.raises(AgiProtocolError, match="closed"):
        conn.next_event()


def test_eof_mid_reply_line_and_mid_usage_block():
    conn = connected()
    conn.send(c.answer())
    conn.receive_data(b"200 resu")
    conn.receive_data(b"")
    with pytest.raises(AgiProtocolError, match="mid-line"):
        conn.next_event()
    conn = connected()
    conn.send(c.answer())
    conn.receive_data(b"520-Invalid\nusage\n")
    conn.receive_data(b"")
    with pytest.raises(AgiProtocolError, match="USAGE"):
        conn.next_event()


@pytest.mark.parametrize(
    "data",
    [b"GET / HTTP/1.1\n", b"Host: x\n", b"agi_x: " + b"y" * 20000],
    ids=["http", "not-agi-key", "endless-line"],
)
def test_garbage_header_is_a_protocol_error(data):
    conn = AgiConnection()
    conn.receive_data(data)
    with pytest.raises(AgiProtocolError):
        conn.next_event()


@pytest.mark.parametrize("line", [b"300 what\n", b"200 nothing\n", b"OK\n", b"200 result=1 (x\n"])
def test_unknown_reply_is_a_protocol_error(line):
    conn = connected()
    conn.send(c.answer())
    conn.receive_data(line)
    with pytest.raises(AgiProtocolError):
        conn.next_event()


def test_commands_out_of_turn_are_our_errors():
    conn = AgiConnection()
    with pytest.raises(AgiUsageError, match="HEADER"):
        conn.send(c.answer())
    conn = connected()
    conn.send(c.answer())
    with pytest.raises(AgiUsageError, match="WAITING"):
        conn.send(c.answer())


@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (c.exec_app("Dial", "PJSIP/100,30"), b'EXEC Dial "PJSIP/100,30"\n'),
        (c.exec_app("Playback", "beep"), b"EXEC Playback beep\n"),
        (c.exec_app("Goto", "hotline-operator,s,1"), b'EXEC Goto "hotline-operator,s,1"\n'),
        (c.set_variable("X", 'say "hi" \\o/'), b'SET VARIABLE X "say \\"hi\\" \\\\o/"\n'),
        (c.set_variable("NAME", "Nguyễn Văn A"), 'SET VARIABLE NAME "Nguyễn Văn A"\n'.encode()),
        (
            c.stream_file("/p/vi/main-menu", "0123456789*#"),
            b'STREAM FILE /p/vi/main-menu "0123456789*#"\n',
        ),
        (c.stream_file("/p/my prompts/x"), b'STREAM FILE "/p/my prompts/x" ""\n'),
        (
            c.record_file("/r/a", "wav", "#", 15000, beep=True, silence_s=10),
            b'RECORD FILE /r/a wav "#" 15000 0 BEEP s=10\n',
        ),
        (c.verbose("tab\there"), b'VERBOSE "tab\there" 1\n'),
    ],
)
def test_encoding(command, wire):
    assert command.encode() == wire
    assert parse_args(wire.decode().rstrip("\n"))[len(command.verb.split()) :] == [
        str(a) for a in command.args
    ]


@pytest.mark.parametrize("bad", ["a\nHANGUP", "a\rb", "a\0b", "\n"])
def test_cr_lf_nul_never_reach_the_wire(bad):
    conn = connected()
    with pytest.raises(AgiArgumentError):
        conn.send(c.set_variable("CALLER", bad))
    with pytest.raises(AgiArgumentError):
        c.exec_app("Dial", bad).encode()
    assert conn.state == IDLE  # nothing was sent; the connection is still usable
    assert conn.send(c.answer()) == b"ANSWER\n"


def test_command_line_limit():
    assert len(c.verbose("x" * 8170).encode()) <= 8192
    with pytest.raises(AgiUsageError, match="8192"):
        c.verbose("x" * 8200).encode()
    with pytest.raises(AgiArgumentError):
        Command("NOOP", (None,)).encode()


@given(st.text(st.characters(exclude_characters="\r\n\0", exclude_categories=["Cs"]), max_size=60))
def test_quoting_round_trips_through_asterisks_parser(value):
    for command in (c.set_variable("V", value), c.exec_app("Dial", value)):
        line = command.encode().decode()
        assert line.endswith("\n")
        assert parse_args(line[:-1])[len(command.verb.split()) + 1] == value


def _drive(chunks: list[bytes]) -> None:
    conn = AgiConnection()
    for chunk in [*chunks, b""]:
        conn.receive_data(chunk)
        while (event := conn.next_event()) is not NEED_DATA:
            assert isinstance(
                event,
                Request
                | Result
                | Trying
                | InvalidCommand
                | DeadChannel
                | UsageText
                | Hangup
                | EndOfStream,
            )
            if isinstance(event, EndOfStream):
                return
            if conn.state == IDLE:
                conn.send(c.noop())


LINES = st.sampled_from(
    [
        b"agi_network: yes\n",
        b"\n",
        b"HANGUP\n",
        b"200 result=0\n",
        b"200 result= (timeout)\n",
        b"511 x\n",
        b"520-x\n",
        b"520 y\n",
        b"100 result=0 Trying...\n",
        b"510 z\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), LINES), max_size=30))
def test_random_bytes_give_events_or_our_protocol_error(chunks):
    try:
        _drive(chunks)
    except AgiProtocolError:
        pass

"""Replay every real Asterisk trace through the codec: our command bytes and decoded events."""

from __future__ import annotations

import pytest
from agi_fakes import all_traces, load_trace, parse_args

from ivr import commands as c
from ivr.agi import (
    NEED_DATA,
    AgiConnection,
    Command,
    DeadChannel,
    EndOfStream,
    Hangup,
    InvalidCommand,
    Request,
    Result,
    UsageText,
)


def build(words: list[str]) -> tuple[Command, bool]:
    """Our builder for a trace's command, and whether we would produce it ourselves."""
    verb2, rest2, rest3 = " ".join(words[:2]), words[2:], words[3:]
    simple = {"ANSWER": c.answer, "HANGUP": c.hangup, "CHANNEL STATUS": c.channel_status}
    if " ".join(words) in simple:
        return simple[" ".join(words)](), True
    if words[:3] == ["WAIT", "FOR", "DIGIT"]:
        return (
            (c.wait_for_digit(int(rest3[0])), True) if rest3 else (Command(verb2 + " DIGIT"), False)
        )
    if words[:3] == ["GET", "FULL", "VARIABLE"]:
        return c.get_full_variable(rest3[0]), True
    table = {
        "STREAM FILE": lambda a: c.stream_file(*a),
        "GET DATA": lambda a: c.get_data(a[0], int(a[1]), int(a[2])),
        "SET VARIABLE": lambda a: c.set_variable(*a),
        "GET VARIABLE": lambda a: c.get_variable(*a),
        "SAY DIGITS": lambda a: c.say_digits(*a),
        "SAY NUMBER": lambda a: c.say_number(*a),
        "DATABASE PUT": lambda a: c.database_put(*a),
        "DATABASE GET": lambda a: c.database_get(*a),
        "SET MUSIC": lambda a: c.set_music(a[0] == "ON", *a[1:]),
        "RECORD FILE": record,
    }
    if verb2 in table:
        return table[verb2](rest2), True
    if words[0] == "EXEC":
        return c.exec_app(*words[1:]), True
    if words[0] == "VERBOSE":
        return c.verbose(words[1], int(words[2])), True
    if words[0] == "NOOP":
        return c.noop(*words[1:]), True
    return Command(" ".join(words)), False


def record(a: list[str]) -> Command:
    silence = next((int(x[2:]) for x in a[5:] if x.startswith("s=")), None)
    return c.record_file(a[0], a[1], a[2], int(a[3]), beep="BEEP" in a[5:], silence_s=silence)


def expected_events(trace) -> list:
    """What the `<` lines mean, read independently of the codec (shape only)."""
    out, in_usage = [Request], False
    for direction, text in trace.steps:
        if direction != "<" or text == "":
            continue
        if in_usage:
            in_usage = not text.startswith("520 ")
            if not in_usage:
                out.append(UsageText)
            continue
        kinds = {"HANGUP": Hangup, "200": Result, "510": InvalidCommand, "511": DeadChannel}
        in_usage = text.startswith("520-")
        if not in_usage:
            out.append(kinds[text] if text in kinds else kinds[text[:3]])
    return [*out, EndOfStream] if trace.eof else out


def replay(trace, chunks: list[bytes]) -> list:
    conn, events = AgiConnection(), []
    feed = iter([*chunks, *([b""] if trace.eof else [])])

    def pull_until(stop) -> None:
        while True:
            event = conn.next_event()
            if event is NEED_DATA:
                chunk = next(feed, None)
                if chunk is None:
                    return
                conn.receive_data(chunk)
                continue
            events.append(event)
            if stop(event) or isinstance(event, EndOfStream):
                return

    pull_until(lambda e: isinstance(e, Request))
    for direction, text in trace.steps:
        if direction != ">" or (events and isinstance(events[-1], EndOfStream)):
            continue
        command, ours = build(parse_args(text))
        if ours:
            assert command.encode() == (text + "\n").encode(), text
        assert conn.send(command) == (text + "\n").encode()
        pull_until(lambda e: not isinstance(e, Hangup | Request))
    if not isinstance(events[-1], EndOfStream):
        pull_until(lambda e: False)
    return events


TRACES = all_traces()


def test_there_are_traces():
    assert len(TRACES) >= 15


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
@pytest.mark.parametrize("mode", ["runs", "bytes", "all-at-once"])
def test_trace_replays(path, mode):
    trace = load_trace(path)
    header = "".join(line + "\n" for line in trace.header).encode()
    body = trace.inbound_bytes()
    if mode == "bytes":
        data = header + body
        chunks = [data[i : i + 1] for i in range(len(data))]
    elif mode == "all-at-once":
        chunks = [header + body]
    else:
        chunks = [header, *[(t + "\n").encode() for d, t in trace.steps if d == "<"]]
    events = replay(trace, chunks)
    assert [type(e) for e in events] == expected_events(trace)
    request = events[0]
    assert request.script == trace.name.split("-")[0]
    assert list(request.args) == [
        line.split(": ", 1)[1] for line in trace.header if line.startswith("agi_arg_")
    ]
    replies = iter(t for d, t in trace.steps if d == "<" and t[:4] == "200 ")
    for event in events:
        if isinstance(event, Result):
            line = f"200 result={event.raw}"
            line += f" ({event.data})" if event.data is not None else ""
            line += f" endpos={event.endpos}" if event.endpos is not None else ""
            assert line == next(replies)

# Rules: the test-side peers of pbxsim, written from PROTOCOL.md and the traces alone:
# a raw-asyncio AMI client and a FastAGI server that replays a trace's commands. Neither
# uses pbxsim's codecs nor the project's (a shared misreading must not hide).
"""Trace loaders, a raw AMI client, a replaying FastAGI server, normalisation."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from dataclasses import dataclass, field

from shared_dir import AGI_TRACES, AMI_TRACES

from pbxsim import PbxSim, SimConfig
from pbxsim.population import PopulationConfig

Msg = list[tuple[str, str]]
SCALE = 0.02  # real seconds per simulated second in these tests
IDLE_SCALE = 0.1  # where a FastAGI server's idle time races a callee's hang-up
WAIT = 10.0  # seconds any single expected event may take before a test fails

# Lengths of the stock sounds the traces play (from their endpos at 8 kHz).
DURATIONS = {"hello-world": 1.40, "beep": 0.43, "demo-congrats": 11.0, "auth-thankyou": 0.96}


def run(coro, timeout: float = 30.0):
    async def bounded():
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


def fixture_sim(agi_port: int = 4573, **overrides) -> PbxSim:
    """pbxsim set up like the Asterisk that recorded the traces."""
    config = SimConfig(
        ami_secret="hotline-test",
        agi_url=f"agi://127.0.0.1:{agi_port}",
        scale=SCALE,
        population=PopulationConfig(last_digit=True),
        prompt_durations=dict(DURATIONS),
        sounds=set(DURATIONS),
        agi_idle_timeout=5.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return PbxSim(config)


# --- AMI traces -----------------------------------------------------------------------
def parse_block(lines: list[str]) -> Msg:
    out = []
    for line in lines:
        key, _, value = line.partition(":")
        out.append((key, value[1:] if value.startswith(" ") else value))
    return out


def load_ami(name: str) -> list[tuple[str, Msg]]:
    """[('>>' | '<<', message)] in file order; the banner block is ('banner', [(text, '')])."""
    blocks: list[tuple[str, Msg]] = []
    direction, lines = None, []
    for line in (AMI_TRACES / f"{name}.ami").read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#"):
            continue
        if line.startswith((">>", "<<")):
            direction, lines = ("banner" if "banner" in line else line[:2]), []
            continue
        if line == "" and direction:
            if lines:
                blocks.append(
                    (direction, [(lines[0], "")] if direction == "banner" else parse_block(lines))
                )
            direction, lines = None, []
        elif direction:
            lines.append(line)
    return blocks


def wire(msg: Msg) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in msg).encode() + b"\r\n"


class RawAmi:
    """An AMI client from PROTOCOL.md: CRLF lines, a blank line ends a message."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.banner = b""

    @classmethod
    async def connect(cls, port: int) -> RawAmi:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        client.banner = await asyncio.wait_for(reader.readline(), WAIT)
        return client

    async def send(self, msg: Msg) -> None:
        self.writer.write(wire(msg))
        await self.writer.drain()

    async def read(self, timeout: float = WAIT) -> Msg:
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        return parse_block(raw.decode("utf-8").split("\r\n")[:-2])

    async def login(self, secret: str = "hotline-test", events: str = "on") -> Msg:
        await self.send(
            [
                ("Action", "Login"),
                ("Username", "hotline"),
                ("Secret", secret),
                ("Events", events),
                ("ActionID", "hotline-1"),
            ]
        )
        return await self.read()

    async def close(self) -> None:
        self.writer.close()


def value(msg: Msg, key: str) -> str | None:
    return next((v for k, v in msg if k == key), None)


# --- AGI traces -----------------------------------------------------------------------
@dataclass
class AgiTrace:
    header: list[tuple[str, str]]
    commands: list[str]
    replies: list[list[str]]  # Asterisk's lines after each command
    eof: bool
    idle: float = 0.0  # seconds the recording server waited for more before closing


def load_agi(name: str) -> AgiTrace:
    header, commands, replies, in_header, eof, idle = [], [], [], True, False, 0.0
    for line in (AGI_TRACES / f"{name}.agi").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            eof |= "EOF from Asterisk" in line
            if m := re.search(r"after ([\d.]+)s idle", line):
                idle = float(m.group(1))
            continue
        text = line[2:]
        if in_header:
            if text == "":
                in_header = False
            else:
                key, _, val = text.partition(": ")
                header.append((key, val))
        elif line.startswith(">"):
            commands.append(text)
            replies.append([])
        elif text:
            replies[-1].append(text)
    return AgiTrace(header, commands, replies, eof, idle)


@dataclass
class Replayed:
    header: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    eof: bool = False


TRACE_RECORDINGS = "/var/spool/hotline/recordings"  # existed where the traces were recorded


class ReplayAgi:
    """A FastAGI server that sends a trace's commands and reads as many lines as Asterisk
    answered each with (so a missing line fails fast instead of hanging). Recordings go to
    a folder of its own in place of the traces' (RECORD FILE needs an existing folder)."""

    def __init__(self, trace: AgiTrace | None, scale: float = SCALE):
        self.trace = trace
        self.scale = scale
        self.sessions: list[Replayed] = []
        self.done = asyncio.Event()
        self.recordings = tempfile.mkdtemp(prefix="pbxsim-trace-recordings-")

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer) -> None:
        got = Replayed()
        self.sessions.append(got)
        try:
            while (line := await asyncio.wait_for(reader.readline(), WAIT)) not in (b"\n", b""):
                key, _, val = line.decode().rstrip("\n").partition(": ")
                got.header.append((key, val))
            for command, expected in zip(self.trace.commands, self.trace.replies, strict=True):
                command = command.replace(TRACE_RECORDINGS, self.recordings)
                writer.write(command.encode() + b"\n")
                for _ in expected:
                    line = await asyncio.wait_for(reader.readline(), WAIT)
                    if not line:
                        got.eof = True
                        break
                    got.lines.append(line.decode().rstrip("\n"))
            if self.trace.eof:
                got.eof = await asyncio.wait_for(reader.read(), WAIT) == b""
            elif self.trace.idle:  # like the recording server: wait for more, then close
                try:
                    extra = await asyncio.wait_for(
                        reader.read(), max(0.2, self.trace.idle * self.scale)
                    )
                    got.lines += extra.decode().splitlines()
                    got.eof = True
                except TimeoutError:
                    pass
        finally:
            writer.close()
            self.done.set()

    def close(self) -> None:
        self.server.close()
        shutil.rmtree(self.recordings, ignore_errors=True)


def normal_agi_line(line: str) -> str:
    """Timing-dependent numbers out: endpos (kept when 0) and RECORD's time-left result."""
    line = re.sub(r"endpos=[1-9]\d*", "endpos=N", line)
    return re.sub(r"result=\d{4,} \(timeout\)", "result=MS (timeout)", line)


HEADER_VARIES = {"agi_uniqueid", "agi_threadid", "agi_version"}


def normal_header(header: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for key, val in header:
        val = "*" if key in HEADER_VARIES else val
        val = re.sub(r"-[0-9a-f]{8};", "-N;", val)
        out.append((key, re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", val)))
    return out


# --- AMI normalisation ----------------------------------------------------------------
ID_KEYS = re.compile(r"(Uniqueid|Linkedid)$")


def normal_events(messages: list[Msg], far_leg: str) -> list[Msg]:
    """Drop Timestamp; ids become their order of first appearance; channel sequence numbers
    go; the far leg's Exten/Priority (the fixture dialplan's position) go."""
    ids: dict[str, str] = {}
    out = []
    for msg in messages:
        channel = value(msg, "Channel") or ""
        norm = []
        for key, val in msg:
            if key in ("Timestamp", "Uptime", "LastReload"):
                continue
            if channel.endswith(far_leg) and key in ("Exten", "Priority"):
                continue
            if ID_KEYS.search(key) and val != "<unknown>":
                val = ids.setdefault(val, f"ID{len(ids)}")
            val = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", val)
            norm.append((key, re.sub(r"-[0-9a-f]{8};", "-N;", val)))
        out.append(norm)
    return out


def summary(messages: list[Msg]) -> list[str]:
    """Event names with their leg, for readable order assertions."""
    out = []
    for msg in messages:
        name = value(msg, "Event") or "Response:" + str(value(msg, "Response"))
        channel = value(msg, "Channel") or value(msg, "DestChannel") or ""
        out.append(name + (channel[-2:] if channel[-2:] in (";1", ";2") else ""))
    return out


def phases(messages: list[Msg]) -> tuple[list[str], list[str], list[str]]:
    """(up to DialBegin, the answer window, from the first hangup on) as repr lists. Real
    Asterisk answers on several threads, so the window comes in any order; the rest is
    causal."""
    names = summary(messages)
    begin = names.index("DialBegin;1") + 1 if "DialBegin;1" in names else 1
    ends = ("SoftHangupRequest", "HangupRequest", "Hangup")
    end = next((i for i, n in enumerate(names) if n.rstrip(";12") in ends), len(names))
    end = max(end, begin)
    text = list(map(repr, messages))
    return text[:begin], sorted(text[begin:end]), text[end:]


# --- a FastAGI server running a flow written in the test ------------------------------
class AgiCall:
    """One FastAGI session seen from the server: send a command, get Asterisk's result."""

    def __init__(self, reader, writer, header: dict[str, str]):
        self.reader, self.writer, self.header = reader, writer, header
        self.hung_up = False
        self.log: list[str] = []

    async def cmd(self, line: str) -> str:
        """The result line; an unsolicited HANGUP before it is noted, never returned."""
        self.writer.write(line.encode() + b"\n")
        self.log.append("> " + line)
        while True:
            raw = await asyncio.wait_for(self.reader.readline(), WAIT)
            if not raw:
                raise EOFError(line)
            text = raw.decode().rstrip("\n")
            self.log.append("< " + text)
            if text == "HANGUP":
                self.hung_up = True
                continue
            if text.startswith("520-"):
                while not text.startswith("520 "):
                    text = (await self.reader.readline()).decode().rstrip("\n")
            return text


class FlowAgi:
    """Runs `await flow(call)` for each connection, then closes the socket."""

    def __init__(self, flow):
        self.flow = flow
        self.calls: list[AgiCall] = []
        self.errors: list[BaseException] = []
        self.served = asyncio.Event()  # set each time a call's flow has finished
        self.finished = 0

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer) -> None:
        header = {}
        try:
            while (line := await reader.readline()) not in (b"\n", b""):
                key, _, val = line.decode().rstrip("\n").partition(": ")
                header[key] = val
            call = AgiCall(reader, writer, header)
            self.calls.append(call)
            await self.flow(call)
        except (EOFError, ConnectionError) as exc:
            self.errors.append(exc)
        finally:
            writer.close()
            self.finished += 1
            self.served.set()

    def close(self) -> None:
        self.server.close()


async def notice_flow(call: AgiCall) -> None:
    """A tiny outbound notice: answer, play, wait for a key, thank, hang up."""
    await call.cmd("ANSWER")
    key = await call.cmd('STREAM FILE hello-world "12"')
    if key.startswith("200 result=0 "):
        key = await call.cmd("WAIT FOR DIGIT 8000")
    await call.cmd(f'SET VARIABLE NOTICE_KEY "{key}"')
    await call.cmd('STREAM FILE auth-thankyou ""')
    await call.cmd("HANGUP")


async def originate(client: RawAmi, number: str, action_id: str, **extra: str) -> None:
    fields = [
        ("Action", "Originate"),
        ("Channel", f"Local/{number}@fake-pstn"),
        ("Context", "outbound-notice"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("CallerID", '"Hotline" <84950000000>'),
        ("Async", "true"),
        ("Variable", f"CAMPAIGN=camp1,TARGET={number}"),
        ("ActionID", action_id),
    ]
    fields = [(k, extra.pop(k, v)) for k, v in fields] + list(extra.items())
    await client.send(fields)


async def until(client: RawAmi, done) -> list[Msg]:
    """Messages up to and including the first for which done(msg) is true."""
    seen = []
    while True:
        msg = await client.read()
        seen.append(msg)
        if done(msg):
            return seen


def is_final_hangup(channel_suffix: str = ";1"):
    return lambda m: (
        value(m, "Event") == "Hangup" and (value(m, "Channel") or "").endswith(channel_suffix)
    )

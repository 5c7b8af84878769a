# Rules: test-side Asterisk, written from PROTOCOL.md and the traces, NOT with ivr.agi:
# its own command parser (a port of res_agi.c parse_args), its own reply lines.
"""Helpers for the IVR tests: trace files, Asterisk's argument parser, a scripted Asterisk."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shared_dir import AGI_TRACES as TRACES


def parse_args(line: str) -> list[str]:
    """Asterisk's parse_args(): '"' toggles quoting, '\\' escapes, space/tab split words."""
    out: list[str] = []
    cur: list[str] | None = None
    quoted = escaped = False
    for ch in line:
        if ch == '"' and not escaped:
            quoted = not quoted
            if quoted and cur is None:
                cur = []
                out.append("")
        elif ch in " \t" and not quoted and not escaped:
            if cur is not None:
                out[-1] = "".join(cur)
            cur = None
        elif ch == "\\" and not escaped:
            escaped = True
            continue
        else:
            if cur is None:
                cur = []
                out.append("")
            cur.append(ch)
        escaped = False
    if cur is not None:
        out[-1] = "".join(cur)
    return out


@dataclass
class Trace:
    name: str
    header: list[str]
    steps: list[tuple[str, str]]  # ("<", line) or (">", line) after the header
    eof: bool

    def inbound_bytes(self) -> bytes:
        return "".join(t + "\n" for d, t in self.steps if d == "<").encode()


def load_trace(path: Path) -> Trace:
    header: list[str] = []
    steps: list[tuple[str, str]] = []
    in_header, eof = True, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            eof |= "EOF from Asterisk" in line
            continue
        direction, text = line[0], line[2:]
        if in_header:
            header.append(text)
            in_header = text != ""
        else:
            steps.append((direction, text))
    return Trace(path.stem, header, steps, eof)


def all_traces() -> list[Path]:
    return sorted(TRACES.glob("*.agi"))


HEADER_TEMPLATE = [
    "agi_network: yes",
    "agi_network_script: {script}",
    "agi_request: agi://127.0.0.1:4573/{script}",
    "agi_channel: PJSIP/caller-00000001",
    "agi_language: en",
    "agi_type: PJSIP",
    "agi_uniqueid: 1795695559.1",
    "agi_version: GIT-master-f0c1c1a7",
    "agi_callerid: {callerid}",
    "agi_calleridname: Test Caller",
    "agi_callingpres: 0",
    "agi_callingani2: 0",
    "agi_callington: 0",
    "agi_callingtns: 0",
    "agi_dnid: 1022",
    "agi_rdnis: unknown",
    "agi_context: ivr-inbound",
    "agi_extension: 1022",
    "agi_priority: 4",
    "agi_enhanced: 0.0",
    "agi_accountcode: ",
    "agi_threadid: 139828670523072",
]


def header_block(script: str = "ivr", callerid: str = "0905123456", args=()) -> bytes:
    lines = [t.format(script=script, callerid=callerid) for t in HEADER_TEMPLATE]
    lines += [f"agi_arg_{n}: {a}" for n, a in enumerate(args, 1)]
    return ("\n".join(lines) + "\n\n").encode()


DEAD_REPLY = "511 Command Not Permitted on a dead channel or intercept routine\n"
DEAD_SAFE = {"EXEC", "GET", "SET", "VERBOSE", "NOOP", "DATABASE"}


@dataclass
class ScriptedAsterisk:
    """Asterisk's side of one call, driven by a caller's keys like `hotline simulate --keys`.

    Each GET DATA / WAIT FOR DIGIT takes the next key item ("" = silence until the timeout);
    when the keys run out the caller hangs up: `200 result=-1`, then HANGUP, then 511s.
    """

    keys: list[str]
    log: list[str] = field(default_factory=list)  # what the caller experienced
    commands: list[str] = field(default_factory=list)  # raw command lines received
    variables: dict[str, str] = field(default_factory=dict)
    dead: bool = False
    hangup_sent: bool = False

    def reply(self, line: str) -> str:
        """The reply lines (each ending in \\n) to one command line."""
        self.commands.append(line)
        words = parse_args(line)
        if self.dead and words[0] not in DEAD_SAFE:
            return self._hangup_line() + DEAD_REPLY
        verb = " ".join(words[:2])
        if words[0] in ("ANSWER", "NOOP", "VERBOSE"):
            return "200 result=0\n" if words[0] != "VERBOSE" else "200 result=1\n"
        if verb == "CHANNEL STATUS":
            return "200 result=6\n"
        if verb == "STREAM FILE":
            self.log.append("play " + words[2].rsplit("/", 1)[-1])
            return "200 result=0 endpos=8000\n"
        if verb == "SET VARIABLE":
            self.variables[words[2]] = words[3]
            return "200 result=1\n"
        if verb == "GET VARIABLE":
            value = self.variables.get(words[2])
            return "200 result=0\n" if value is None else f"200 result=1 ({value})\n"
        if words[0] == "EXEC":
            self.log.append(f"exec {words[1]} {words[2] if len(words) > 2 else ''}".rstrip())
            return "200 result=0\n"
        if words[0] == "HANGUP":
            self.log.append("hangup")
            self.dead = True
            return "200 result=1\n" + self._hangup_line()
        if verb == "GET DATA":
            self.log.append("play " + words[2].rsplit("/", 1)[-1])
            return self._get_data(int(words[4]))
        if words[:3] == ["WAIT", "FOR", "DIGIT"]:
            return self._wait_for_digit()
        if verb == "RECORD FILE":
            self.log.append("record")
            if not self.keys:
                return self._caller_hangs_up("200 result=-1 (hangup) endpos=8000\n")
            self.keys.pop(0)
            return "200 result=35 (dtmf) endpos=8000\n"
        return "510 Invalid or unknown command\n"

    def _get_data(self, max_digits: int) -> str:
        if not self.keys:
            return self._caller_hangs_up("200 result=-1\n")
        key = self.keys.pop(0)
        self.log.append(f"key {key or '(silence)'}")
        if key.endswith("#") or len(key) >= max_digits:
            return f"200 result={key.rstrip('#')[:max_digits]}\n"
        return f"200 result={key} (timeout)\n"

    def _wait_for_digit(self) -> str:
        if not self.keys:
            return self._caller_hangs_up("200 result=-1\n")
        key = self.keys.pop(0)
        self.log.append(f"key {key or '(silence)'}")
        return f"200 result={ord(key[0]) if key else 0}\n"

    def _caller_hangs_up(self, line: str) -> str:
        self.log.append("caller hangs up")
        self.dead = True
        return line

    def _hangup_line(self) -> str:
        if self.hangup_sent:
            return ""
        self.hangup_sent = True
        return "HANGUP\n"


def scripted_io(steps: list[tuple[str, str]]):
    """read/write coroutines for a StreamLink: each command written must equal the next
    step's command line; that step's reply text is then readable. Nothing left = EOF."""
    pending = bytearray()
    steps = list(steps)

    async def write(data: bytes) -> None:
        assert data.endswith(b"\n") and data.count(b"\n") == 1, data
        expected, reply = steps.pop(0)
        assert data.decode()[:-1] == expected
        pending.extend(reply.encode())

    async def read() -> bytes:
        data = bytes(pending)
        pending.clear()
        return data

    return read, write, steps


async def dial(port: int, fake: ScriptedAsterisk, header: bytes, gate=None) -> ScriptedAsterisk:
    """Play Asterisk's side of one FastAGI call over loopback TCP until the server closes."""
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(header)
    await writer.drain()
    while line := await asyncio.wait_for(reader.readline(), 10):
        assert line.endswith(b"\n") and b"\r" not in line, line
        text = line[:-1].decode()
        if gate is not None:
            await gate(text)
        writer.write(fake.reply(text).encode())
        await writer.drain()
    writer.close()
    return fake

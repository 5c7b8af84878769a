# Rules: a sans-I/O AGI codec in h11's manner. Bytes in (`receive_data`, b"" = the peer
# closed), events out (`next_event`, or NEED_DATA), commands to bytes (`send`). No sockets,
# no clock, no logging. Strictly one command in flight. Arguments are quoted the way
# Asterisk's parse_args() reads them ("..." groups words, \ escapes); CR, LF and NUL never
# reach the wire (AgiArgumentError). Everything the peer gets wrong is AgiProtocolError,
# raised here, at the one place bytes come in; everything we get wrong is AgiUsageError.
"""Sans-I/O AGI: the request header, command encoding with safe quoting, and replies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

MAX_COMMAND = 8192  # bytes per command line, "\n" included (res_agi.c)
MAX_LINE = 16384  # a longer line from the peer is a protocol error, not a memory sink
MAX_HEADER_LINES = 512
_SAFE = re.compile(r"[A-Za-z0-9_./:@+=${}()%\[\]-]+")
_FORBIDDEN = re.compile(r"[\r\n\0]")
_KEY = re.compile(r"agi_[A-Za-z0-9_]+")
_RESULT = re.compile(
    r"result=(?P<raw>\S*)(?: \((?P<data>.*)\))?(?: endpos=(?P<endpos>-?\d+))?(?: \S+=\S*)*"
)
_INT = re.compile(r"-?\d+")


class AgiError(Exception):
    """Base of every AGI failure."""


class AgiProtocolError(AgiError):
    """The peer broke the protocol (garbage, a line too long, EOF mid-line or mid-header)."""


class AgiUsageError(AgiError):
    """We broke the protocol: a command out of turn, too long, or rejected by Asterisk."""


class AgiArgumentError(AgiUsageError):
    """An argument holding CR, LF or NUL: refused before it could inject a command."""


class CallerHungUp(AgiError):
    """Raised by Channel (never by the codec): the call is gone; save what you have."""


# ---- events -------------------------------------------------------------------------------


class _NeedData:
    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = _NeedData()


@dataclass(frozen=True)
class Request:
    """The header block: agi_* variables, agi_arg_N as a list, the script and its ?query."""

    variables: dict[str, str]
    args: tuple[str, ...] = ()
    script: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_variables(cls, variables: dict[str, str], script: str | None = None) -> Request:
        args, n = [], 1
        while f"agi_arg_{n}" in variables:
            args.append(variables[f"agi_arg_{n}"])
            n += 1
        path = variables.get("agi_network_script", "") if script is None else script
        name, _, query = path.partition("?")
        return cls(dict(variables), tuple(args), name, dict(parse_qsl(query, True)))

    def get(self, name: str, default: str = "") -> str:
        return self.variables.get(name if name.startswith("agi_") else f"agi_{name}", default)

    @property
    def callerid(self) -> str:
        value = self.get("callerid")
        return "" if value == "unknown" else value

    @property
    def uniqueid(self) -> str:
        return self.get("uniqueid")


@dataclass(frozen=True)
class Result:
    """`200 result=<raw>[ (<data>)][ endpos=<n>]`; `result` is raw as an int when it is one."""

    raw: str
    data: str | None = None
    endpos: int | None = None

    @property
    def result(self) -> int | None:
        return int(self.raw) if _INT.fullmatch(self.raw) else None


@dataclass(frozen=True)
class Trying:
    """`100 result=0 Trying...`: the command runs; its real result follows."""

    text: str


@dataclass(frozen=True)
class InvalidCommand:
    """510: Asterisk does not know the command."""

    text: str


@dataclass(frozen=True)
class DeadChannel:
    """511: the command is not permitted on a dead channel (the caller hung up)."""

    text: str


@dataclass(frozen=True)
class UsageText:
    """520 (one line or a 520-…/520 block): wrong syntax; `usage` is the text between."""

    usage: str


@dataclass(frozen=True)
class Hangup:
    """The unsolicited HANGUP line; the pending command's result may still follow."""


@dataclass(frozen=True)
class EndOfStream:
    """The peer closed the connection."""


Event = Request | Result | Trying | InvalidCommand | DeadChannel | UsageText | Hangup | EndOfStream
Reply = Result | InvalidCommand | DeadChannel | UsageText

# ---- commands -----------------------------------------------------------------------------


class Quoted(str):
    """An argument always written in double quotes (escape digits, values, messages)."""


@dataclass(frozen=True)
class Command:
    """One AGI command. `wait_s` is how long it may legitimately run (a hint for drivers)."""

    verb: str
    args: tuple[str, ...] = ()
    wait_s: float = 0.0

    def encode(self) -> bytes:
        words = [self.verb]
        words += [_quote(a) for a in self.args]
        try:
            line = " ".join(words).encode("utf-8") + b"\n"
        except UnicodeEncodeError:
            raise AgiArgumentError(f"{self.verb} has an argument that is not text") from None
        if len(line) > MAX_COMMAND:
            raise AgiUsageError(f"{self.verb} is {len(line)} bytes; AGI allows {MAX_COMMAND}")
        return line


def _quote(arg: str) -> str:
    if isinstance(arg, bool) or not isinstance(arg, str | int | float):
        raise AgiArgumentError(f"AGI argument must be text or a number, not {arg!r}")
    text = arg if arg.__class__ is str else str(arg)
    if _FORBIDDEN.search(text):
        raise AgiArgumentError(f"AGI argument {text[:40]!r} holds CR, LF or NUL; refused")
    if not isinstance(arg, Quoted) and _SAFE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- the connection -----------------------------------------------------------------------

HEADER, IDLE, WAITING, USAGE, CLOSED = "HEADER", "IDLE", "WAITING", "USAGE", "CLOSED"


class AgiConnection:
    """One AGI session seen from the script's side (FastAGI server or classic AGI process)."""

    def __init__(self, expect_header: bool = True) -> None:
        # expect_header=False: the header was read elsewhere (pyst2 in classic AGI).
        self.state = HEADER if expect_header else IDLE
        self._buf = bytearray()
        self._eof = False
        self._header: dict[str, str] = {}
        self._usage: list[str] = []

    def receive_data(self, data: bytes) -> None:
        if self._eof and data:
            raise AgiUsageError("receive_data() after the peer closed")
        if data:
            self._buf += data
        else:
            self._eof = True

    def send(self, command: Command) -> bytes:
        if self.state != IDLE:
            raise AgiUsageError(f"cannot send {command.verb} in state {self.state}")
        data = command.encode()
        self.state = WAITING
        return data

    def next_event(self) -> Event | _NeedData:
        while True:
            if self.state == CLOSED:
                return EndOfStream()
            line = self._take_line()
            if line is None:
                return self._at_end_of_data()
            event = self._on_header(line) if self.state == HEADER else self._on_line(line)
            if event is not None:
                return event

    def _take_line(self) -> str | None:
        end = self._buf.find(b"\n")
        if end < 0:
            if len(self._buf) > MAX_LINE:
                raise AgiProtocolError(f"line longer than {MAX_LINE} bytes in state {self.state}")
            return None
        if end > MAX_LINE:
            raise AgiProtocolError(f"line longer than {MAX_LINE} bytes in state {self.state}")
        raw = bytes(self._buf[:end])
        del self._buf[: end + 1]
        return raw.rstrip(b"\r").decode("utf-8", "replace")

    def _at_end_of_data(self) -> EndOfStream | _NeedData:
        if not self._eof:
            return NEED_DATA
        if self._buf:
            raise AgiProtocolError(f"peer closed mid-line in state {self.state}")
        if self.state in (HEADER, USAGE):
            raise AgiProtocolError(f"peer closed in state {self.state}")
        self.state = CLOSED
        return EndOfStream()

    def _on_header(self, line: str) -> Request | None:
        if line == "":
            self.state = IDLE
            return Request.from_variables(self._header)
        key, sep, value = line.partition(":")
        if not sep or not _KEY.fullmatch(key):
            raise AgiProtocolError(f"header line {line[:60]!r} is not 'agi_name: value'")
        if len(self._header) >= MAX_HEADER_LINES:
            raise AgiProtocolError(f"more than {MAX_HEADER_LINES} header lines")
        self._header[key] = value[1:] if value.startswith(" ") else value
        return None

    def _on_line(self, line: str) -> Event | None:
        if line == "HANGUP":
            return Hangup()
        if self.state == USAGE:
            return self._on_usage(line)
        if line == "":
            return None  # seen after HANGUP when Asterisk exits on hangup; carries nothing
        if self.state != WAITING:
            raise AgiProtocolError(f"reply {line[:60]!r} with no command pending")
        code, text = line[:4], line[4:]
        if code == "200 ":
            return self._done(_parse_result(line))
        if code == "100 ":
            return Trying(text)
        if code == "510 ":
            return self._done(InvalidCommand(text))
        if code == "511 ":
            return self._done(DeadChannel(text))
        if code == "520 ":
            return self._done(UsageText(""))
        if code == "520-":
            self.state, self._usage = USAGE, []
            return None
        raise AgiProtocolError(f"unknown reply {line[:60]!r}")

    def _on_usage(self, line: str) -> UsageText | None:
        if line.startswith("520 "):
            return self._done(UsageText("\n".join(self._usage)))
        self._usage.append(line)
        if len(self._usage) > MAX_HEADER_LINES:
            raise AgiProtocolError("520 usage text does not end")
        return None

    def _done(self, event: Reply) -> Reply:
        self.state = IDLE
        return event


def _parse_result(line: str) -> Result:
    match = _RESULT.fullmatch(line, 4)
    if match is None:
        raise AgiProtocolError(f"cannot read result line {line[:60]!r}")
    endpos = match["endpos"]
    return Result(match["raw"], match["data"], int(endpos) if endpos is not None else None)

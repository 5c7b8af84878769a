# Asterisk's side of one FastAGI session. Rules: connect with a 2 s timeout, send the
# header block in Asterisk's field order (lines end "\n", an empty line ends it), then
# strictly one command -> one result. When the channel dies (callee, our HANGUP command,
# an AMI Hangup), the running command's result comes first, then one unsolicited
# "HANGUP" line; afterwards only dead-safe commands run, the rest get 511. Asterisk never
# closes the socket by itself unless AGIEXITONHANGUP is set (then HANGUP, HANGUP, EOF);
# pbxsim adds an idle limit so that a silent server cannot hold a simulation forever.
"""Dial a FastAGI server and answer its commands as Asterisk would."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pbxsim import (
    agi_media,  # noqa: F401  (registers the media commands)
    agiwire,
)
from pbxsim.agi_commands import HANDLERS
from pbxsim.callee import Callee
from pbxsim.dialplan import AgiTarget

CONNECT_TIMEOUT = 2.0
IDLE_GRACE = 0.25  # real seconds a server may take between commands without costing time


@dataclass
class AgiChannel:
    """What the header block and GET VARIABLE need to know about the channel."""

    name: str
    uniqueid: str
    tech: str
    context: str
    extension: str
    priority: int
    callerid: str = ""
    calleridname: str = ""
    accountcode: str = ""
    language: str = "en"
    up: bool = True
    exit_on_hangup: bool = False
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class AgiEnv:
    """Services of the PBX around one session (shared by all sessions of a sim)."""

    sleep: Callable[[float], Awaitable[None]]
    sound_exists: Callable[[str], bool] = lambda name: True
    sound_seconds: Callable[[str], float] = lambda name: 2.0
    database: dict[tuple[str, str], str] = field(default_factory=dict)
    idle_timeout: float = 10.0
    version: str = "18.0.0-pbxsim"
    scale: float = 1.0  # real seconds per virtual second


@dataclass
class Hooks:
    """Call-level reactions (AMI events) to what happens inside the session."""

    on_answer: Callable[[], None] = lambda: None
    on_agi_hangup: Callable[[], None] = lambda: None
    on_caller_hangup: Callable[[], None] = lambda: None
    on_music: Callable[[bool, str], None] = lambda on, music_class: None


class AgiSession:
    def __init__(
        self,
        env: AgiEnv,
        chan: AgiChannel,
        callee: Callee,
        target: AgiTarget,
        hooks: Hooks | None = None,
        transcript: list[str] | None = None,
    ) -> None:
        self.env = env
        self.chan = chan
        self.callee = callee
        self.target = target
        self.hooks = hooks or Hooks()
        self.transcript = transcript
        self.t = 0.0  # virtual seconds since the session started
        self.dead_by: str | None = None
        self.far_gone = False  # the callee has hung up (possibly after our HANGUP)
        self.killed = False  # an AMI Hangup hit this channel
        self._killed = asyncio.Event()
        self.hangup_noted = False
        self.heard: list[str] = []
        self._writer: asyncio.StreamWriter | None = None
        self._busy = False

    # --- the clock and the line -------------------------------------------------------
    def remaining(self) -> float:
        """Virtual seconds until the callee hangs up of their own accord."""
        if self.dead_by or self.killed:
            return 0.0
        if self.callee.hangup_at is None:
            return math.inf
        return max(0.0, self.callee.hangup_at - self.t)

    async def spend(self, seconds: float) -> float:
        """Let `seconds` of call time pass; an AMI Hangup cuts it short. Returns the time
        actually spent (less than asked only when the channel was hung up meanwhile)."""
        real = seconds * self.env.scale
        if self.killed or real <= 0:
            if not self.killed:
                self.t += seconds
                await self.env.sleep(seconds)
            return 0.0 if self.killed else seconds
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await asyncio.wait_for(self._killed.wait(), real)
        except TimeoutError:
            self.t += seconds
            return seconds
        spent = min(seconds, (loop.time() - started) / self.env.scale)
        self.t += spent
        return spent

    def die(self, by: str) -> None:
        """The channel goes dead (by: agi, ami, caller, idle); AMI hears of it via the hooks.

        The far end may still hang up after our own HANGUP: that is reported too."""
        if self.killed and by == "caller":
            by = "ami"
        if by in ("caller", "idle") and not self.far_gone:
            self.far_gone = True
            if not self.dead_by:
                self.dead_by = by
            self.hooks.on_caller_hangup()
        elif not self.dead_by:
            self.dead_by = by
            self.hooks.on_agi_hangup()

    def _idle_wait(self) -> tuple[float, bool]:
        """(real seconds to wait for a command, whether the callee's deadline ends it).

        The server's own think time costs no virtual time (it is fast next to a person);
        only a server idle past IDLE_GRACE real seconds lets a callee's deadline pass."""
        if self.far_gone or self.callee.hangup_at is None:
            return self.env.idle_timeout, False
        left = max(IDLE_GRACE, (self.callee.hangup_at - self.t) * self.env.scale)
        return (left, True) if left < self.env.idle_timeout else (self.env.idle_timeout, False)

    def kill(self) -> None:
        """AMI Hangup: the channel dies now. A running command ends with -1 (its waits are
        cut short); between commands the HANGUP line goes at once."""
        self.killed = True
        self._killed.set()
        if not self._busy and self._writer and not self.dead_by:
            self.die("ami")
            self._note_hangup()

    def _send(self, text: str) -> None:
        if self.transcript is not None:
            self.transcript.extend("< " + line for line in text.splitlines())
        if self._writer and not self._writer.is_closing():
            self._writer.write(text.encode("utf-8"))

    def _note_hangup(self) -> None:
        if self.dead_by and not self.hangup_noted:
            self.hangup_noted = True
            self._send("HANGUP\n")
            if self.chan.exit_on_hangup:
                self._send("HANGUP\n")

    # --- the session ------------------------------------------------------------------
    def header(self) -> str:
        c = self.chan
        lines = [("agi_network", "yes")]
        if self.target.script:
            lines.append(("agi_network_script", self.target.script))
        lines += [
            ("agi_request", self.target.request),
            ("agi_channel", c.name),
            ("agi_language", c.language),
            ("agi_type", c.tech),
            ("agi_uniqueid", c.uniqueid),
            ("agi_version", self.env.version),
            ("agi_callerid", c.callerid or "unknown"),
            ("agi_calleridname", c.calleridname or "unknown"),
            ("agi_callingpres", "0"),
            ("agi_callingani2", "0"),
            ("agi_callington", "0"),
            ("agi_callingtns", "0"),
            ("agi_dnid", "unknown"),
            ("agi_rdnis", "unknown"),
            ("agi_context", c.context),
            ("agi_extension", c.extension),
            ("agi_priority", str(c.priority)),
            ("agi_enhanced", "0.0"),
            ("agi_accountcode", c.accountcode),
            ("agi_threadid", str(threading.get_ident())),
        ]
        lines += [(f"agi_arg_{i}", a) for i, a in enumerate(self.target.args, 1)]
        return "".join(f"{k}: {v}\n" for k, v in lines) + "\n"

    async def run(self) -> str:
        """Runs until the server closes (or the idle limit); returns AGISTATUS."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.target.host, self.target.port), CONNECT_TIMEOUT
            )
        except (TimeoutError, OSError):
            return "FAILURE"
        self._writer = writer
        try:
            self._send(self.header())
            await self._loop(reader)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # ValueError: a line past the reader's limit; Asterisk would drop it too
        finally:
            await self._close(reader, writer)
        return "HANGUP" if self.dead_by else "SUCCESS"

    async def _loop(self, reader: asyncio.StreamReader) -> None:
        while not (self.hangup_noted and self.chan.exit_on_hangup):
            await self._writer.drain()
            wait, deadline = self._idle_wait()
            try:
                raw = await asyncio.wait_for(reader.readline(), wait)
            except TimeoutError:
                if deadline:  # the callee hangs up while the server is idle
                    self.t = max(self.t, self.callee.hangup_at)
                    self.die("caller")
                elif self.dead_by:
                    return  # Asterisk would wait forever; a simulation must end
                else:
                    self.die("idle")
                self._note_hangup()
                continue
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if self.transcript is not None:
                self.transcript.append("> " + line)
            if not line.strip():
                continue
            self._busy = True
            try:
                reply = await self.execute(line)
            finally:
                self._busy = False
            if self.killed:
                self.die("ami")  # an AMI Hangup landed during the command
            self._send(reply)
            self._note_hangup()

    async def execute(self, line: str) -> str:
        args = agiwire.parse_args(line[: agiwire.MAX_LINE])
        spec = agiwire.find(args)
        if spec is None or spec.words not in HANDLERS:
            return agiwire.INVALID
        if not spec.min_argc <= len(args) <= spec.max_argc:
            return agiwire.usage(spec)
        if self.dead_by and not spec.dead_ok:
            return agiwire.DEAD
        try:
            return await HANDLERS[spec.words](self, args)
        except (ValueError, IndexError):
            return agiwire.usage(spec)

    async def _close(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Half-close first so the server reads every line we sent before the FIN."""
        try:
            await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
            await asyncio.wait_for(reader.read(), 1.0)
        except (TimeoutError, OSError):
            pass
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass

# Rules: the Channel is all a flow sees of a call, the same under every driver. Prompts are
# played by absolute path without extension, <sounds_dir>/<lang>/<prompt id>, in the caller's
# language (held here, default "vi"; never agi_language). Every value goes through the
# codec's quoting. A hangup raises CallerHungUp: after a HANGUP line, a 511, the end of the
# stream, `(hangup)`, or a -1 that a CHANNEL STATUS probe confirms (a -1 alone is NOT a
# hangup: a missing prompt gives -1 too). A prompt that cannot be played on a live line
# raises PromptMissing (the safety net apologises and hands the caller to an operator: a
# hole in a sentence is worse than a human). After a hangup only dead-safe commands
# (variables, EXEC, VERBOSE) are still sent, so a flow can save what it has. RECORD FILE is
# the one command whose failure is not a hangup: `(writefile)` or any other -1 on a live
# line is RecordingFailed, and a hangup during it (HungUpWhileRecording) still tells how
# much was recorded.
"""The Channel a flow talks to: answer, play, ask, record, say, variables, transfer, hang up."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ivr import commands as cmd
from ivr import speech
from ivr.agi import (
    AgiError,
    AgiProtocolError,
    AgiUsageError,
    CallerHungUp,
    Command,
    DeadChannel,
    Request,
    Result,
)
from ivr.link import Exchange

log = logging.getLogger("hotline.ivr")

DEFAULT_SOUNDS_DIR = Path(__file__).resolve().parent.parent / "prompts" / "sounds"
DEFAULT_OPERATOR = "Goto:hotline-operator,s,1"
ALL_KEYS = "0123456789*#"
LANGS = ("vi", "en")
DEAD_SAFE = (
    "EXEC",
    "GET VARIABLE",
    "GET FULL VARIABLE",
    "SET VARIABLE",
    "VERBOSE",
    "NOOP",
    "DATABASE",
)
_PROMPT_ID = re.compile(r"[A-Za-z0-9_-]+")
PROMPT_COMMANDS = ("STREAM FILE", "GET DATA")


class PromptMissing(AgiError):
    """Asterisk could not play a prompt (no such file) on a line that is still up."""

    def __init__(self, path: str) -> None:
        super().__init__(f"prompt {path} cannot be played (missing file?)")
        self.path = path


class Link(Protocol):
    request: Request | None

    async def call(self, command: Command) -> Exchange: ...


@dataclass(frozen=True)
class Digits:
    """What the caller typed; `timed_out` tells a timeout (maybe with partial digits) apart."""

    digits: str
    timed_out: bool = False

    @property
    def key(self) -> str | None:
        return self.digits[:1] or None


@dataclass(frozen=True)
class Recording:
    path: str
    ended_by: str  # "dtmf" | "timeout" | "hangup"
    digit: str | None = None
    endpos: int | None = None  # samples Asterisk wrote (8 kHz for wav); None when unknown


class RecordingFailed(AgiError):
    """Asterisk could not record (`writefile`: the folder is missing or not writable, or any
    other -1 from RECORD FILE on a line that is still up). The caller is still there."""


class HungUpWhileRecording(CallerHungUp):
    """The caller hung up during RECORD FILE; `recording` is what was recorded until then."""

    def __init__(self, message: str, recording: Recording) -> None:
        super().__init__(message)
        self.recording = recording


class Channel:
    """One call. Context keys it reads: sounds_dir, operator ("App:data"), lang."""

    def __init__(self, link: Link, request: Request, context: Mapping[str, Any] | None = None):
        self._link = link
        self.request = request
        self.context = dict(context or {})
        self.sounds_dir = str(self.context.get("sounds_dir") or DEFAULT_SOUNDS_DIR)
        self.operator = str(self.context.get("operator") or DEFAULT_OPERATOR)
        asked = request.query.get("lang") or self.context.get("lang")
        self.lang = asked if asked in LANGS else "vi"  # it becomes part of every prompt path
        self.hung_up = False
        self.closed = False
        self.transferred_to: str | None = None
        self.protocol_error: AgiProtocolError | None = None

    # ---- what the request says --------------------------------------------------------
    @property
    def args(self) -> tuple[str, ...]:
        return self.request.args

    @property
    def callerid(self) -> str:
        return self.request.callerid

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def prompt_path(self, prompt_id: str) -> str:
        if not _PROMPT_ID.fullmatch(prompt_id):
            raise AgiUsageError(f"prompt id {prompt_id!r} is not a sound-file stem")
        return f"{self.sounds_dir}/{self.lang}/{prompt_id}"

    # ---- call control -----------------------------------------------------------------
    async def answer(self) -> None:
        await self._run(cmd.answer())

    async def hangup(self) -> None:
        """Hang up (a no-op when the caller already has); the driver then closes the socket."""
        if not self.hung_up:
            await self._run(cmd.hangup())
            self.hung_up = True

    async def transfer(self, target: str | None = None) -> int | None:
        """Send the caller to the operator: "Dial:PJSIP/100,30" or "Goto:context,exten,prio"."""
        app, _, data = (target or self.operator).partition(":")
        if self.hung_up:
            raise CallerHungUp("caller hung up before the transfer")
        reply = await self._run(cmd.exec_app(app, data or None))
        self.transferred_to = target or self.operator
        return reply.result

    async def exec(self, application: str, data: str | None = None) -> int | None:
        return (await self._run(cmd.exec_app(application, data))).result

    async def get_variable(self, name: str) -> str | None:
        reply = await self._run(cmd.get_variable(name))
        return reply.data if reply.result == 1 else None

    async def set_variable(self, name: str, value: str) -> None:
        await self._run(cmd.set_variable(name, value))

    async def verbose(self, message: str, level: int = 1) -> None:
        await self._run(cmd.verbose(message, level))

    # ---- media --------------------------------------------------------------------------
    async def play(self, prompts: Iterable[str], escape: str = "") -> str | None:
        """Play prompts in order; the escape digit pressed (which stops them), or None."""
        for prompt in prompts:
            key = await self._stream(prompt, escape)
            if key:
                return key
        return None

    async def ask(
        self,
        prompts: Iterable[str],
        timeout: float = 6.0,
        max_digits: int = 1,
        terminator: str = "#",
    ) -> Digits:
        """Play prompts (any key interrupts) and collect up to max_digits digits."""
        prompts = list(prompts)
        first = None
        for prompt in prompts[:-1]:
            if first := await self._stream(prompt, ALL_KEYS):
                break
        if first is None and prompts and terminator == "#":
            command = cmd.get_data(self.prompt_path(prompts[-1]), _ms(timeout), max_digits)
            reply = await self._media(command)
            return Digits(reply.raw, timed_out=reply.data == "timeout")
        if first is None and prompts:
            first = await self._stream(prompts[-1], ALL_KEYS)
        return await self._collect(first or "", timeout, max_digits, terminator)

    async def _collect(self, digits: str, timeout: float, max_digits: int, term: str) -> Digits:
        if term and digits == term:
            return Digits("")
        while len(digits) < max_digits:
            reply = await self._media(cmd.wait_for_digit(_ms(timeout)))
            if not reply.result or reply.result < 0:
                return Digits(digits, timed_out=True)
            if chr(reply.result) == term:
                return Digits(digits)
            digits += chr(reply.result)
        return Digits(digits)

    async def record(
        self,
        path: str,
        fmt: str = "wav",
        escape: str = "#",
        max_s: float = 60,
        silence_s: int | None = None,
        beep: bool = True,
    ) -> Recording:
        """Record the caller to `path`.<fmt>: ended by an escape digit, silence or max_s.

        RecordingFailed when Asterisk cannot record; HungUpWhileRecording (a CallerHungUp)
        when the caller hangs up, with what was recorded (the file stays)."""
        command = cmd.record_file(path, fmt, escape, _ms(max_s), beep, silence_s)
        try:
            reply = await self._exchange(command)
        except CallerHungUp as exc:
            raise HungUpWhileRecording(str(exc), Recording(path, "hangup")) from None
        code = reply.result
        if reply.data == "hangup" or self.hung_up:
            self.hung_up = True
            message = "caller hung up during RECORD FILE"
            raise HungUpWhileRecording(message, Recording(path, "hangup", None, reply.endpos))
        if reply.data == "randomerror" and code and code > 0:  # a key during the beep
            return Recording(path, "dtmf", chr(code), 0)
        if code is None or code < 0:
            if reply.data != "writefile":  # a dead line gives -1 too: ask
                try:
                    await self._run(cmd.channel_status())
                except CallerHungUp:
                    recording = Recording(path, "hangup", None, reply.endpos)
                    message = "caller hung up during RECORD FILE"
                    raise HungUpWhileRecording(message, recording) from None
            why = reply.data or f"result={reply.raw}"
            raise RecordingFailed(f"Asterisk could not record {path}.{fmt} ({why})")
        if reply.data == "dtmf" and code:
            return Recording(path, "dtmf", chr(code), reply.endpos)
        return Recording(path, "timeout", None, reply.endpos)

    async def say_number(self, n: int, escape: str = "") -> str | None:
        return await self.play(speech.number_prompts(n, self.lang), escape)

    async def say_date(self, d: datetime.date, escape: str = "") -> str | None:
        return await self.play(speech.date_prompts(d, self.lang), escape)

    async def say_time(self, t: datetime.time, escape: str = "") -> str | None:
        return await self.play(speech.time_prompts(t, self.lang), escape)

    async def say_digits(self, text: str, groups=None, escape: str = "") -> str | None:
        return await self.play(speech.digits_prompts(text, self.lang, groups), escape)

    async def _stream(self, prompt: str, escape: str) -> str | None:
        reply = await self._media(cmd.stream_file(self.prompt_path(prompt), escape))
        return chr(reply.result) if reply.result and reply.result > 0 else None

    # ---- the exchange, and what counts as a hangup ------------------------------------
    async def _media(self, command: Command) -> Result:
        """A command whose -1 may mean hangup: `(hangup)` says so; otherwise probe."""
        reply = await self._run(command)
        if reply.result == -1:
            if reply.data == "hangup":
                self.hung_up = True
                raise CallerHungUp(f"caller hung up during {command.verb}")
            await self._run(cmd.channel_status())  # raises CallerHungUp if the line is dead
            if command.verb in PROMPT_COMMANDS:
                raise PromptMissing(command.args[0])
            log.warning("%s failed (-1) on a live channel: %s", command.verb, command.args[:1])
        return reply

    async def _run(self, command: Command) -> Result:
        reply = await self._exchange(command)
        if self.hung_up and not command.verb.startswith(DEAD_SAFE):
            raise CallerHungUp(f"caller hung up during {command.verb}")
        return reply

    async def _exchange(self, command: Command) -> Result:
        """One command and its Result, even when a HANGUP line came with it; CallerHungUp
        only when there is no result to give (dead line, 511, end of stream)."""
        dead_safe = command.verb.startswith(DEAD_SAFE)
        if self.closed or (self.hung_up and not dead_safe):
            raise CallerHungUp(f"caller hung up before {command.verb}")
        try:
            exchange = await self._link.call(command)
        except AgiProtocolError as exc:
            self.closed = self.hung_up = True
            self.protocol_error = exc
            raise CallerHungUp(f"connection lost during {command.verb}: {exc}") from exc
        self.hung_up |= exchange.hangup or exchange.closed
        self.closed |= exchange.closed
        reply = exchange.reply
        if reply is None or isinstance(reply, DeadChannel):
            self.hung_up = True
            raise CallerHungUp(f"caller hung up during {command.verb}")
        if not isinstance(reply, Result):
            detail = getattr(reply, "usage", None) or getattr(reply, "text", "")
            raise AgiUsageError(f"Asterisk rejected {command.verb}: {detail}".strip())
        return reply


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))

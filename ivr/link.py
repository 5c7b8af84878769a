# Rules: the one place where the AGI codec meets byte I/O (h11 + httpcore's manner): send a
# command, then read only while the codec asks for more, until the command's reply. HANGUP
# lines and 100 Trying are folded into the Exchange; EOF and network errors become
# `closed`; every read has a deadline (read_timeout + what the command may take), and a
# missed deadline is AgiTimeout; one lazy timer per connection enforces it. FastAGI and
# classic AGI differ only in read/write.
"""An AGI session over any async byte stream: request header in, command/reply exchanges."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ivr.agi import (
    NEED_DATA,
    AgiConnection,
    AgiProtocolError,
    Command,
    EndOfStream,
    Hangup,
    Reply,
    Request,
    Trying,
)

Read = Callable[[], Awaitable[bytes]]  # b"" at EOF
Write = Callable[[bytes], Awaitable[None]]


class AgiTimeout(AgiProtocolError):
    """The peer sent nothing within the deadline."""


@dataclass(frozen=True)
class Exchange:
    """What came back for one command: its reply (None if the stream ended first)."""

    reply: Reply | None
    hangup: bool = False  # a HANGUP line arrived during this exchange
    closed: bool = False  # the peer closed the stream


class StreamLink:
    """Our codec over `read()`/`write()`; one command in flight, as AGI requires."""

    def __init__(self, read: Read, write: Write, read_timeout: float = 30.0,
                 expect_header: bool = True) -> None:  # fmt: skip
        self._read, self._write = read, write
        self.read_timeout = read_timeout
        self.conn = AgiConnection(expect_header)
        self.request: Request | None = None
        self._watchdog = _Watchdog()
        self._hangup = False

    async def read_request(self) -> Request:
        """The header block; AgiProtocolError (AgiTimeout) when it does not come whole."""
        event = await self._until_reply(self.read_timeout, "the header")
        if not isinstance(event, Request):  # pragma: no cover - only Request in HEADER state
            raise AgiProtocolError(f"unexpected {event!r} in the header")
        self.request = event
        return event

    async def call(self, command: Command) -> Exchange:
        data = self.conn.send(command)
        try:
            await self._write(data)
        except OSError:
            return Exchange(None, closed=True)
        self._hangup = False
        event = await self._until_reply(self.read_timeout + command.wait_s, command.verb)
        if isinstance(event, EndOfStream):
            return Exchange(None, self._hangup, closed=True)
        return Exchange(event, self._hangup)

    async def _until_reply(self, seconds: float, what: str):
        """Read only while the codec needs data; the hot path of every command."""
        conn, watchdog = self.conn, self._watchdog
        watchdog.arm(seconds)
        try:
            while True:
                event = conn.next_event()
                if event is NEED_DATA:
                    try:
                        data = await self._read()
                    except OSError:
                        data = b""
                    conn.receive_data(data)
                elif event.__class__ is Hangup:
                    self._hangup = True
                elif event.__class__ is not Trying:
                    return event
        except asyncio.CancelledError:
            watchdog.raise_if_expired(seconds, what)
            raise
        finally:
            watchdog.disarm()

    def close(self) -> None:
        self._watchdog.stop()


class _Watchdog:
    """A read deadline costing one timer per connection, not one per command.

    Each arm() only moves the deadline (a float); the single timer, when it fires, either
    finds the deadline passed and cancels the waiting task (-> AgiTimeout), or re-arms for
    the new deadline. asyncio.timeout() per command cost a third of the server's time.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._owner: asyncio.Task | None = None
        self._deadline = 0.0
        self._task: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._expired = False

    def arm(self, seconds: float) -> None:
        if seconds == float("inf"):
            return
        if self._loop is None:  # once: on 3.11 each lookup costs a getpid() syscall
            self._loop, self._owner = asyncio.get_running_loop(), asyncio.current_task()
        loop = self._loop
        self._deadline = loop.time() + seconds
        self._task, self._expired = self._owner, False
        if self._timer is not None and self._timer.when() > self._deadline:
            self._timer.cancel()
            self._timer = None
        if self._timer is None:
            self._timer = loop.call_at(self._deadline, self._check)

    def disarm(self) -> None:
        self._task = None

    def raise_if_expired(self, seconds: float, what: str) -> None:
        """Inside `except CancelledError`: our own cancellation becomes AgiTimeout."""
        if self._expired and self._task is not None:
            self._expired = False
            self._task.uncancel()
            raise AgiTimeout(f"peer silent for {seconds:g} s, waiting for {what}") from None

    def _check(self) -> None:
        self._timer = None
        if self._task is None:
            return
        loop = self._loop
        if loop.time() >= self._deadline:
            self._expired = True
            self._task.cancel()
        else:
            self._timer = loop.call_at(self._deadline, self._check)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

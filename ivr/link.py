# Rules: the one place where the AGI codec meets byte I/O (h11 + httpcore's manner): send a
# command, then read only while the codec asks for more, until the command's reply. HANGUP
# lines and 100 Trying are folded into the Exchange; EOF and network errors become
# `closed`; every read has a deadline (read_timeout + what the command may take), and a
# missed deadline is AgiTimeout. FastAGI and classic AGI differ only in read/write.
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

    def __init__(
        self, read: Read, write: Write, read_timeout: float = 30.0, expect_header: bool = True
    ) -> None:
        self._read, self._write = read, write
        self.read_timeout = read_timeout
        self.conn = AgiConnection(expect_header)
        self.request: Request | None = None

    async def read_request(self) -> Request:
        """The header block; AgiProtocolError (AgiTimeout) when it does not come whole."""
        async with _deadline(self.read_timeout, "the AGI header"):
            while True:
                event = self.conn.next_event()
                if event is NEED_DATA:
                    self.conn.receive_data(await self._safe_read())
                elif isinstance(event, Request):
                    self.request = event
                    return event
                else:  # pragma: no cover - the codec only yields Request in HEADER state
                    raise AgiProtocolError(f"unexpected {event!r} in the header")

    async def call(self, command: Command) -> Exchange:
        data = self.conn.send(command)
        try:
            await self._write(data)
        except (ConnectionError, OSError):
            return Exchange(None, closed=True)
        hangup = False
        async with _deadline(self.read_timeout + command.wait_s, f"the reply to {command.verb}"):
            while True:
                event = self.conn.next_event()
                if event is NEED_DATA:
                    self.conn.receive_data(await self._safe_read())
                elif isinstance(event, Hangup):
                    hangup = True
                elif isinstance(event, EndOfStream):
                    return Exchange(None, hangup, closed=True)
                elif not isinstance(event, Trying):
                    return Exchange(event, hangup)

    async def _safe_read(self) -> bytes:
        try:
            return await self._read()
        except (ConnectionError, OSError):
            return b""


class _deadline:
    """asyncio.timeout that raises AgiTimeout naming what we waited for."""

    def __init__(self, seconds: float, what: str) -> None:
        self._timeout = asyncio.timeout(None if seconds == float("inf") else seconds)
        self._seconds, self._what = seconds, what

    async def __aenter__(self) -> None:
        await self._timeout.__aenter__()

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        try:
            return bool(await self._timeout.__aexit__(exc_type, exc, tb))
        except TimeoutError:
            raise AgiTimeout(f"no {self._what} within {self._seconds:g} s") from None

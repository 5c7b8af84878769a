# Rules: a small asyncio FastAGI server over our own codec (panoramisk's FastAGI spins on an
# early close, shifts results after HANGUP and breaks plain functions on 3.11). One task per
# connection over a bare BufferedProtocol (no StreamReader, no 256 KiB recv per read); a
# deadline on every read; a peer that closes or stalls before its header is dropped with
# one debug line; the socket is closed when the flow ends (Asterisk never closes it by
# itself after a hangup). Routes by agi_network_script's name; the safety net is
# ivr.runtime.run_call. close(grace) stops accepting, lets calls finish, then cuts them.
# A peer outside the allowlist (default loopback only) is aborted the moment it connects,
# before a byte of its header is read; refusals are counted and logged at most once per
# peer per minute (ivr.peers.RefusalLog, on the injected monotonic clock).
"""The FastAGI server: `hotline agi serve`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ivr.agi import AgiProtocolError
from ivr.channel import Channel
from ivr.link import StreamLink
from ivr.peers import LOOPBACK, Allowlist, Network, RefusalLog
from ivr.runtime import Flow, run_call

log = logging.getLogger("hotline.ivr.fastagi")
MAX_BUFFERED = 65536  # stop reading a peer that sends this much nobody asked for
READ_BUFFER = 65536


class _Connection(asyncio.BufferedProtocol):
    """Bytes in and out of one socket, as the read()/write() a StreamLink wants.

    Reads land in one buffer shared by every connection of the loop (copied out at once):
    asyncio's plain recv() allocates 256 KiB per read, which glibc serves with an
    mmap/mremap/munmap triple per command: a third of the server's CPU under load.
    """

    _buffer = memoryview(bytearray(READ_BUFFER))

    def __init__(self, server: FastAgiServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._eof = False
        self._waiter: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self._loop = asyncio.get_running_loop()
        peer = transport.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) else str(peer)
        if not self.server.allowlist.admits(address):
            transport.abort()
            self.server._refuse(address)
            return
        self.server._start(self)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self._buffer[:nbytes]))

    def data_received(self, data: bytes) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(data)
            self._waiter = None
            return
        self._chunks.append(data)
        self._size += len(data)
        if self._size > MAX_BUFFERED:
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self._end()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()

    def _end(self) -> None:
        self._eof = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(b"")

    async def read(self) -> bytes:
        if self._chunks:
            data = b"".join(self._chunks)
            self._chunks, self._size = [], 0
            self.transport.resume_reading()
            return data
        if self._eof:
            return b""
        self._waiter = self._loop.create_future()
        return await self._waiter

    async def write(self, data: bytes) -> None:
        if self.transport.is_closing():
            raise ConnectionResetError("the AGI peer has gone")
        self.transport.write(data)


class FastAgiServer:
    def __init__(
        self,
        routes: Mapping[str, Flow],
        *,
        host: str = "127.0.0.1",
        port: int = 4573,
        read_timeout: float = 30.0,
        grace: float = 10.0,
        allow: Iterable[Network] = LOOPBACK,
        monotonic: Callable[[], float] = time.monotonic,
        **flow_context: Any,
    ) -> None:
        self.routes = routes
        self.host, self.port = host, port
        self.read_timeout, self.grace = read_timeout, grace
        self.allowlist = Allowlist(tuple(allow))
        self.monotonic = monotonic
        self.flow_context = flow_context
        self.calls_started = 0
        self.peers_refused = 0
        self._refusals = RefusalLog()
        self.outcomes: dict[str, int] = {}
        self._server: asyncio.Server | None = None
        self._calls: dict[asyncio.Task, _Connection] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> int:
        """Listen; returns the bound port (port=0 picks a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), self.host, self.port, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("FastAGI listening on %s:%d", self.host, self.port)
        return self.port

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    async def wait_idle(self) -> None:
        """Return once no connection is being served."""
        await self._idle.wait()

    async def close(self, grace: float | None = None) -> None:
        """Stop accepting; calls in progress get `grace` seconds to finish, then are cut."""
        if self._server is None:
            return
        self._server.close()
        grace = self.grace if grace is None else grace
        if self._calls:
            log.info("waiting up to %gs for %d call(s) to finish", grace, len(self._calls))
            _, still = await asyncio.wait(set(self._calls), timeout=grace)
            for task in still:
                self._calls[task].transport.abort()
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1.0)
                log.warning("cut %d call(s) still running after the grace period", len(still))
        await self._server.wait_closed()
        self._server = None

    def _refuse(self, address: str) -> None:
        self.peers_refused += 1
        held_back = self._refusals.refused(address, self.monotonic())
        if held_back == 0:
            log.warning(
                "refused a FastAGI connection from %s: not in the allowlist (agi serve "
                "--allow); further refusals from it are logged at most once a minute",
                address,
            )
        elif held_back is not None:
            log.warning(
                "refused a FastAGI connection from %s again (%d more since the last line)",
                address,
                held_back,
            )

    def _start(self, connection: _Connection) -> None:
        task = asyncio.get_running_loop().create_task(self._call(connection))
        self._calls[task] = connection
        self._idle.clear()
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._calls.pop(task).transport.close()
        if not self._calls:
            self._idle.set()

    async def _call(self, connection: _Connection) -> None:
        link = StreamLink(connection.read, connection.write, self.read_timeout)
        try:
            request = await link.read_request()
        except AgiProtocolError as exc:
            link.close()
            log.debug("dropped a connection before its AGI header: %s", exc)
            return
        self.calls_started += 1
        channel = Channel(link, request, self.flow_context)
        try:
            outcome = await run_call(self.routes, channel)
        finally:
            link.close()
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        log.info(
            "call %s route %r from %s: %s",
            request.uniqueid,
            request.script,
            request.callerid or "unknown",
            outcome,
        )
        if channel.protocol_error is not None:
            log.warning("call %s: %s", request.uniqueid, channel.protocol_error)

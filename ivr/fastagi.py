# Rules: a small asyncio FastAGI server over our own codec (panoramisk's FastAGI spins on an
# early close, shifts results after HANGUP and breaks plain functions on 3.11). One task per
# connection; a deadline on every read; a peer that closes or stalls before its header is
# dropped with one debug line; the socket is closed when the flow ends (Asterisk never closes
# it by itself after a hangup). Routes by agi_network_script's name; the safety net is
# ivr.runtime.run_call. close(grace) stops accepting, lets calls finish, then cuts them.
"""The FastAGI server: `hotline agi serve`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from ivr.agi import AgiProtocolError
from ivr.channel import Channel
from ivr.link import StreamLink
from ivr.runtime import Flow, run_call

log = logging.getLogger("hotline.ivr.fastagi")
READ_CHUNK = 65536


class FastAgiServer:
    def __init__(
        self,
        routes: Mapping[str, Flow],
        *,
        host: str = "127.0.0.1",
        port: int = 4573,
        read_timeout: float = 30.0,
        grace: float = 10.0,
        **flow_context: Any,
    ) -> None:
        self.routes = routes
        self.host, self.port = host, port
        self.read_timeout, self.grace = read_timeout, grace
        self.flow_context = flow_context
        self.calls_started = 0
        self.outcomes: dict[str, int] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> int:
        """Listen; returns the bound port (port=0 picks a free one)."""
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, backlog=1024, limit=READ_CHUNK
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("FastAGI listening on %s:%d", self.host, self.port)
        return self.port

    @property
    def active_calls(self) -> int:
        return len(self._tasks)

    async def close(self, grace: float | None = None) -> None:
        """Stop accepting; calls in progress get `grace` seconds to finish, then are cut."""
        if self._server is None:
            return
        self._server.close()
        pending = set(self._tasks)
        if pending:
            log.info("waiting up to %gs for %d call(s) to finish", self._grace(grace), len(pending))
            _, still = await asyncio.wait(pending, timeout=self._grace(grace))
            for task in still:
                task.cancel()
            for writer in list(self._writers):
                writer.transport.abort()
            if still:
                await asyncio.wait(still, timeout=1.0)
                log.warning("cut %d call(s) still running after the grace period", len(still))
        await self._server.wait_closed()
        self._server = None

    async def wait_idle(self) -> None:
        """Return once no connection is being served."""
        await self._idle.wait()

    def _grace(self, grace: float | None) -> float:
        return self.grace if grace is None else grace

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        await self._server.serve_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self._idle.clear()
        self._writers.add(writer)
        try:
            await self._call(reader, writer)
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()
            if not self._tasks:
                self._idle.set()

    async def _call(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def write(data: bytes) -> None:
            writer.write(data)
            await writer.drain()

        link = StreamLink(lambda: reader.read(READ_CHUNK), write, self.read_timeout)
        try:
            request = await link.read_request()
        except AgiProtocolError as exc:
            log.debug("dropped a connection before its AGI header: %s", exc)
            return
        self.calls_started += 1
        channel = Channel(link, request, self.flow_context)
        outcome = await run_call(self.routes, channel)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if channel.protocol_error is not None:
            log.warning("call %s: %s", request.uniqueid, channel.protocol_error)


async def serve(
    routes: Mapping[str, Flow], host: str, port: int, stop: asyncio.Event, **flow_context: Any
) -> FastAgiServer:
    """Run until `stop` is set, then shut down gracefully (for the CLI)."""
    server = FastAgiServer(routes, host=host, port=port, **flow_context)
    await server.start()
    await stop.wait()
    await server.close()
    return server

# Rules: classic AGI, one process per call. pyst2 reads the header block and catches SIGHUP
# (it must be built on the main thread, before the event loop); everything after goes through
# our codec, because pyst2 neither escapes values nor survives HANGUP lines (ValueError) or
# -1 results (AGIAppError). Reads block: the process serves one call, and Asterisk ends it
# by closing the pipes or SIGHUP, so no read deadline is needed here.
"""`hotline agi stdio ROUTE`: run a flow as a classic AGI script over stdin/stdout."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import IO, Any

from asterisk.agi import AGI

from ivr.agi import Command, Request
from ivr.channel import Channel
from ivr.link import Exchange, StreamLink
from ivr.runtime import Flow, run_call


class _Quiet:
    """pyst2 narrates every header line to stderr (Asterisk's console); keep it quiet."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class PipeLink(StreamLink):
    """StreamLink over pyst2's pipes; pyst2's SIGHUP flag counts as a HANGUP line."""

    def __init__(self, agi: AGI) -> None:
        async def read() -> bytes:
            return agi.stdin.readline()

        async def write(data: bytes) -> None:
            agi.stdout.write(data)
            agi.stdout.flush()

        super().__init__(read, write, read_timeout=float("inf"), expect_header=False)
        self.agi = agi

    async def call(self, command: Command) -> Exchange:
        exchange = await super().call(command)
        if self.agi._got_sighup and not exchange.hangup:
            return replace(exchange, hangup=True)
        return exchange


def run_stdio(
    routes: Mapping[str, Flow],
    route: str,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    **context: Any,
) -> str:
    """Serve one call from Asterisk on stdin/stdout with `route`'s flow; how it ended."""
    agi = AGI(stdin=stdin or sys.stdin.buffer, stdout=stdout or sys.stdout.buffer, stderr=_Quiet())
    request = Request.from_variables(agi.env, script=route)
    link = PipeLink(agi)
    link.request = request
    return asyncio.run(run_call(routes, Channel(link, request, context)))

"""One call through our FastAGI server, Asterisk's side played by a scripted fake.

Shared by the tests of the flows that keep records: the server runs with the given routes
and context (the clock fixed at NOW unless given), the fake dials it over loopback.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from agi_fakes import ScriptedAsterisk, dial

from ivr.fastagi import FastAgiServer

NOW = datetime(2021, 10, 9, 1, 0, tzinfo=UTC)


def serve_call(routes, fake: ScriptedAsterisk, header: bytes, **context) -> ScriptedAsterisk:
    async def run():
        server = FastAgiServer(routes, port=0, **{"clock": lambda: NOW, **context})
        port = await server.start()
        try:
            return await dial(port, fake, header)
        finally:
            await server.close()

    return asyncio.run(run())


def played(fake: ScriptedAsterisk) -> list[str]:
    """The prompt ids the caller heard, in order."""
    return [line.removeprefix("play ") for line in fake.log if line.startswith("play ")]

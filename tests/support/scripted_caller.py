# Rules: the test caller is a person on a real Asterisk, driven over FastAGI (our own
# ivr.fastagi server and Channel, on the far side of the call): it listens like a person
# (waits for the other side to talk, then to stop: WaitForNoise loops, since silence is not
# measurable on a Local channel that sends no frames), presses keys with EXEC SendDTMF,
# speaks real audio, and hangs up. While it waits it streams silence (music on hold of
# silence files): real frames, so the far side's RECORD FILE and AMD hear a live line. It
# writes down what it did; the far side hanging up ends the script. Each call finds its
# script by a token: the Originate's AGI argument (inbound) or the dialled number (the test
# network's digit 9). Nothing here sleeps: every wait is Asterisk's, bounded by a timeout.
"""The scripted test caller: a FastAGI server that plays the citizen on a real Asterisk."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ami_client import AmiClient, AmiError
from real_asterisk import SILENCE_MOH, AsteriskPbx

from ivr.agi import AgiError, CallerHungUp
from ivr.channel import Channel
from ivr.fastagi import FastAgiServer

log = logging.getLogger("hotline.tests.caller")


# ---- what a script says ----------------------------------------------------------------
@dataclass(frozen=True)
class Listen:
    """Wait for the far side to talk (up to `start_within` s), then for `quiet_s` of quiet.

    Whole seconds: WaitForNoise reads its timeout as an integer (0.8 would mean "never").
    """

    start_within: int = 10
    quiet_s: int = 1
    at_most: float = 60.0


@dataclass(frozen=True)
class Press:
    keys: str


@dataclass(frozen=True)
class Say:
    """Speak a sound file (a path without extension, or one of Asterisk's sounds)."""

    sound: str = "hello-world"


@dataclass(frozen=True)
class HangUp:
    pass


Step = Listen | Press | Say | HangUp


@dataclass
class Transcript:
    """What the caller did and heard, one line per step: 'heard 2.4s', 'pressed 3'..."""

    lines: list[str] = field(default_factory=list)
    token: str = ""  # inbound calls: the Originate's ChannelId is <token>-citizen, <token>-pbx
    channel: str = ""
    far_end_hung_up: bool = False

    def __str__(self) -> str:
        return "\n".join(self.lines)


# ---- the server ------------------------------------------------------------------------
class ScriptedCaller:
    """FastAGI routes `caller` (inbound: Originate Application=AGI) and `callee` (test network).

    async with ScriptedCaller(pbx) as caller:
        transcript = await caller.call(ami, [Listen(), Press("3"), Listen(), HangUp()])
    """

    def __init__(self, pbx: AsteriskPbx, timeout: float = 120.0) -> None:
        self.pbx = pbx
        self.timeout = timeout
        self._scripts: dict[str, list[Step]] = {}
        self._results: dict[str, asyncio.Future[Transcript]] = {}
        self._tokens = itertools.count(1)
        routes = {"caller": self._serve, "callee": self._serve}
        self.server = FastAgiServer(
            routes, host=pbx.host, port=pbx.caller_port, read_timeout=timeout
        )

    async def __aenter__(self) -> ScriptedCaller:
        await self.server.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.server.close(grace=5.0)

    def expect(self, token: str, script: Iterable[Step]) -> asyncio.Future[Transcript]:
        """Register a script for the call that will name `token`; its transcript-to-be."""
        self._scripts[token] = list(script)
        future = asyncio.get_running_loop().create_future()
        self._results[token] = future
        return future

    def expect_callee(self, number: str, script: Iterable[Step]) -> asyncio.Future[Transcript]:
        """The test network's callee for `number` (ending in 9) will play this script."""
        return self.expect(number, script)

    async def call(
        self,
        ami: AmiClient,
        script: Iterable[Step],
        *,
        callerid: str = "0905123456",
        exten: str = "1022",
        context: str = "hotline-inbound",
    ) -> Transcript:
        """Dial exten@context as a citizen (Local channel; the ;1 half is us); the transcript."""
        token = f"call-{next(self._tokens)}"
        future = self.expect(token, script)
        reply = await ami.action(
            "Originate",
            [
                ("Channel", f"Local/{exten}@{context}/n"),
                ("Application", "AGI"),
                ("Data", f"agi://{self.pbx.host}:{self.pbx.caller_port}/caller,{token}"),
                ("CallerID", f'"" <{callerid}>'),
                ("Timeout", "15000"),
                ("Async", "true"),
                ("ChannelId", f"{token}-citizen"),
                ("OtherChannelId", f"{token}-pbx"),
            ],
        )
        if reply.get("Response") != "Success":
            raise AmiError(f"Originate refused: {reply}")
        try:
            return await asyncio.wait_for(future, self.timeout)
        finally:
            self._results.pop(token, None)

    async def _serve(self, channel: Channel) -> None:
        token = channel.args[0] if channel.args else ""
        script, future = self._scripts.pop(token, None), self._results.get(token)
        transcript = Transcript(token=token, channel=channel.request.get("agi_channel"))
        if script is None or future is None:
            log.warning("test caller: no script for %r", token)
            await channel.hangup()
            return
        try:
            await perform(channel, script, transcript)
        except CallerHungUp:
            transcript.far_end_hung_up = True
            transcript.lines.append("the far end hung up")
        except AgiError as exc:
            transcript.lines.append(f"error: {exc}")
        finally:
            if not future.done():
                future.set_result(transcript)


async def run_app(channel: Channel, app: str, data: str | None = None) -> int | None:
    """EXEC an application; CallerHungUp once the far end is gone (EXEC itself is dead-safe,
    so the sign is a HANGUP line or the application's -1: Asterisk's "the channel is gone")."""
    result = await channel.exec(app, data)
    if channel.hung_up or result == -1:
        raise CallerHungUp(f"the far end hung up during {app}")
    return result


async def perform(channel: Channel, script: list[Step], transcript: Transcript) -> None:
    await run_app(channel, "StartMusicOnHold", SILENCE_MOH)  # real (silent) frames while we wait
    for step in script:
        if isinstance(step, Listen):
            await listen(channel, step, transcript)
        elif isinstance(step, Press):
            await run_app(channel, "SendDTMF", step.keys)
            transcript.lines.append(f"pressed {step.keys}")
        elif isinstance(step, Say):
            await run_app(channel, "StopMusicOnHold")
            await run_app(channel, "Playback", step.sound)
            await run_app(channel, "StartMusicOnHold", SILENCE_MOH)
            transcript.lines.append(f"said {step.sound.rsplit('/', 1)[-1]}")
        elif isinstance(step, HangUp):
            transcript.lines.append("hung up")
            await channel.hangup()
            return


async def listen(channel: Channel, step: Listen, transcript: Transcript) -> None:
    """Writes 'heard N.Ns' (talk, then quiet_s of quiet) or 'heard nothing'; what was heard
    is written down even when the far end hangs up before the quiet."""
    loop = asyncio.get_running_loop()
    if await wait_for_noise(channel, step.start_within) != "NOISE":
        transcript.lines.append("heard nothing")
        return
    began = last_noise = loop.time()
    try:
        while last_noise - began < step.at_most:
            if await wait_for_noise(channel, step.quiet_s) != "NOISE":
                break
            last_noise = loop.time()
    finally:
        transcript.lines.append(f"heard {last_noise - began:.1f}s")


async def wait_for_noise(channel: Channel, timeout_s: int) -> str:
    """NOISE (100 ms of it) or TIMEOUT; CallerHungUp when the line went dead meanwhile."""
    await run_app(channel, "WaitForNoise", f"100,1,{timeout_s:d}")
    status = await channel.get_variable("WAITSTATUS")
    if status == "HANGUP" or channel.hung_up:
        raise CallerHungUp("the far end hung up while we listened")
    return status or ""

# The stand-in PBX as one object. Rules: loopback only; ports may be 0 (ephemeral);
# every wait in a call is virtual seconds times `scale`; start() returns the AMI port
# and close() ends every call and connection it started, so tests leave nothing behind.
"""PbxSim: configuration, the AMI listener, the channel registry and inbound calls."""

from __future__ import annotations

import asyncio
import glob
import itertools
import time
import wave
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pbxsim.agi_client import AgiEnv
from pbxsim.callee import Callee, key_script
from pbxsim.dialplan import Dialplan, default_contexts
from pbxsim.population import Fate, Population, PopulationConfig


@dataclass
class SimConfig:
    ami_user: str = "hotline"
    ami_secret: str = "hotline"
    agi_url: str = "agi://127.0.0.1:4573"
    channels: int = 30  # trunk capacity: past it, congestion
    scale: float = 0.01  # real seconds per simulated second
    population: PopulationConfig = field(default_factory=PopulationConfig)
    prompt_seconds: float = 2.0  # length of a prompt neither in prompt_durations nor on disk
    prompt_durations: dict[str, float] = field(default_factory=dict)
    sounds: set[str] | None = None  # available sound names; None = every file exists
    sounds_dir: str | None = None  # or: a file exists when <name>.* exists on disk
    agi_idle_timeout: float = 10.0  # real seconds of server silence before pbxsim gives up
    timestamp_events: bool = True
    trunk: str = "trunk"
    inbound_context: str = "hotline-inbound"
    contexts: dict | None = None  # name -> dialplan.Context; None = the defaults


class PbxSim:
    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        base = self.config.agi_url.rstrip("/")
        self.dialplan = Dialplan(self.config.contexts or default_contexts(base))
        self.population = Population(self.config.population)
        self.agi_env = AgiEnv(
            sleep=self.sleep,
            sound_exists=self._sound_exists,
            sound_seconds=self._sound_seconds,
            idle_timeout=self.config.agi_idle_timeout,
            scale=self.config.scale,
        )
        self.ami_sessions: set = set()
        self.channels: dict[str, tuple] = {}
        self.active_outbound = 0
        self.stats: Counter[str] = Counter()  # originates by outcome, and "inbound"
        self._seq = itertools.count()
        self._uid = itertools.count()
        self._started = time.time()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._session_tasks: set[asyncio.Task] = set()

    # --- clock and ids ------------------------------------------------------------------
    def real(self, virtual_seconds: float) -> float:
        return max(0.0, virtual_seconds * self.config.scale)

    async def sleep(self, virtual_seconds: float) -> None:
        await asyncio.sleep(self.real(virtual_seconds))

    def uptime(self) -> int:
        return int(time.time() - self._started)

    def next_seq(self) -> int:
        return next(self._seq)

    def new_uniqueid(self) -> str:
        return f"{int(self._started)}.{next(self._uid)}"

    def _sound_path(self, name: str) -> Path | None:
        if Path(name).is_absolute():
            return Path(name)
        return Path(self.config.sounds_dir, name) if self.config.sounds_dir else None

    def _sound_seconds(self, name: str) -> float:
        """A prompt lasts as long as its WAV (or 8 kHz .sln) on disk, else prompt_seconds."""
        if name not in self.config.prompt_durations:
            seconds = self.config.prompt_seconds
            path = self._sound_path(name)
            try:
                if path is not None and path.with_name(path.name + ".wav").is_file():
                    with wave.open(str(path.with_name(path.name + ".wav"))) as w:
                        seconds = w.getnframes() / w.getframerate()
                elif path is not None and path.with_name(path.name + ".sln").is_file():
                    seconds = path.with_name(path.name + ".sln").stat().st_size / 16000
            except (OSError, wave.Error, EOFError):
                pass
            self.config.prompt_durations[name] = seconds
        return self.config.prompt_durations[name]

    def _sound_exists(self, name: str) -> bool:
        if self.config.sounds is not None:
            return name in self.config.sounds
        if self.config.sounds_dir is not None:
            path = self._sound_path(name)
            return any(path.parent.glob(glob.escape(path.name) + ".*"))
        return True

    # --- registry and events -------------------------------------------------------------
    def emit(self, message) -> None:
        for session in list(self.ami_sessions):
            session.event(message)

    def register(self, legs, control) -> None:
        for leg in (legs.one, legs.two):
            if leg is not None:
                self.channels[leg.name] = (leg, legs, control)

    def unregister(self, legs) -> None:
        for leg in (legs.one, legs.two):
            if leg is not None:
                self.channels.pop(leg.name, None)

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self, ami_port: int = 5038, host: str = "127.0.0.1") -> int:
        """Listen for AMI; returns the port (useful with ami_port=0)."""
        from pbxsim.ami import AmiSession

        async def accept(reader, writer):
            session = AmiSession(self, reader, writer)
            self.ami_sessions.add(session)
            task = asyncio.current_task()
            self._session_tasks.add(task)
            try:
                await session.run()
            except asyncio.CancelledError:
                pass  # close(): asyncio's stream callback must not see the cancellation
            finally:
                self._session_tasks.discard(task)

        self._server = await asyncio.start_server(accept, host, ami_port)
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self.ami_sessions):
            session.closing = True
            session.writer.close()
        tasks = list(self._tasks) + list(self._session_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def idle(self) -> None:
        """Wait until every call pbxsim is running has ended."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- inbound -------------------------------------------------------------------------
    async def inbound_call(
        self,
        caller: str,
        keys: str | list[str] = "",
        *,
        exten: str = "1022",
        barge_in: bool = False,
        hangup_at: float | None = None,
        end: str = "hangup",
    ):
        """A citizen dials 1022 and walks the menus with `keys` ("1,2,#": one item per
        question; "" stays silent, "H" hangs up). Returns the call's Transcript."""
        from pbxsim.connected import run_inbound

        callee = Callee(
            key_script(keys),
            think=self.config.population.think,
            barge_in=barge_in,
            hangup_at=hangup_at,
            end=end,
        )
        return await run_inbound(self, caller, callee, exten)

    async def inbound_traffic(self, calls: int, every: float) -> None:
        """`calls` citizens from the population dial 1022, one every `every` simulated s."""
        from pbxsim.connected import run_inbound

        for i in range(calls):
            caller = f"09{(self.config.population.seed * 7919 + i * 104729) % 10**8:08d}"
            behaviour = self.population.fate(caller).behaviour
            callee = self.population.callee(caller, Fate("answer", 0.0, behaviour))
            self.spawn(run_inbound(self, caller, callee, "1022"))
            await self.sleep(every)

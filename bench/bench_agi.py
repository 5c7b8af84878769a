"""FastAGI server benchmark: saturation and call-like load, beside a bare asyncio reference.

Rules: the server runs in its own process (`--serve hotline|echo`), the load in this one,
playing Asterisk with raw sockets (not our codec): it connects, sends a header block and
answers every command with `200 result=0`. The server runs a flow sending N commands.
References, measured in the same run: a bare asyncio line-echo server (the load sends a
line, reads it back: one round trip per command), and a bare asyncio server doing our
exact exchange (header in, N commands out, each answered) with no codec and no Channel.
Memory is read from /proc/<server pid>/status.

    python -m bench.bench_agi                  # both runs, 30 s call-like load
    python -m bench.bench_agi --duration 5     # quick
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"hotline": "hotline FastAGI ", "echo": "asyncio echo ref", "bare": "bare asyncio AGI"}
HEADER = (
    "agi_network: yes\nagi_network_script: bench?n={n}\nagi_request: agi://127.0.0.1/bench\n"
    "agi_channel: PJSIP/bench-{i:08x}\nagi_language: en\nagi_type: PJSIP\n"
    "agi_uniqueid: 1795695559.{i}\nagi_version: 20.0.0\nagi_callerid: 0905123456\n"
    "agi_calleridname: Bench\nagi_context: bench\nagi_extension: 1022\nagi_priority: 1\n"
    "agi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 1\n\n"
)


# ---- the server process ---------------------------------------------------------------------


async def bench_flow(channel) -> None:
    """N commands, each waiting for its reply, then the server closes the socket."""
    for i in range(int(channel.query.get("n", "50"))):
        await channel.set_variable("BENCH", str(i))


async def serve(kind: str) -> None:
    if kind == "hotline":
        from ivr.fastagi import FastAgiServer

        server = FastAgiServer({"bench": bench_flow}, port=0, read_timeout=60)
        port = await server.start()
    else:
        handler = _echo if kind == "echo" else _bare_agi
        srv = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=1024)
        port = srv.sockets[0].getsockname()[1]
    print(port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until stdin closes


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()


async def _bare_agi(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The second reference: the same exchange as our server, with no codec and no Channel."""
    header = await reader.readuntil(b"\n\n")
    n = int(header.split(b"?n=", 1)[1].split(b"\n", 1)[0])
    for _ in range(n):
        writer.write(b'SET VARIABLE BENCH "1"\n')
        if not await reader.readline():
            break
    writer.close()


# ---- the load (this process) ----------------------------------------------------------------


class Server:
    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_agi", "--serve", kind],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.port = int(self.proc.stdout.readline())

    def memory_kb(self, field: str) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


async def agi_session(port: int, i: int, n: int, pace: float | None, rtts: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEADER.format(n=n, i=i).encode())
    count, sent, tick = 0, None, time.perf_counter()
    while await reader.readline():
        if sent is not None:
            rtts.append(time.perf_counter() - sent)
        count += 1
        if pace:
            tick += pace
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
        writer.write(b"200 result=0\n")
        sent = time.perf_counter()
    writer.close()
    return count


async def echo_session(port: int, i: int, n: int, pace: float | None, rtts: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    tick = time.perf_counter()
    for _ in range(n):
        if pace:
            tick += pace
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
        sent = time.perf_counter()
        writer.write(b'SET VARIABLE BENCH "1"\n')
        await reader.readline()
        rtts.append(time.perf_counter() - sent)
    writer.close()
    return n


async def run_load(kind: str, port: int, sessions: int, n: int, pace: float | None, stagger: float):
    session = echo_session if kind == "echo" else agi_session
    rtts: list[float] = []

    async def one(i: int) -> int:
        await asyncio.sleep(stagger * i / sessions)  # spread call starts like real traffic
        return await session(port, i, n, pace, rtts)

    start = time.perf_counter()
    counts = await asyncio.gather(*(one(i) for i in range(sessions)))
    return sum(counts), time.perf_counter() - start, rtts


def saturation(sessions: int = 500, n: int = 50, rounds: int = 5) -> dict[str, tuple]:
    """Rounds alternate between the two servers so both see the same machine noise."""
    servers = {kind: Server(kind) for kind in KINDS}
    rates: dict[str, list[float]] = {kind: [] for kind in servers}
    try:
        for _ in range(rounds):
            for kind, server in servers.items():
                total, wall, _ = asyncio.run(run_load(kind, server.port, sessions, n, None, 0))
                assert total == sessions * n, (total, sessions * n)
                rates[kind].append(total / wall)
        return {k: (statistics.median(rates[k]), s.memory_kb("VmHWM")) for k, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()


def call_like(kind: str, sessions: int, duration: float, pace: float = 0.5):
    server = Server(kind)
    try:
        base = server.memory_kb("VmRSS")
        n = int(duration / pace)
        peak = [base]

        async def sample() -> None:
            while True:
                peak.append(server.memory_kb("VmRSS"))
                await asyncio.sleep(0.5)

        async def main():
            sampler = asyncio.create_task(sample())
            result = await run_load(kind, server.port, sessions, n, pace, stagger=pace)
            sampler.cancel()
            return result

        total, wall, rtts = asyncio.run(main())
        rtts.sort()
        p50, p99 = rtts[len(rtts) // 2] * 1000, rtts[int(len(rtts) * 0.99)] * 1000
        return total, p50, p99, (max(peak) - base) / sessions
    finally:
        server.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=30.0, help="call-like load, seconds")
    parser.add_argument("--sessions", type=int, default=1000, help="call-like sessions")
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve))
        return 0
    print("saturation: 500 concurrent sessions x 50 commands, as fast as answers come")
    result = saturation()
    for kind, label in KINDS.items():
        rate, peak = result[kind]
        ratio = rate / result["echo"][0]
        print(f"  {label}: {rate:9,.0f} commands/s  ({ratio:4.2f} of echo)  "
              f"server peak RSS {peak / 1024:6.1f} MB")  # fmt: skip
    print("  target: hotline >= 0.50 of the echo reference; median of 5 alternating rounds")
    print(f"call-like: {args.sessions} sessions, a command every 500 ms for {args.duration:g} s")
    for kind, label in KINDS.items():
        total, p50, p99, per = call_like(kind, args.sessions, args.duration)
        print(f"  {label}: {total:7,} commands  p50 {p50:5.2f} ms  p99 {p99:6.2f} ms  "
              f"{per:6.1f} KB/session")  # fmt: skip
    print("  targets: p99 < 10 ms, < 100 KB per session")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""pbxsim benchmark: calls handled per second, beside raw AMI Ping round trips.

Rules: pbxsim runs as `hotline pbxsim run` in its own process; this process is the dialer
side (a raw-asyncio AMI client, not our dialer) and a trivial FastAGI server (answer, one
prompt, hang up, close). N originates go out at once through one AMI connection; a call is
handled when its last Hangup event arrives. Reference, same run, same connection:
sequential AMI Ping round trips per second (the ceiling of one AMI link).

    python -m bench.bench_pbxsim                      # 2000 calls at scale 0.001, then 0
    python -m bench.bench_pbxsim --calls 500 --scale 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Ami:
    """Just enough AMI: CRLF lines, a blank line ends a message."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> Ami:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        await reader.readline()
        return cls(reader, writer)

    def send(self, **fields: str) -> None:
        self.writer.write("".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode() + b"\r\n")

    async def read(self) -> dict[str, str]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        return dict(line.split(": ", 1) for line in raw.decode().split("\r\n") if ": " in line)


async def trivial_agi(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while (await reader.readline()) not in (b"\n", b""):
        pass
    for command in (b"ANSWER\n", b'STREAM FILE hello "1"\n', b"HANGUP\n"):
        writer.write(command)
        line = await reader.readline()
        while line == b"HANGUP\n":
            line = await reader.readline()
    writer.close()


async def ping_rate(ami: Ami, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        ami.send(Action="Ping", ActionID=f"p{i}")
        while (await ami.read()).get("ActionID") != f"p{i}":
            pass
    return n / (time.perf_counter() - started)


async def calls_rate(ami: Ami, n: int) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    for i in range(n):
        ami.send(
            Action="Originate",
            Channel=f"PJSIP/09{i:08d}@trunk",
            Context="hotline-outbound",
            Exten="s",
            Priority="1",
            Async="true",
            Variable=f"HOTLINE_ATTEMPT={i}",
            ChannelId=f"b-{i}",
            ActionID=f"o{i}",
        )
    await ami.writer.drain()
    reasons: dict[str, int] = {}
    hangups = 0
    while hangups < n:
        msg = await ami.read()
        event = msg.get("Event")
        if event == "OriginateResponse":
            reasons[msg["Reason"]] = reasons.get(msg["Reason"], 0) + 1
        elif event == "Hangup":
            hangups += 1
    return n / (time.perf_counter() - started), reasons


async def one_run(calls: int, scale: float, pings: int) -> tuple[float, float, dict]:
    agi = await asyncio.start_server(trivial_agi, "127.0.0.1", 0, backlog=4096)
    agi_port = agi.sockets[0].getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "pbxsim",
            "run",
            "--ami-port",
            "0",
            "--agi-url",
            f"agi://127.0.0.1:{agi_port}",
            "--scale",
            str(scale),
            "--channels",
            str(calls),
            "--seed",
            "7",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
        ami = await Ami.connect(port)
        ami.send(Action="Login", Username="hotline", Secret="hotline", Events="call")
        await ami.read()
        pps = await ping_rate(ami, pings)
        cps, reasons = await calls_rate(ami, calls)
        ami.writer.close()
        return cps, pps, reasons
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        agi.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--pings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per scale (median shown)")
    args = parser.parse_args(argv)
    print(f"{args.calls} originates at once on one AMI link; median of {args.repeat} runs")
    for scale in args.scale or [0.001, 0.0]:
        runs = [asyncio.run(one_run(args.calls, scale, args.pings)) for _ in range(args.repeat)]
        cps = sorted(r[0] for r in runs)
        pps = sorted(r[1] for r in runs)
        reasons = dict(sorted(runs[0][2].items()))
        print(
            f"scale {scale:<6} pbxsim: {statistics.median(cps):6.0f} calls/s handled "
            f"(runs {cps[0]:.0f}-{cps[-1]:.0f}; {reasons.get('4', 0)} answered and served over "
            f"FastAGI; reasons {reasons})"
        )
        print(
            f"{'':13}reference: {statistics.median(pps):6.0f} AMI Ping round trips/s on the "
            f"same link (runs {pps[0]:.0f}-{pps[-1]:.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

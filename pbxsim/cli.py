# `hotline pbxsim run`. Rules: the only pbxsim module that imports click; parse, build a
# SimConfig, run PbxSim until Ctrl-C or SIGTERM, print one line on start and one summary
# line on stop; a busy port is one `Error:` line and exit 1; the AMI secret is never
# printed.
"""The stand-in Asterisk from the command line."""

from __future__ import annotations

import os
import re
import signal
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported by `run`: `hotline --help` does not load the simulator
    from pbxsim.sim import PbxSim

RATE = click.FloatRange(0.0, 1.0)


@click.group()
def pbxsim() -> None:
    """A stand-in Asterisk (AMI + FastAGI over loopback) for demos and tests.

    \b
    Example:
      hotline pbxsim run --last-digit-outcomes
    """


@pbxsim.command()
@click.option(
    "--ami-port",
    default=5038,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="AMI port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--user", default="hotline", show_default=True, help="AMI username.")
@click.option(
    "--secret",
    default="hotline",
    envvar="PBXSIM_SECRET",
    show_default=True,
    help="AMI secret (or PBXSIM_SECRET).",
)
@click.option(
    "--agi-url",
    default="agi://127.0.0.1:4573",
    show_default=True,
    callback=lambda ctx, param, value: _agi_url(value),
    help="Where answered calls run their AGI (the FastAGI server).",
)
@click.option(
    "--channels",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Trunk capacity; calls past it meet congestion.",
)
@click.option(
    "--scale",
    default=0.01,
    show_default=True,
    type=click.FloatRange(0.0),
    help="Real seconds per simulated second (ringing, prompts, thinking).",
)
@click.option(
    "--seed",
    default=1022,
    show_default=True,
    type=int,
    help="Seed of the population: same seed, same people.",
)
@click.option("--answer-rate", type=RATE, help="Share of numbers that answer (default 0.7).")
@click.option(
    "--declare-rate", type=RATE, help="Share of answerers who answer every question (default 0.45)."
)
@click.option(
    "--last-digit-outcomes",
    is_flag=True,
    help="Pin each number's fate to its last digit (1 answers and presses 1, "
    "2 busy, 3 no answer, 4 congestion, 5 hangs up, 7 rejected, 9 presses 2, "
    "0 unallocated).",
)
@click.option(
    "--prompt-seconds",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.0),
    help="Length of a prompt with no .wav/.sln file on disk.",
)
@click.option(
    "--inbound-calls",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Citizens from the population who dial 1022 (the IVR at --agi-url/ivr).",
)
@click.option(
    "--inbound-every",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.0),
    help="Simulated seconds between two inbound calls.",
)
@click.option(
    "--sounds-dir",
    type=click.Path(file_okay=False),
    help="Only prompts found here (<name>.*) exist; others get -1 endpos=0.",
)
def run(
    ami_port,
    user,
    secret,
    agi_url,
    channels,
    scale,
    seed,
    answer_rate,
    declare_rate,
    last_digit_outcomes,
    prompt_seconds,
    inbound_calls,
    inbound_every,
    sounds_dir,
) -> None:
    """Run pbxsim until Ctrl-C or SIGTERM.

    \b
    Example:
      hotline pbxsim run --scale 0.01 --answer-rate 0.8 --seed 7
      hotline dialer run --ami-url ami://hotline:hotline@127.0.0.1:5038
    """
    import asyncio

    from pbxsim.population import PopulationConfig
    from pbxsim.sim import PbxSim, SimConfig

    population = PopulationConfig(seed=seed, last_digit=last_digit_outcomes)
    if answer_rate is not None:
        population.set_rate("outcomes", "answer", answer_rate)
    if declare_rate is not None:
        population.set_rate("behaviours", "declare", declare_rate)
    config = SimConfig(
        ami_user=user,
        ami_secret=secret,
        agi_url=agi_url,
        channels=channels,
        scale=scale,
        population=population,
        prompt_seconds=prompt_seconds,
        sounds_dir=sounds_dir,
    )
    asyncio.run(_serve(PbxSim(config), ami_port, inbound_calls, inbound_every))


async def _serve(sim: PbxSim, ami_port: int, inbound_calls: int, inbound_every: float) -> None:
    import asyncio

    try:
        port = await sim.start(ami_port=ami_port)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{ami_port}: {os.strerror(exc.errno or 0)}"
        ) from None
    c = sim.config
    fates = "last digit" if c.population.last_digit else f"seed {c.population.seed}"
    click.echo(
        f"pbxsim: AMI on 127.0.0.1:{port} (user {c.ami_user}), answered calls go to "
        f"{c.agi_url}; {c.channels} channels, scale {c.scale}, fates by {fates}",
        nl=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if inbound_calls:
        sim.spawn(sim.inbound_traffic(inbound_calls, inbound_every))
    try:
        await stop.wait()
    finally:
        await sim.close()
    click.echo(f"pbxsim: stopped; {summary(sim.stats)}")


def _agi_url(value: str) -> str:
    if not re.fullmatch(r"agi://[^/:\s]+(:\d{1,5})?/?", value):
        raise click.BadParameter(f"{value!r} is not agi://host[:port]")
    return value.rstrip("/")


def summary(stats) -> str:
    originated = sum(n for k, n in stats.items() if k != "inbound")
    labels = {"answer": "answered", "noanswer": "no answer"}
    parts = ", ".join(f"{n} {labels.get(k, k)}" for k, n in sorted(stats.items()) if k != "inbound")
    return f"{originated} originated ({parts or 'none'}), {stats['inbound']} inbound"

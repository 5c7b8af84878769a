"""The demo's phone call: a citizen dials 1022 on the stand-in Asterisk and declares by keypad.

Real parts end to end: pbxsim places the call and speaks FastAGI over loopback to our
FastAGI server, which runs the `ivr` route on the demo database. What the caller heard is
rebuilt from pbxsim's transcript (its wire lines), with each prompt's catalog text.
"""

from __future__ import annotations

import asyncio
import re

import sqlalchemy as sa

from ivr.catalog import load_catalog
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from pbxsim import PbxSim, SimConfig
from store.db import make_engine, session_factory
from store.models import Declaration, InboundCall

_MEDIA = re.compile(r"> (?:STREAM FILE|GET DATA) \S*/(?P<id>[a-z0-9-]+)\b")
_DIGITS = re.compile(r"< 200 result=(?P<digits>[0-9*#]+)$")
_KEY_CODE = re.compile(r"< 200 result=(?P<code>[1-9][0-9]*)$")  # WAIT FOR DIGIT: a key's ASCII


async def _call(database_url: str, caller: str, keys: str):
    engine = make_engine(database_url)
    server = FastAgiServer(ROUTES, port=0, sessions=session_factory(engine), log_calls=True)
    sim = PbxSim(SimConfig(agi_url=f"agi://127.0.0.1:{await server.start()}", scale=0.0))
    await sim.start(ami_port=0)
    try:
        transcript = await sim.inbound_call(caller=caller, keys=keys)
    finally:
        await sim.close()
        await server.close()
    with engine.connect() as conn:
        declaration = conn.execute(
            sa.select(Declaration).order_by(Declaration.id.desc()).limit(1)
        ).first()
        logged = conn.execute(
            sa.select(InboundCall).order_by(InboundCall.id.desc()).limit(1)
        ).first()
    engine.dispose()
    return transcript, declaration, logged


def what_was_heard(lines: list[str], lang: str = "vi") -> list[str]:
    """Prompts with their text, keys typed, and the hangup; a run of spoken digits or
    numbers is one line, as the caller hears it."""
    catalog = load_catalog()
    out: list[str] = []
    spoken: list[tuple[str, str]] = []
    last_command = ""

    def flush() -> None:
        if spoken:
            ids, words = zip(*spoken, strict=True)
            out.append(f"[play] {' '.join(ids)}: {' '.join(words).replace(' ,', ',')}")
            spoken.clear()

    for line in lines:
        if line.startswith("> "):
            last_command = line
        if m := _MEDIA.match(line):
            prompt = m["id"]
            text = catalog.text(prompt, lang) if catalog.has(prompt, lang) else ""
            if prompt == "pause" or prompt.startswith(("num-", "word-", "month-")):
                spoken.append((prompt, text))
                continue
            flush()
            out.append(f"[play] {prompt}: {text}")
        elif (m := _DIGITS.match(line)) and last_command.startswith("> GET DATA"):
            flush()
            out.append(f"[keys] {m['digits']}")
        elif (m := _KEY_CODE.match(line)) and last_command.startswith("> WAIT FOR DIGIT"):
            flush()
            out.append(f"[keys] {chr(int(m['code']))}")
        elif line == "< HANGUP":
            flush()
            out.append("[hangup] caller hung up")
    flush()
    return out


def inbound_declaration_call(database_url: str, caller: str, keys: str):
    return asyncio.run(_call(database_url, caller, keys))

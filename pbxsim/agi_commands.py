# Answers to each AGI command, as res_agi.c gives them. Rules: a handler gets the session
# and the parsed argv (command words included) and returns the reply text; handlers are
# registered by their command words (@handles); this module holds the commands that touch
# no media (channel, variables, database, hangup); agi_media.py registers the rest.
"""The AGI command registry and the non-media commands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pbxsim.agiwire import result

if TYPE_CHECKING:
    from pbxsim.agi_client import AgiSession

HANDLERS: dict = {}


def handles(words: str):
    def register(fn):
        HANDLERS[tuple(words.split())] = fn
        return fn

    return register


@handles("ANSWER")
async def answer(s: AgiSession, argv: list[str]) -> str:
    if not s.chan.up:
        s.chan.up = True
        s.hooks.on_answer()
    return result(0)


@handles("CHANNEL STATUS")
async def channel_status(s: AgiSession, argv: list[str]) -> str:
    if len(argv) > 2 and argv[2] != s.chan.name:
        return result(-1)
    return result(6 if s.chan.up else 4)


def lookup(s: AgiSession, name: str) -> str | None:
    """A channel variable or one of the dialplan functions flows commonly read."""
    c = s.chan
    builtins = {
        "CHANNEL": c.name,
        "CHANNEL(name)": c.name,
        "UNIQUEID": c.uniqueid,
        "EXTEN": c.extension,
        "CONTEXT": c.context,
        "PRIORITY": str(c.priority),
        "CALLERID(num)": c.callerid,
        "CALLERID(number)": c.callerid,
        "CALLERID(name)": c.calleridname,
        "CALLERID(all)": f'"{c.calleridname}" <{c.callerid}>',
        "CHANNEL(language)": c.language,
        "CHANNEL(accountcode)": c.accountcode,
    }
    if name in c.variables:
        return c.variables[name]
    return builtins.get(name)


@handles("GET VARIABLE")
async def get_variable(s: AgiSession, argv: list[str]) -> str:
    value = lookup(s, argv[2])
    return result(0) if value is None else result(1, value)


@handles("GET FULL VARIABLE")
async def get_full_variable(s: AgiSession, argv: list[str]) -> str:
    value = re.sub(r"\$\{([^}]*)\}", lambda m: lookup(s, m.group(1)) or "", argv[3])
    return result(1, value)


@handles("SET VARIABLE")
async def set_variable(s: AgiSession, argv: list[str]) -> str:
    s.chan.variables[argv[2]] = argv[3]
    return result(1)


@handles("VERBOSE")
async def verbose(s: AgiSession, argv: list[str]) -> str:
    return result(1)


@handles("NOOP")
async def noop(s: AgiSession, argv: list[str]) -> str:
    return result(0)


@handles("SET MUSIC")
async def set_music(s: AgiSession, argv: list[str]) -> str:
    """SET MUSIC ON|OFF [class]: AMI hears MusicOnHoldStart/Stop."""
    on = argv[2].lower() == "on"
    s.hooks.on_music(on, argv[3] if len(argv) > 3 else "default")
    return result(0)


@handles("SET CONTEXT")
@handles("SET EXTENSION")
@handles("SET PRIORITY")
async def set_zero(s: AgiSession, argv: list[str]) -> str:
    return result(0)


@handles("SET AUTOHANGUP")
async def set_autohangup(s: AgiSession, argv: list[str]) -> str:
    seconds = float(argv[2])
    if seconds > 0:
        deadline = s.t + seconds
        s.callee.hangup_at = min(s.callee.hangup_at or deadline, deadline)
    return result(0)


@handles("SET CALLERID")
async def set_callerid(s: AgiSession, argv: list[str]) -> str:
    s.chan.callerid = argv[2].strip("<>")
    return result(1)


@handles("HANGUP")
async def hangup(s: AgiSession, argv: list[str]) -> str:
    if len(argv) > 1 and argv[1] != s.chan.name:
        return result(-1)
    s.die("agi")
    return result(1)


@handles("DATABASE PUT")
async def db_put(s: AgiSession, argv: list[str]) -> str:
    s.env.database[(argv[2], argv[3])] = argv[4]
    return result(1)


@handles("DATABASE GET")
async def db_get(s: AgiSession, argv: list[str]) -> str:
    value = s.env.database.get((argv[2], argv[3]))
    return result(0) if value is None else result(1, value)


@handles("DATABASE DEL")
async def db_del(s: AgiSession, argv: list[str]) -> str:
    return result(1 if s.env.database.pop((argv[2], argv[3]), None) is not None else 0)


@handles("DATABASE DELTREE")
async def db_deltree(s: AgiSession, argv: list[str]) -> str:
    prefix = argv[3] if len(argv) > 3 else ""
    doomed = [k for k in s.env.database if k[0] == argv[2] and k[1].startswith(prefix)]
    for k in doomed:
        del s.env.database[k]
    return result(1 if doomed else 0)


@handles("EXEC")
async def exec_(s: AgiSession, argv: list[str]) -> str:
    from pbxsim.apps import run_app

    return result(await run_app(s, argv[1], argv[2] if len(argv) > 2 else ""))

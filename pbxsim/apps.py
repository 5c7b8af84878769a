# Dialplan applications reachable through AGI EXEC. Rules: the application's data is ONE
# string (Asterisk's EXEC passes argv[2] only), split on commas like the app would; the
# return is the application's own (0 ok, -1 hung up), -2 when the application does not
# exist; on a dead channel only apps that need no media still work.
"""EXEC Playback, Wait, Read, Set, Dial, … as pbxsim fakes them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pbxsim.agi_media import collect, play

if TYPE_CHECKING:
    from pbxsim.agi_client import AgiSession

NO_MEDIA = {"set", "noop", "verbose", "log", "goto", "gotoif", "execif", "userevent"}
OPERATOR_RING = 2.0
OPERATOR_TALK = 20.0


async def run_app(s: AgiSession, app: str, data: str) -> int:
    name = app.lower()
    handler = APPS.get(name)
    if handler is None:
        return -2
    if s.dead_by and name not in NO_MEDIA:
        return -1
    return await handler(s, data)


async def _ok(s: AgiSession, data: str) -> int:
    return 0


async def _set(s: AgiSession, data: str) -> int:
    name, _, value = data.partition("=")
    s.chan.variables[name.strip()] = value
    return 0


async def _answer(s: AgiSession, data: str) -> int:
    if not s.chan.up:
        s.chan.up = True
        s.hooks.on_answer()
    return 0


async def _playback(s: AgiSession, data: str) -> int:
    status = "SUCCESS"
    for name in data.split(",")[0].split("&"):
        if not s.env.sound_exists(name):
            status = "FAILED"
            continue
        s.heard.append(name)
        what, _, _ = await play(s, s.env.sound_seconds(name), "")
        if what == "hangup":
            return -1
    s.chan.variables["PLAYBACKSTATUS"] = status
    return 0


async def _wait(s: AgiSession, data: str) -> int:
    seconds = float(data or 0)
    if await s.spend(min(seconds, s.remaining())) < seconds:
        s.die("caller")
        return -1
    return 0


async def _read(s: AgiSession, data: str) -> int:
    """Read(var,file,maxdigits,options,attempts,timeout)."""
    parts = data.split(",") + [""] * 6
    var, prompt, max_digits, timeout = parts[0], parts[1], parts[2], parts[5]
    got = await collect(s, prompt.split("&")[0], float(timeout or 0), int(max_digits or 0) or 255)
    if got is None:
        return -1
    s.chan.variables[var] = got.replace(" (timeout)", "")
    s.chan.variables["READSTATUS"] = "TIMEOUT" if got.endswith("(timeout)") else "OK"
    return 0


async def _dial(s: AgiSession, data: str) -> int:
    """An operator answers, talks, and the caller hangs up at the end of the conversation."""
    if await s.spend(min(OPERATOR_RING, s.remaining())) < OPERATOR_RING:
        s.die("caller")
        return -1
    s.chan.variables["DIALSTATUS"] = "ANSWER"
    await s.spend(min(OPERATOR_TALK, s.remaining()))
    s.die("caller")
    return -1


async def _transfer(s: AgiSession, data: str) -> int:
    s.chan.variables["TRANSFERSTATUS"] = "SUCCESS"
    s.die("caller")
    return 0


async def _hangup(s: AgiSession, data: str) -> int:
    s.die("agi")
    return -1


async def _moh(s: AgiSession, data: str) -> int:
    parts = data.split(",")
    return await _wait(s, parts[1] if len(parts) > 1 and parts[1] else "5")


APPS = {
    "answer": _answer,
    "playback": _playback,
    "background": _playback,
    "wait": _wait,
    "read": _read,
    "set": _set,
    "noop": _ok,
    "verbose": _ok,
    "log": _ok,
    "goto": _ok,
    "gotoif": _ok,
    "execif": _ok,
    "userevent": _ok,
    "ringing": _ok,
    "progress": _ok,
    "dial": _dial,
    "transfer": _transfer,
    "hangup": _hangup,
    "musiconhold": _moh,
}

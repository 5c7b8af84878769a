# What the caller hears and types, as res_agi.c answers it. Rules: every prompt, wait and
# key press goes through the session's clock (session.spend), so the time scale shrinks
# it; the callee decides what happens first (a key, a hang-up, the end); results follow
# PROTOCOL.md: ASCII codes for digits, -1 on hangup, `endpos` in 8 kHz samples,
# `(timeout)`/`(dtmf)`/`(hangup)`/`(writefile)` annotations.
"""Media AGI commands: STREAM FILE, GET OPTION, WAIT FOR DIGIT, GET DATA, RECORD FILE, SAY."""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import TYPE_CHECKING

from pbxsim.agi_commands import handles
from pbxsim.agiwire import result
from pbxsim.callee import HangUp, Press

if TYPE_CHECKING:
    from pbxsim.agi_client import AgiSession

RATE = 8000

ALL_KEYS = "0123456789*#ABCD"

KEY_SECONDS = 0.3  # time to press one key

GIVE_UP = 30.0  # a silent person facing an endless wait hangs up after this long

BEEP_SECONDS = 0.3  # RECORD FILE's beep


def _ms(text: str) -> float:
    value = int(text)
    return math.inf if value < 0 else value / 1000.0


async def play(s: AgiSession, seconds: float, escape: str) -> tuple[str, float, str]:
    """Play audio: ('end'|'key'|'hangup', elapsed, key), whichever the callee makes first."""
    act = s.callee.on_prompt(escape, seconds, s.t)
    options = [(seconds, 2, "end", "")]
    if isinstance(act, Press):
        options.append((act.after, 1, "key", act.keys))
    elif isinstance(act, HangUp):
        options.append((act.after, 0, "hangup", ""))
    options.append((s.remaining(), 0, "hangup", ""))
    elapsed, _, what, key = min(options)
    spent = await s.spend(elapsed)
    if spent < elapsed:
        what, elapsed = "hangup", spent
    if what == "hangup":
        s.die("caller")
    return what, elapsed, key


async def ask(s: AgiSession, kind: str, timeout: float, escape: str) -> tuple[str, float, str]:
    """Wait for the callee's input: ('keys'|'silence'|'hangup', elapsed, keys)."""
    act = s.callee.on_input(kind, escape, s.t, timeout)
    options = [(timeout, 2, "silence", "")]
    if isinstance(act, Press):
        options.append((act.after, 1, "keys", act.keys))
    elif isinstance(act, HangUp):
        options.append((act.after, 0, "hangup", ""))
    elif timeout == math.inf:
        options.append((GIVE_UP, 0, "hangup", ""))
    options.append((s.remaining(), 0, "hangup", ""))
    elapsed, _, what, keys = min(options)
    spent = await s.spend(elapsed)
    if spent < elapsed:
        what, elapsed = "hangup", spent
    if what == "hangup":
        s.die("caller")
    return what, elapsed, keys


def _reply(what: str, key: str, endpos: int | None = None) -> str:
    code = {"end": 0, "hangup": -1}.get(what, ord(key[:1] or "\0"))
    return result(code, endpos=endpos)


@handles("STREAM FILE")
async def stream_file(s: AgiSession, argv: list[str]) -> str:
    name, escape = argv[2], argv[3]
    if not s.env.sound_exists(name):
        return result(-1, endpos=0)
    offset = int(argv[4]) / RATE if len(argv) > 4 else 0.0
    s.heard.append(name)
    what, elapsed, key = await play(s, max(0.0, s.env.sound_seconds(name) - offset), escape)
    return _reply(what, key, int((offset + elapsed) * RATE))


@handles("GET OPTION")
async def get_option(s: AgiSession, argv: list[str]) -> str:
    name, escape = argv[2], argv[3]
    if not s.env.sound_exists(name):
        return result(-1, endpos=0)
    s.heard.append(name)
    what, elapsed, key = await play(s, s.env.sound_seconds(name), escape)
    endpos = int(elapsed * RATE)
    if what != "end":
        return _reply(what, key, endpos)
    waited, _, keys = await ask(s, "digit", _ms(argv[4]) if len(argv) > 4 else 5.0, escape)
    if waited == "keys" and keys[0] in escape:
        return result(ord(keys[0]), endpos=endpos)
    return result(-1 if waited == "hangup" else 0, endpos=endpos)


@handles("WAIT FOR DIGIT")
async def wait_for_digit(s: AgiSession, argv: list[str]) -> str:
    what, _, keys = await ask(s, "digit", _ms(argv[3]), ALL_KEYS)
    if what == "keys":
        return result(ord(keys[0]))
    return result(-1 if what == "hangup" else 0)


async def collect(s: AgiSession, prompt: str, timeout: float, max_digits: int) -> str | None:
    """ast_app_getdata: digits typed (None on hangup); '(timeout)' suffix when it timed out."""
    what = "end"
    if prompt and s.env.sound_exists(prompt):
        s.heard.append(prompt)  # any key typed during the prompt starts the digits
        what, _, keys = await play(s, s.env.sound_seconds(prompt), ALL_KEYS)
        what = "keys" if what == "key" else what
    if what == "end":
        what, _, keys = await ask(s, "data", timeout or 6.0, ALL_KEYS)
    if what == "hangup":
        return None
    if what == "silence":
        return " (timeout)"
    typed = keys.split("#", 1)[0][:max_digits]
    typing = KEY_SECONDS * len(typed)
    if await s.spend(typing) < typing:
        s.die("caller")
        return None
    if "#" in keys or len(typed) >= max_digits:
        return typed
    wait = timeout or 2.0
    if await s.spend(min(wait, s.remaining())) < wait:
        s.die("caller")
        return None
    return typed + " (timeout)"


@handles("GET DATA")
async def get_data(s: AgiSession, argv: list[str]) -> str:
    name = argv[2]
    if not s.env.sound_exists(name):
        return result(-1)
    timeout = _ms(argv[3]) if len(argv) > 3 else 0.0
    max_digits = int(argv[4]) if len(argv) > 4 else 1024
    got = await collect(s, name, timeout, max_digits)
    return result(-1) if got is None else f"200 result={got}\n"


@handles("RECORD FILE")
async def record_file(s: AgiSession, argv: list[str]) -> str:
    """res_agi.c's order: the beep (a key or a hang-up during it: `(randomerror)`), then
    the file is opened (a missing or unwritable folder: `(writefile)`; nothing creates
    folders), then the recording; the file holds `endpos` samples of silence."""
    path, fmt, escape, timeout = argv[2], argv[3], argv[4], _ms(argv[5])
    extras = argv[6:]
    silence = next((int(x[2:]) for x in extras if x.startswith("s=")), None)
    if any(not x.isdigit() and "=" not in x for x in extras):
        what, _, key = await play(s, BEEP_SECONDS, escape)
        if what != "end":
            return result(ord(key[0]) if what == "key" else -1, "randomerror", 0)
    target = RecordingFile.create(f"{path}.{fmt}")
    if target is None:
        return result(-1, "writefile")
    code, note, endpos = await _record(s, escape, timeout, silence)
    target.finish(endpos)
    return result(code, note, endpos)


async def _record(
    s: AgiSession, escape: str, timeout: float, silence: int | None
) -> tuple[int, str, int]:
    """(result, annotation, endpos) of the recording itself."""
    what, elapsed, keys = await ask(s, "record", timeout, escape)
    if what == "hangup":
        return -1, "hangup", int(elapsed * RATE)
    if what == "keys" and keys[0] in escape:
        return ord(keys[0]), "dtmf", int(elapsed * RATE)
    spoke = elapsed if what == "keys" else 0.0
    if silence is not None and spoke + silence < timeout:
        return await _silence_stop(s, spoke, silence, timeout)
    if timeout == math.inf:
        spent = await s.spend(min(GIVE_UP, s.remaining()))
        s.die("caller")
        return -1, "hangup", int((spoke + spent) * RATE)
    wanted = timeout - spoke
    spent = await s.spend(min(wanted, s.remaining()))
    if spent < wanted:
        s.die("caller")
        return -1, "hangup", int((spoke + spent) * RATE)
    return 0, "timeout", int(timeout * RATE)


async def _silence_stop(
    s: AgiSession, spoke: float, silence: int, timeout: float
) -> tuple[int, str, int]:
    """Silence detection ends the recording: the result is the timeout left, in ms, and the
    file keeps one second of the silence (Asterisk rewinds it by silence - 1 s)."""
    spent = await s.spend(min(float(silence), s.remaining()))
    if spent < silence:
        s.die("caller")
        return -1, "hangup", int((spoke + spent) * RATE)
    left = int(timeout * 1000 - (spoke + silence) * 1000) if timeout != math.inf else 0
    return left, "timeout", int((spoke + 1) * RATE)


class RecordingFile:
    """The file RECORD FILE writes: created (empty) when the recording starts, as Asterisk
    opens it; `finish` fills it with the recording's length of silence. WAV is 8 kHz 16-bit
    mono with a header; other formats get 16-bit samples without one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, name: str) -> RecordingFile | None:
        """None when the file cannot be created (Asterisk's `writefile`)."""
        path = Path(name)
        try:
            if path.suffix == ".wav":
                _write_wav(path, 0)
            else:
                path.write_bytes(b"")
        except OSError:
            return None
        return cls(path)

    def finish(self, samples: int) -> None:
        try:
            if self.path.suffix == ".wav":
                _write_wav(self.path, samples)
            else:
                self.path.write_bytes(b"\0\0" * samples)
        except OSError:
            pass  # the folder went away mid-call; Asterisk would log it and go on


def _write_wav(path: Path, samples: int) -> None:
    with open(path, "wb") as raw, wave.open(raw, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"\0\0" * max(0, samples))


async def _say(s: AgiSession, seconds: float, escape: str) -> str:
    what, _, key = await play(s, seconds, escape)
    return _reply(what, key)


@handles("SAY DIGITS")
async def say_digits(s: AgiSession, argv: list[str]) -> str:
    return await _say(s, 0.5 * len(argv[2]), argv[3])


@handles("SAY ALPHA")
async def say_alpha(s: AgiSession, argv: list[str]) -> str:
    return await _say(s, 0.5 * len(argv[2]), argv[3])


@handles("SAY NUMBER")
async def say_number(s: AgiSession, argv: list[str]) -> str:
    number = int(argv[2])
    return await _say(s, 0.6 * len(str(abs(number))), argv[3])

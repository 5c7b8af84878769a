# Rules: the console plays Asterisk at the command level (no bytes): each STREAM FILE shows
# the prompt's TEXT from the catalog, and each request for keys (GET DATA, WAIT FOR DIGIT,
# RECORD FILE) takes one item from --keys or one line from the keyboard. An empty item or
# line is silence (the timeout). When --keys run out, or the keyboard hits EOF, the caller
# HANGS UP, answered exactly as Asterisk does (-1, then HANGUP, then 511s), so a script ends
# where its keys end and the flow's hangup path runs. The same Channel and flows run here.
# RECORD FILE is as honest as Asterisk: no folder, `(writefile)`; else a WAV of silence as
# long as the take (a keys item that ends it: the caller spoke 5 s; silence: the 1 s that
# silence detection keeps).
"""`hotline simulate`: walk the flows from a terminal, reading prompt texts."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ivr.agi import Command, DeadChannel, InvalidCommand, Request, Result
from ivr.catalog import Catalog
from ivr.channel import DEAD_SAFE, Channel
from ivr.link import Exchange
from ivr.runtime import Flow, run_call

Echo = Callable[[str], None]
DEAD = DeadChannel("Command Not Permitted on a dead channel or intercept routine")
RATE = 8000
SPOKEN = 5 * RATE  # a keys item that ends a recording: the caller spoke for 5 s
SILENT = 1 * RATE  # what silence detection leaves of a silent take


def parse_keys(text: str) -> list[str]:
    """--keys "1,2,,123#": one item per request for input; an empty item is silence."""
    return [item.strip() for item in text.split(",")] if text else []


class ConsoleLink:
    """Answers the Channel's commands like Asterisk would, for a caller at a terminal."""

    def __init__(
        self, request: Request, catalog: Catalog, echo: Echo, keys: Iterator[str | None]
    ) -> None:
        self.request = request
        self.catalog, self.echo, self._keys = catalog, echo, keys
        self.dead = False
        self._hangup_pending = False

    async def call(self, command: Command) -> Exchange:
        hangup, self._hangup_pending = self._hangup_pending, False
        if self.dead and not command.verb.startswith(DEAD_SAFE):
            return Exchange(DEAD, hangup)
        handler = getattr(self, "_" + command.verb.lower().replace(" ", "_"), None)
        reply = handler(*command.args) if handler else InvalidCommand("Invalid or unknown command")
        return Exchange(reply, hangup)

    # -- each command the Channel sends ----------------------------------------------------
    def _answer(self) -> Result:
        return Result("0")

    def _channel_status(self) -> Result:
        return Result("6")

    def _hangup(self) -> Result:
        self.echo("[hangup] by the IVR")
        self.dead, self._hangup_pending = True, True
        return Result("1")

    def _stream_file(self, path: str, escape: str = "") -> Result:
        self._show(path)
        return Result("0", endpos=8000)

    def _get_data(self, path: str, timeout_ms: str, max_digits: str) -> Result:
        self._show(path)
        key = self._next_key()
        if key is None:
            return Result("-1")
        digits = key.rstrip("#")[: int(max_digits)]
        ended = key.endswith("#") or len(key) >= int(max_digits)
        return Result(digits) if ended else Result(digits, "timeout")

    def _wait_for_digit(self, timeout_ms: str) -> Result:
        key = self._next_key()
        if key is None:
            return Result("-1")
        return Result(str(ord(key[0])) if key else "0")

    def _record_file(self, path: str, fmt: str, escape: str, *rest: str) -> Result:
        file = Path(f"{path}.{fmt}")
        try:
            _silent_wav(file, 0)  # Asterisk opens the file before it records
        except OSError as exc:
            self.echo(f"[record] cannot write {file}: {exc.strerror}")
            return Result("-1", "writefile")
        self.echo(f"[record] {file} (your next keys item ends it)")
        key = self._next_key()
        if key is None:
            reply = Result("-1", "hangup", SILENT)
        elif key and key[0] in escape:
            reply = Result(str(ord(key[0])), "dtmf", SPOKEN)
        else:
            reply = Result("0", "timeout", SPOKEN + SILENT if key else SILENT)
        _silent_wav(file, reply.endpos or 0)
        return reply

    def _exec(self, app: str, data: str = "") -> Result:
        self.echo(f"[exec] {app} {data}".rstrip())
        return Result("0")

    def _set_variable(self, name: str, value: str) -> Result:
        self.echo(f"[set] {name}={value}")
        return Result("1")

    def _get_variable(self, name: str) -> Result:
        return Result("0")

    def _verbose(self, message: str, level: str = "1") -> Result:
        return Result("1")

    # -- helpers ---------------------------------------------------------------------------
    def _show(self, path: str) -> None:
        lang, prompt_id = path.rsplit("/", 2)[-2:]
        try:
            text = self.catalog.text(prompt_id, lang)
        except KeyError:
            text = "(no text in the catalog)"
        self.echo(f"[play] {prompt_id}: {text}")

    def _next_key(self) -> str | None:
        key = next(self._keys, None)
        if key is None:
            self.echo("[hangup] caller hung up")
            self.dead = True
            self._hangup_pending = True
            return None
        self.echo(f"[keys] {key or '(silence)'}")
        return key


def _silent_wav(file: Path, samples: int) -> None:
    with open(file, "wb") as raw, wave.open(raw, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"\0\0" * samples)


def console_request(route: str, caller: str, lang: str) -> Request:
    variables = {
        "agi_network": "yes",
        "agi_network_script": route,
        "agi_channel": "Console/1",
        "agi_callerid": caller or "unknown",
        "agi_uniqueid": "console-1",
        "agi_context": "console",
        "agi_extension": "1022",
    }
    request = Request.from_variables(variables)
    if "lang" not in request.query:
        request.query["lang"] = lang
    return request


async def simulate(
    routes: Mapping[str, Flow],
    route: str,
    caller: str,
    lang: str,
    keys: Iterator[str | None],
    catalog: Catalog,
    echo: Echo,
    **context: Any,
) -> str:
    """Run one call of `route` in the terminal; returns how it ended."""
    request = console_request(route, caller, lang)
    echo(
        f"[call] route {request.script}, caller {caller or 'unknown'}, "
        f"language {request.query['lang']}"
    )
    link = ConsoleLink(request, catalog, echo, keys)
    return await run_call(routes, Channel(link, request, context))

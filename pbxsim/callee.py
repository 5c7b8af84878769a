# The person on the line. Rules: a callee answers one item of its key script per input
# request (WAIT FOR DIGIT, GET DATA, RECORD FILE, Read); an item is digits to press, ""
# to stay silent, or "H" to hang up. A prompt is heard to its end unless the callee barges
# in (barge_in and the next item is one escape digit) or the next item is "H" (it hangs up
# half-way through). When the script runs out the callee hangs up at the next request
# ("hangup") or stays silent `patience` more times first ("silent"). A callee may also
# press keys at fixed times (`timed`, seconds since the AGI began), like a dialplan's
# SendDTMF: a key landing in a prompt without it among the escape digits is lost, as on
# a real channel. Times are virtual seconds; the call's clock scales them. Pure.
"""What a caller or callee does when the IVR asks something."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

HANGUP = "H"


@dataclass(frozen=True)
class Press:
    keys: str
    after: float


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class HangUp:
    after: float


# script(kind, escape) -> next item, or None when the person has nothing more to say.
Script = Callable[[str, str], "str | None"]


def key_script(keys: str | list[str]) -> Script:
    """`"1,2,#"` (or a list) as a script: one item per input request."""
    items = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else list(keys)
    items.reverse()

    def next_item(kind: str, escape: str) -> str | None:
        return items.pop() if items else None

    return next_item


class Callee:
    """Answers the IVR's requests from a script, with think time and an optional deadline."""

    def __init__(
        self,
        script: Script,
        *,
        think: float = 1.5,
        speak: float = 3.0,
        barge_in: bool = False,
        hangup_at: float | None = None,
        end: str = "hangup",
        patience: int = 3,
        timed: list[tuple[float, str]] | None = None,
    ) -> None:
        self._script = script
        self._peeked: list[str | None] = []
        self.think = think
        self.speak = speak
        self.barge_in = barge_in
        self.hangup_at = hangup_at
        self.end = end
        self.patience = patience
        self.pressed: list[str] = []
        self.timed = sorted(timed or [])

    def _peek(self, kind: str, escape: str) -> str | None:
        if not self._peeked:
            self._peeked.append(self._script(kind, escape))
        return self._peeked[0]

    def _take(self, kind: str, escape: str) -> str | None:
        item = self._peek(kind, escape)
        self._peeked.clear()
        return item

    def _timed_in(self, now: float, window: float, escape: str | None) -> Press | None:
        """The first timed press inside [now, now+window]; misses and non-escapes are lost."""
        while self.timed and self.timed[0][0] < now:
            self.timed.pop(0)
        while self.timed and self.timed[0][0] <= now + window:
            at, keys = self.timed.pop(0)
            if escape is None or keys[0] in escape:
                self.pressed.append(keys)
                return Press(keys, at - now)
        return None

    def on_prompt(self, escape: str, duration: float, now: float = 0.0) -> Press | HangUp | None:
        """While a prompt plays: barge in with a key, hang up half-way, or listen (None)."""
        timed = self._timed_in(now, duration, escape)
        if timed or self.timed:
            return timed
        item = self._peek("prompt", escape)
        if item == HANGUP:
            self._take("prompt", escape)
            return HangUp(duration / 2)
        if self.barge_in and item and len(item) == 1 and item in escape:
            self._take("prompt", escape)
            self.pressed.append(item)
            return Press(item, min(self.think, duration / 2))
        return None

    def on_input(
        self, kind: str, escape: str = "", now: float = 0.0, timeout: float = float("inf")
    ) -> Press | Silence | HangUp:
        """Asked for digits (kind: digit, data, record): the next item decides."""
        timed = self._timed_in(now, timeout, None)
        if timed or self.timed:
            return timed or Silence()
        item = self._take(kind, escape)
        if item is None:
            if self.end == "silent" and self.patience > 0:
                self.patience -= 1
                return Silence()
            return HangUp(self.think)
        if item == HANGUP:
            return HangUp(self.speak if kind == "record" else self.think)
        if item == "":
            return Silence()
        self.pressed.append(item)
        return Press(item, self.speak if kind == "record" else self.think)

# One call's life as AMI sees it. Rules: the event order for each outcome is a table
# copied from the recorded traces (Local channels: two legs ;1 and ;2); other channel
# techs (PJSIP/…) are one leg, so the ;2 steps drop out and leg 1 carries the far end's
# cause. The AGI leg is ;1 for outbound calls and ;2 for calls into an IVR context.
"""Event scripts per outcome, and the steps that play them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from pbxsim import events as ev
from pbxsim.amiwire import Message
from pbxsim.events import Leg

_N = [("new", 1), ("new", 2)]
_PRE = [("cid",), ("bridge",), ("dialbegin",)]
_IDLE = [("dsc", "NOT_INUSE"), ("dsc", "NOT_INUSE")]

# outcome -> steps until the outcome is known (answer: until the callee is up)
SCRIPTS: dict[str, list[tuple]] = {
    "answer": _N
    + _PRE
    + [
        ("state", 1, 5),
        ("dialstate", "RINGING"),
        ("dsc", "INUSE"),
        ("ring",),
        ("state", 2, 6),
        ("dsc", "INUSE"),
        ("state", 1, 6),
        ("dsc", "INUSE"),
        ("resp",),
        ("dialend", "ANSWER"),
    ],
    "answer_now": _N
    + _PRE
    + [
        ("state", 1, 6),
        ("dialend", "ANSWER"),
        ("resp",),
        ("dsc", "INUSE"),
        ("state", 2, 6),
        ("dsc", "INUSE"),
    ],
    "busy": _N
    + _PRE
    + [
        ("resp",),
        ("state", 2, 7),
        ("dialend", "BUSY"),
        ("req", 2, 0),
        ("soft", 2, 16),
        ("hangup", 2, 17),
        ("hangup", 1, 0),
        ("dsc", "INUSE"),
        *_IDLE,
        ("dsc", "NOT_INUSE"),
    ],
    "noanswer": _N
    + _PRE
    + [
        ("state", 1, 5),
        ("dsc", "INUSE"),
        ("dialstate", "RINGING"),
        ("timeout",),
        ("req", 2, 19),
        ("resp",),
        ("soft", 2, 16),
        ("hangup", 1, 19),
        ("hangup", 2, 19),
        *_IDLE,
    ],
    "congestion": _N
    + _PRE
    + [
        ("state", 2, 7),
        ("dialend", "CONGESTION"),
        ("req", 2, 0),
        ("soft", 2, 16),
        ("hangup", 2, 34),
        ("resp",),
        ("hangup", 1, 0),
        ("dsc", "INUSE"),
        *_IDLE,
    ],
    "rejected": _N
    + [("resp",)]
    + _PRE
    + [
        ("soft", 2, 16),
        ("req", 1, 21),
        ("hangup", 2, 21),
        ("dialend", "NOANSWER"),
        ("hangup", 1, 21),
        *_IDLE,
    ],
    "unallocated": _N
    + _PRE
    + [
        ("soft", 2, 16),
        ("req", 1, 1),
        ("hangup", 2, 1),
        ("dsc", "NOT_INUSE"),
        ("resp",),
        ("dialend", "NOANSWER"),
        ("hangup", 1, 1),
        ("dsc", "NOT_INUSE"),
    ],
    "inbound": _N + _PRE + [("agi_priority",)],
    # the IVR's AGI sends ANSWER:
    "inbound_answer": [
        ("state", 2, 6),
        ("state", 1, 6),
        ("dialend", "ANSWER"),
        ("dsc", "INUSE"),
        ("dsc", "INUSE"),
        ("resp",),
    ],
    # the IVR's AGI ended (or never connected) without answering: the Originate fails
    "inbound_failed": [
        ("resp",),
        ("soft", 2, 16),
        ("req", 1, 16),
        ("hangup", 2, 16),
        ("dialend", "NOANSWER"),
        ("hangup", 1, 16),
        *_IDLE,
    ],
    "killed": [
        ("soft", 2, 16),
        ("req", 1, 16),
        ("hangup", 2, 16),
        ("resp",),
        ("hangup", 1, 16),
        *_IDLE,
    ],
}

# how the AGI leg (A) and the far leg (F) end, by who ended the call
ENDINGS: dict[str, tuple[list[tuple], list[tuple]]] = {
    # (steps when it happens, steps when the AGI session is over)
    "caller": (
        [("soft", "F", 16), ("req", "A", 16), ("hangup", "F", 16), ("dsc", "NOT_INUSE")],
        [("soft", "A", 16), ("hangup", "A", 16), ("dsc", "NOT_INUSE")],
    ),
    "agi": (
        [("soft", "A", 32)],
        [
            ("soft", "A", 16),
            ("req", "F", 0),
            ("hangup", "A", 0),
            ("soft", "F", 16),
            ("hangup", "F", 0),
            *_IDLE,
        ],
    ),
    # the callee hangs up after our own HANGUP: Asterisk reports cause 0 from then on
    "caller_after_agi": (
        [("soft", "F", 16), ("req", "A", 0), ("hangup", "F", 0), ("dsc", "NOT_INUSE")],
        [("soft", "A", 16), ("hangup", "A", 0), ("dsc", "NOT_INUSE")],
    ),
    "clean": (
        [],
        [
            ("soft", "A", 16),
            ("req", "F", 16),
            ("hangup", "A", 16),
            ("dsc", "NOT_INUSE"),
            ("soft", "F", 16),
            ("hangup", "F", 16),
            ("dsc", "NOT_INUSE"),
        ],
    ),
}


@dataclass
class CallLegs:
    """The legs of one call and what the step player needs to render events."""

    one: Leg
    two: Leg | None
    device: str
    dial_data: str
    far_cause: int = 16
    agi_leg: int = 1
    hangup_exten: bool = False  # the AGI leg's context has an h extension
    agi_priority: int = 1  # the priority of the AGI() line in the AGI leg's context
    on_answer: Callable[[], None] | None = None  # what AMI shows when the AGI answers
    _device_state: str = ""
    cid: tuple[str, str] = (ev.UNKNOWN, ev.UNKNOWN)
    emit: Callable[[Message], None] = lambda m: None
    respond: Callable[[], None] = lambda: None
    waits: dict[str, Callable] = field(default_factory=dict)

    def leg(self, which: int | str) -> Leg | None:
        if which == "A":
            which = self.agi_leg
        elif which == "F":
            which = 3 - self.agi_leg
        return self.one if which == 1 else self.two

    async def play(self, steps: list[tuple], *, pre_answer: bool = False) -> None:
        """Emit the steps in order; ("ring",)/("timeout",) await the call's waits."""
        for step in steps:
            if step[0] in self.waits:
                await self.waits[step[0]]()
            else:
                self.step(step, pre_answer)

    def emit_now(self, steps: list[tuple]) -> None:
        for step in steps:
            self.step(step, False)

    def step(self, step: tuple, pre_answer: bool) -> None:
        op = step[0]
        if op == "resp":
            self.respond()
            return
        if op == "agi_priority":
            self.leg("A").priority = self.agi_priority
            return
        if op == "dsc":
            if self.two is None and step[1] == self._device_state:
                return  # one channel, one device: no repeats (those are the Local pair's)
            self._device_state = step[1]
            self.emit(ev.device_state(self.device, step[1]))
            return
        if op in ("bridge", "dialbegin", "dialstate", "dialend", "cid"):
            self._dial_step(op, step)
            return
        leg = self.leg(step[1])
        if leg is None:
            return
        if op == "new":
            self.emit(ev.channel_event("Newchannel", leg))
        elif op == "state":
            leg.state = step[2]
            self.emit(ev.channel_event("Newstate", leg))
        elif op == "req":
            self.emit(ev.channel_event("HangupRequest", leg, ("Cause", str(step[2]))))
        elif op == "soft":
            self.emit(ev.channel_event("SoftHangupRequest", leg, ("Cause", str(step[2]))))
        elif op == "hangup":
            self.emit(ev.hangup(leg, self._cause(leg, step[2], pre_answer)))

    def _cause(self, leg: Leg, cause: int, pre_answer: bool) -> int:
        if self.two is None and pre_answer:
            return self.far_cause  # one leg: the far end's cause is its own
        if leg is self.leg("A") and self.hangup_exten and not pre_answer:
            leg.exten, leg.priority = "h", 2
        return cause

    def _dial_step(self, op: str, step: tuple) -> None:
        one = self.one
        if op == "cid":
            self._callerid()
        elif op == "bridge" and self.two is not None:
            self.emit(ev.local_bridge(one, self.two))
        elif op == "dialbegin":
            self.emit(ev.dial_event("DialBegin", one, ("DialString", self.dial_data)))
        elif op == "dialstate":
            self.emit(ev.dial_event("DialState", one, ("DialStatus", step[1])))
        elif op == "dialend":
            self.emit(ev.dial_event("DialEnd", one, ("DialStatus", step[1])))

    def _callerid(self) -> None:
        legs = [leg for leg in (self.one, self.two) if leg is not None]
        num, name = self.cid
        if num == ev.UNKNOWN and name == ev.UNKNOWN:
            return
        for leg in legs:
            leg.cid_num, leg.cid_name = num, name
            if leg is self.one:
                self.emit(ev.new_callerid(leg))
            leg.conn_num, leg.conn_name = num, name
            if leg is not self.one:
                self.emit(ev.new_callerid(leg))
            self.emit(ev.channel_event("NewConnectedLine", leg))


async def wait_or_killed(seconds: float, killed: asyncio.Event) -> bool:
    """Sleep (real seconds); True when an AMI Hangup cut the wait short."""
    if killed.is_set():
        return True
    try:
        await asyncio.wait_for(killed.wait(), seconds)
        return True
    except TimeoutError:
        return False

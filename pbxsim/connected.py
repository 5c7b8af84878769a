# A connected call: the AGI the dialplan (or the Application) names, run on the leg
# Asterisk would run it on, then the hang-up that follows. Rules: AMI hears of every
# hang-up as it happens (via the session's hooks) and of the rest when the FastAGI socket
# closes, in the order of the traces; an inbound caller is connected from the start.
"""After the answer: AGI session, endings, and inbound calls over the trunk."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pbxsim import events as ev
from pbxsim.agi_client import AgiChannel, AgiSession, Hooks
from pbxsim.callee import Callee
from pbxsim.calls import ENDINGS, SCRIPTS, CallLegs
from pbxsim.dialplan import AgiTarget, agi_target, substitute
from pbxsim.events import Leg
from pbxsim.originate import OriginateRequest
from pbxsim.population import AMD_CAUSE, AMD_SECONDS

if TYPE_CHECKING:
    from pbxsim.sim import PbxSim


@dataclass
class Transcript:
    """What happened on an inbound call, for tests and the demo."""

    channel: str
    lines: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    pressed: list[str] = field(default_factory=list)
    status: str = ""
    ended_by: str = "server"
    variables: dict[str, str] = field(default_factory=dict)


class CallControl:
    """What AMI Hangup / CoreShowChannels need to reach a live call."""

    def __init__(self) -> None:
        self.killed = asyncio.Event()
        self.session: AgiSession | None = None
        self.application = ""
        self.app_data = ""

    def kill(self) -> None:
        self.killed.set()
        if self.session is not None:
            self.session.kill()


async def connected(
    sim: PbxSim,
    req: OriginateRequest,
    legs: CallLegs,
    control: CallControl,
    callee: Callee,
    transcript: Transcript | None = None,
    amd: str = "HUMAN",
) -> None:
    """After answer: run the destination (AGI) on the AGI leg, then hang the call up.

    `amd` is what AMD() concludes in a context that runs it (MACHINE or HUMAN)."""
    agi = legs.leg("A")
    if req.application:
        target = agi_target(req.data) if req.application.lower() == "agi" else None
    else:
        context = sim.dialplan.lookup(req.context if legs.agi_leg == 1 else agi.context)
        target = None
        if context is not None:
            if legs.agi_leg == 1:
                agi.context, agi.exten = req.context, req.exten
            agi.priority = context.priority
            legs.hangup_exten = context.has_h
            if context.runs_amd(req.variables):
                await sim.sleep(AMD_SECONDS[amd])
                amd_vars = {"AMDSTATUS": amd, "AMDCAUSE": AMD_CAUSE[amd]}
                req = replace(req, variables={**req.variables, **amd_vars})
            variables = {**req.variables, "EXTEN": agi.exten, "CONTEXT": agi.context}
            target = agi_target(substitute(",".join((context.url, *context.args)), variables))
    ending = "clean"
    if target is not None:
        ending = await _run_agi(sim, req, legs, control, callee, target, transcript)
    steps = ENDINGS[ending][1]
    if ending == "clean" and target is not None and not req.application:
        agi.priority = context.hangup_priority  # the dialplan goes on to its Hangup()
    if req.application:  # no dialplan runs after the application: no soft hangup first
        steps = [s for s in steps if s != ("soft", "A", 16)]
    if legs.on_answer is not None and agi.state != 6:
        steps = SCRIPTS["inbound_failed"]
    legs.emit_now(steps)


async def _run_agi(
    sim: PbxSim,
    req: OriginateRequest,
    legs: CallLegs,
    control: CallControl,
    callee: Callee,
    target: AgiTarget,
    transcript: Transcript | None,
) -> str:
    agi = legs.leg("A")
    chan = AgiChannel(
        name=agi.name,
        uniqueid=agi.uniqueid,
        tech=agi.name.split("/")[0],
        context=agi.context,
        extension=agi.exten,
        priority=agi.priority,
        callerid=agi.cid_num if agi.cid_num != ev.UNKNOWN else "",
        calleridname=agi.cid_name if agi.cid_name != ev.UNKNOWN else "",
        accountcode=agi.accountcode,
        up=agi.state == 6,
        exit_on_hangup=req.variables.get("AGIEXITONHANGUP", "").lower() in ("yes", "true", "1"),
        variables=dict(req.variables),
    )
    hooks = Hooks(
        on_answer=legs.on_answer or (lambda: _answer(legs, agi)),
        on_agi_hangup=lambda: legs.emit_now(ENDINGS["agi"][0]),
        on_caller_hangup=lambda: legs.emit_now(ENDINGS[_caller_ending(session)][0]),
        on_music=lambda on, cls: legs.emit(
            ev.channel_event("MusicOnHoldStart", agi, ("Class", cls))
            if on
            else ev.channel_event("MusicOnHoldStop", agi)
        ),
    )
    lines = transcript.lines if transcript is not None else None
    session = AgiSession(sim.agi_env, chan, callee, target, hooks, lines)
    control.session, control.application, control.app_data = session, "AGI", target.request
    status = await session.run()
    if transcript is not None:
        transcript.heard, transcript.pressed = session.heard, callee.pressed
        transcript.status, transcript.ended_by = status, session.dead_by or "server"
        transcript.variables = chan.variables
    if session.far_gone:
        return _caller_ending(session)
    return "agi" if session.dead_by else "clean"


def _caller_ending(session: AgiSession) -> str:
    return "caller_after_agi" if session.dead_by in ("agi", "ami") else "caller"


def _answer(legs: CallLegs, leg: Leg) -> None:
    leg.state = 6
    legs.emit(ev.channel_event("Newstate", leg))


async def run_inbound(sim: PbxSim, caller: str, callee: Callee, exten: str) -> Transcript:
    """A caller dials `exten` over the trunk: a one-leg PJSIP channel into the IVR."""
    uid = sim.new_uniqueid()
    leg = Leg(
        f"PJSIP/{sim.config.trunk}-{sim.next_seq():08x}",
        uid,
        uid,
        sim.config.inbound_context,
        exten,
        state=4,
        cid_num=caller or ev.UNKNOWN,
    )
    legs = CallLegs(leg, None, f"PJSIP/{sim.config.trunk}", exten, emit=sim.emit)
    control = CallControl()
    sim.register(legs, control)
    transcript = Transcript(channel=leg.name)
    sim.stats["inbound"] += 1
    try:
        legs.emit_now([("new", 1)])
        req = OriginateRequest(channel=leg.name, context=sim.config.inbound_context, exten=exten)
        await connected(sim, req, legs, control, callee, transcript)
    finally:
        sim.unregister(legs)
    return transcript

# Drives calls: an Originate from dial to hangup, or an inbound caller into the IVR.
# Rules: the far end's fate comes from the population (or congestion past the trunk's
# capacity); answered calls run the AGI the dialplan names, on the leg Asterisk would
# run it on; AMI events are emitted as the call moves, never invented after the fact;
# every wait is virtual and scaled by the sim's clock.
"""Outbound and inbound call runners."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pbxsim import events as ev
from pbxsim.agi_client import AgiChannel, AgiSession, Hooks
from pbxsim.callee import Callee, key_script
from pbxsim.calls import ENDINGS, SCRIPTS, CallLegs, wait_or_killed
from pbxsim.dialplan import agi_target, parse_dial_string, substitute
from pbxsim.events import Leg
from pbxsim.originate import OriginateRequest, originate_response
from pbxsim.population import CALLER_SCENARIOS, OUTCOMES, Fate

if TYPE_CHECKING:
    from pbxsim.sim import PbxSim

KNOWN_TECHS = {"local", "pjsip", "sip", "iax2", "dahdi", "motif", "unistim", "dongle"}


class Killed(Exception):
    """An AMI Hangup ended the call before it was answered."""


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


def _make_legs(sim: PbxSim, req: OriginateRequest, tech: str, data: str) -> CallLegs:
    seq = sim.next_seq()
    ds = parse_dial_string(req.channel)
    uid1 = req.channel_id or sim.new_uniqueid()
    if tech.lower() == "local":
        base = f"{tech}/{data}-{seq:08x}"
        one = Leg(f"{base};1", uid1, uid1, ds.context, ds.number, accountcode=req.account)
        uid2 = req.other_channel_id or sim.new_uniqueid()
        two = Leg(f"{base};2", uid2, uid1, ds.context, ds.number, state=4, accountcode=req.account)
        return CallLegs(one, two, f"{tech}/{data}", data)
    endpoint = ds.context or data.split("/")[0]
    one = Leg(f"{tech}/{endpoint}-{seq:08x}", uid1, uid1, "default", "s", accountcode=req.account)
    return CallLegs(one, None, f"{tech}/{endpoint}", data)


async def run_originate(sim: PbxSim, req: OriginateRequest, reply) -> None:
    """The whole life of one originated call. `reply(success)` answers a sync Originate."""
    ds = parse_dial_string(req.channel)
    answered = {"uid": req.channel_id or ev.UNKNOWN, "channel": req.channel}

    def respond(success: bool, reason: int) -> None:
        if req.is_async:
            sim.emit(originate_response(req, success, answered["channel"], reason, answered["uid"]))
        else:
            reply(success)

    if ds.tech.lower() not in KNOWN_TECHS:
        respond(False, 0)
        return
    legs = _make_legs(sim, req, ds.tech, ds.data)
    legs.emit, legs.cid = sim.emit, (req.cid_num, req.cid_name)
    control = CallControl()
    sim.register(legs, control)
    try:
        if legs.two is not None and sim.dialplan.is_inbound(ds.context, ds.number):
            await _inbound_local(sim, req, legs, control, respond, answered)
        else:
            await _outbound(sim, req, legs, control, respond, answered, ds.number)
    finally:
        sim.unregister(legs)


async def _outbound(sim, req, legs, control, respond, answered, number) -> None:
    timeout = max(0, req.timeout_ms) / 1000.0
    sim.active_outbound += 1
    try:
        if sim.active_outbound > sim.config.channels:
            fate = Fate("congestion")
        else:
            fate = sim.population.fate(number)
        script = fate.outcome
        if fate.outcome == "answer":
            script = "answer" if fate.ring > 0 else "answer_now"
            if fate.ring >= timeout:
                script = "noanswer"
        cause, reason = OUTCOMES["noanswer" if script == "noanswer" else fate.outcome]
        sim.stats["noanswer" if script == "noanswer" else fate.outcome] += 1
        legs.far_cause = cause

        async def ring() -> None:
            if await wait_or_killed(sim.real(fate.ring), control.killed):
                raise Killed

        async def ring_out() -> None:
            if await wait_or_killed(sim.real(timeout), control.killed):
                raise Killed

        def on_resp() -> None:
            if script.startswith("answer"):
                answered["uid"], answered["channel"] = legs.one.uniqueid, legs.one.name
            respond(script.startswith("answer"), reason)

        legs.respond, legs.waits = on_resp, {"ring": ring, "timeout": ring_out}
        try:
            await legs.play(SCRIPTS[script], pre_answer=True)
        except Killed:
            legs.respond = lambda: respond(False, 1)
            await legs.play(SCRIPTS["killed"], pre_answer=True)
            return
        if script.startswith("answer"):
            callee = sim.population.callee(number, fate)
            await _connected(sim, req, legs, control, callee)
    finally:
        sim.active_outbound -= 1


async def _connected(
    sim,
    req: OriginateRequest,
    legs: CallLegs,
    control: CallControl,
    callee: Callee,
    transcript: Transcript | None = None,
) -> None:
    """After answer: run the destination (AGI) on the AGI leg, then hang the call up."""
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


async def _run_agi(sim, req, legs, control, callee, target, transcript) -> str:
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


async def _inbound_local(sim, req, legs, control, respond, answered) -> None:
    """Originate Local/1022@<ivr context>: ;2 runs the IVR's AGI, ;1 is the caller."""
    legs.agi_leg = 2

    def on_answer() -> None:
        def on_resp() -> None:
            answered["uid"], answered["channel"] = legs.one.uniqueid, legs.one.name
            respond(True, 4)

        legs.respond = on_resp
        legs.emit_now(SCRIPTS["inbound_answer"])
        legs.respond = lambda: respond(False, 0)
        legs.one.context, legs.one.exten = req.context or legs.one.context, req.exten or "s"

    legs.respond, legs.on_answer = (lambda: respond(False, 0)), on_answer
    context = sim.dialplan.lookup(legs.two.context)
    legs.agi_priority = context.priority if context else 1
    await legs.play(SCRIPTS["inbound"], pre_answer=True)
    keys = req.variables.get("PBXSIM_KEYS")
    if keys is not None:
        items = ["" if k == "-" else k for k in keys.replace(":", " ").split()]
        callee = Callee(key_script(items), think=sim.population.config.think)
    elif req.context == "caller" and req.exten in CALLER_SCENARIOS:
        callee = sim.population.callee(req.cid_num, CALLER_SCENARIOS[req.exten])
    else:
        callee = sim.population.callee(req.cid_num, sim.population.fate(req.cid_num))
    await _connected(
        sim, OriginateRequest(channel=req.channel, variables=req.variables), legs, control, callee
    )


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
        await _connected(sim, req, legs, control, callee, transcript)
    finally:
        sim.unregister(legs)
    return transcript

# Drives an Originate from dial to answer (connected.py takes it from there). Rules: the
# far end's fate comes from the population (or congestion past the trunk's capacity);
# Local/1022 into an IVR context is an inbound caller whose IVR answers through AGI;
# AMI events are emitted as the call moves, never invented after the fact; every wait
# is virtual and scaled by the sim's clock.
"""Originate runner: legs, fates, ringing, the outcome scripts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pbxsim import events as ev
from pbxsim.callee import Callee, key_script
from pbxsim.calls import SCRIPTS, CallLegs, wait_or_killed
from pbxsim.connected import CallControl, connected
from pbxsim.dialplan import parse_dial_string
from pbxsim.events import Leg
from pbxsim.originate import OriginateRequest, originate_response
from pbxsim.population import CALLER_SCENARIOS, OUTCOMES, Fate

if TYPE_CHECKING:
    from pbxsim.sim import PbxSim

Respond = Callable[[bool, int], None]  # (success, Reason) -> OriginateResponse or reply
KNOWN_TECHS = {"local", "pjsip", "sip", "iax2", "dahdi", "motif", "unistim", "dongle"}


class Killed(Exception):
    """An AMI Hangup ended the call before it was answered."""


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


async def _outbound(
    sim: PbxSim,
    req: OriginateRequest,
    legs: CallLegs,
    control: CallControl,
    respond: Respond,
    answered: dict[str, str],
    number: str,
) -> None:
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
            amd = "MACHINE" if fate.behaviour == "machine" else "HUMAN"
            await connected(sim, req, legs, control, callee, amd=amd)
    finally:
        sim.active_outbound -= 1


async def _inbound_local(
    sim: PbxSim,
    req: OriginateRequest,
    legs: CallLegs,
    control: CallControl,
    respond: Respond,
    answered: dict[str, str],
) -> None:
    """Originate Local/1022@<ivr context>: ;2 runs the IVR's AGI, ;1 is the caller."""
    legs.agi_leg = 2
    sim.stats["inbound"] += 1

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
    await connected(
        sim, OriginateRequest(channel=req.channel, variables=req.variables), legs, control, callee
    )

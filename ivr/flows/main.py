# Rules: the inbound route. The menus are data walked by the pure MenuWalker; this flow only
# plays what it asks and hands it one key (None on timeout). Wrong keys and timeouts are the
# walker's business (repeat, then the operator). Every menu prompt can be interrupted by that
# menu's keys (its own, 0 and *); the greeting by the main menu's, and a key pressed during
# it is the main menu's choice (regular callers type ahead). A caller the hotline is trying
# to reach about an exposure hears why before anything else (ivr.flows.unreached). A
# "flow:<route>" exit runs that route's flow in the same call, then the caller is back in the
# menu they chose it from; a route that does not exist (yet) sends the caller to the operator
# rather than to silence. Run again by the dialplan with the argument `callback` (nobody in
# the operators' queue answered), the route offers a callback before the menus.
"""The `ivr` route: welcome, then the main menu and everything under it."""

from __future__ import annotations

import functools
import logging

from sqlalchemy.exc import SQLAlchemyError

from ivr.agi import CallerHungUp
from ivr.channel import Channel
from ivr.flows.call_log import CallLog
from ivr.menus import ROOT, Ask, MenuTree, MenuWalker, load_menus

log = logging.getLogger("hotline.ivr")
default_menus = functools.cache(load_menus)
CALLBACK_ARG = "callback"  # agi://host/ivr,callback: back from the queue, nobody answered


async def ivr(channel: Channel) -> None:
    from ivr.flows import ROUTES  # the registry imports this module
    from ivr.flows.callback import offer_callback
    from ivr.flows.unreached import tell_unreached

    tree: MenuTree = channel.context.get("menus") or default_menus()
    calls = await CallLog.open(channel)
    walker: MenuWalker | None = None
    outcome = "error"
    try:
        await channel.answer()
        typed = None
        if channel.args[:1] == (CALLBACK_ARG,):
            outcome = await offer_callback(channel, calls)
            if outcome != "menus":
                return
        elif await tell_unreached(channel, calls):
            if channel.hung_up or channel.transferred_to:
                outcome = "operator" if channel.transferred_to else "goodbye"
                return
        else:
            typed = await channel.play(["welcome"], escape=menu_keys(tree.menus[ROOT].digits))
        start = ROOT
        while True:
            walker = MenuWalker(tree, start)
            await walk(channel, walker, typed)
            typed = None
            await calls.walked(walker.path)
            target, back, walker = walker.exit.target, walker.path[-2], None
            if target == "hangup":
                outcome = "goodbye"
                await channel.play(["goodbye"])
                await channel.hangup()
                return
            flow = ROUTES.get(target.removeprefix("flow:")) if target.startswith("flow:") else None
            if flow is None:
                if target != "operator":
                    log.warning(
                        "menu target %r has no flow; sending the caller to the operator", target
                    )
                outcome = "operator"
                await to_operator(channel)
                return
            await flow(channel)
            if channel.hung_up or channel.transferred_to:
                outcome = "operator" if channel.transferred_to else "hangup"
                return
            start = back
    except CallerHungUp:
        outcome = "hangup"
        raise
    except SQLAlchemyError:
        calls.mute()  # the safety net logs the database error once
        raise
    finally:
        if walker is not None:  # hung up mid-menu: keep the way so far
            calls.path.extend(walker.path)
        await calls.close(outcome)


async def walk(channel: Channel, walker: MenuWalker, typed: str | None = None) -> MenuWalker:
    """Walk the menus until an exit; the walker keeps the path. `typed`: a key the caller
    pressed before the first menu was played (during the greeting)."""
    step = walker.press(typed) if typed else walker.current()
    while isinstance(step, Ask):
        key = await channel.play(step.prompts, escape=menu_keys(step.digits))
        if key is None:
            key = (await channel.ask([], timeout=step.timeout_s, terminator="")).key
        step = walker.press(key)
    return walker


def menu_keys(digits) -> str:
    """A menu's keys as STREAM FILE escape digits, in keypad order."""
    return "".join(k for k in "1234567890*#" if k in digits)


async def to_operator(channel: Channel) -> None:
    await channel.play(["transfer-operator"])
    await channel.transfer()

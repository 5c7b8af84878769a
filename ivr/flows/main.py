# Rules: the inbound route. The menus are data walked by the pure MenuWalker; this flow only
# plays what it asks and hands it one key (None on timeout). Wrong keys and timeouts are the
# walker's business (repeat, then the operator). A "flow:<route>" exit runs that route's flow
# in the same call, then the caller is back in the menu they chose it from; a route that does
# not exist (yet) sends the caller to the operator rather than to silence.
"""The `ivr` route: welcome, then the main menu and everything under it."""

from __future__ import annotations

import functools
import logging

from ivr.agi import CallerHungUp
from ivr.channel import Channel
from ivr.flows.call_log import CallLog
from ivr.menus import Ask, MenuTree, MenuWalker, load_menus

log = logging.getLogger("hotline.ivr")
default_menus = functools.cache(load_menus)


async def ivr(channel: Channel) -> None:
    from ivr.flows import ROUTES  # the registry imports this module

    tree: MenuTree = channel.context.get("menus") or default_menus()
    calls = await CallLog.open(channel)
    walker: MenuWalker | None = None
    outcome = "error"
    try:
        await channel.answer()
        await channel.play(["welcome"])
        start = "main"
        while True:
            walker = MenuWalker(tree, start)
            await walk(channel, walker)
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
    finally:
        if walker is not None:  # hung up mid-menu: keep the way so far
            calls.path.extend(walker.path)
        await calls.close(outcome)


async def walk(channel: Channel, walker: MenuWalker) -> MenuWalker:
    """Walk the menus until an exit; the walker keeps the path."""
    step = walker.current()
    while isinstance(step, Ask):
        answer = await channel.ask(step.prompts, timeout=step.timeout_s, max_digits=1)
        step = walker.press(answer.key)
    return walker


async def to_operator(channel: Channel) -> None:
    await channel.play(["transfer-operator"])
    await channel.transfer()

# Rules: every driver runs a call through `run_call`, the one safety net: a caller who hangs
# up ends the flow quietly (the flow has already saved what it had); a bug in a flow is
# logged once with its traceback (a configuration UserError in one line) and the caller
# hears an apology and goes to an operator, never dead air; so does an unknown route.
"""Route lookup and the safety net around a flow."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from ivr.agi import AgiError, CallerHungUp
from ivr.channel import Channel
from store.errors import UserError

log = logging.getLogger("hotline.ivr")

Flow = Callable[[Channel], Awaitable[None]]


async def run_call(routes: Mapping[str, Flow], channel: Channel, route: str | None = None) -> str:
    """Run the route's flow on the channel; returns how the call ended (for logs and tests)."""
    name = channel.request.script if route is None else route
    flow = routes.get(name)
    if flow is None:
        log.warning("no flow for route %r (call %s)", name, channel.request.uniqueid)
        await apologize(channel)
        return "unknown-route"
    try:
        await flow(channel)
    except CallerHungUp as exc:
        log.info("call %s: %s", channel.request.uniqueid, exc)
        return "hangup"
    except UserError as exc:  # configuration (no database, say): one line, not a traceback
        log.error("flow %r cannot run on call %s: %s", name, channel.request.uniqueid, exc)
        await apologize(channel)
        return "error"
    except Exception:
        log.exception("flow %r failed on call %s", name, channel.request.uniqueid)
        await apologize(channel)
        return "error"
    return "done"


async def apologize(channel: Channel) -> None:
    """The apology prompt, then the operator; nothing at all if the caller is gone."""
    try:
        await channel.play(["error-apology", "transfer-operator"])
        await channel.transfer()
    except CallerHungUp:
        pass
    except AgiError as exc:
        log.warning("could not hand call %s to the operator: %s", channel.request.uniqueid, exc)

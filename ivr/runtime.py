# Rules: every driver runs a call through `run_call`, the one safety net: a caller who hangs
# up ends the flow quietly (the flow has already saved what it had); a bug in a flow is
# logged once with its traceback, and what is not a bug in one line (a configuration
# UserError, a prompt file Asterisk cannot play, the database failing mid-call); either way
# the caller hears an apology and goes to an operator, never dead air; so does an unknown
# route. The apology itself never stops the transfer: a missing apology prompt is skipped.
"""Route lookup and the safety net around a flow."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError

from ivr.agi import AgiError, CallerHungUp
from ivr.channel import Channel, PromptMissing
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
    except PromptMissing as exc:
        log.error("flow %r on call %s: %s", name, channel.request.uniqueid, exc)
        await apologize(channel)
        return "error"
    except SQLAlchemyError as exc:
        log.error(
            "flow %r on call %s: database error: %s", name, channel.request.uniqueid,
            first_line(exc),
        )  # fmt: skip
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
        for prompt in ("error-apology", "transfer-operator"):
            try:
                await channel.play([prompt])
            except PromptMissing:
                continue  # the operator matters more than the words
        await channel.transfer()
    except CallerHungUp:
        pass
    except AgiError as exc:
        log.warning("could not hand call %s to the operator: %s", channel.request.uniqueid, exc)


def first_line(exc: BaseException) -> str:
    """An exception's first line (SQLAlchemy's carry the statement and a link below)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

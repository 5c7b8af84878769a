# Rules: one module per flow (or family of small flows); each flow is
# `async def flow(channel: Channel) -> None`, registered here under the route name the
# dialplan uses (agi://host:4573/<route>) and the menus use ("flow:<route>"). Outbound calls
# all reach the `notice` route (the dialplan's hotline-outbound); a campaign of another kind
# than exposure_notice is handed, once its token checks out, to its flow in HANDOFFS.
"""The call flows, by route name; the outbound flows by campaign kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ivr.flows import (
    callback,
    declaration,
    feedback,
    lookups,
    main,
    notice,
    procedures,
    readback,
    reminder,
    vaccination,
)
from ivr.runtime import Flow

ROUTES: dict[str, Flow] = {
    "ivr": main.ivr,
    "language": procedures.language,
    "procedure-birth": procedures.procedure("birth"),
    "procedure-residence": procedures.procedure("residence"),
    "procedure-land": procedures.procedure("land"),
    "procedure-business": procedures.procedure("business"),
    "readback": readback.readback,
    "feedback": feedback.feedback,
    "declaration": declaration.declaration,
    "exposure": lookups.exposure,
    "vaccination": vaccination.vaccination,
    "bulletin": procedures.bulletin,
    "notice": notice.notice,
}

Handoff = Callable[..., Awaitable[None]]  # (channel, records, NoticeTarget)
HANDOFFS: dict[str, Handoff] = {
    "appointment_reminder": reminder.reminder,
    "callback": callback.callback_call,
}

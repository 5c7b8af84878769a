# Rules: one module per flow (or family of small flows); each flow is
# `async def flow(channel: Channel) -> None`, registered here under the route name the
# dialplan uses (agi://host:4573/<route>) and the menus use ("flow:<route>").
"""The call flows, by route name."""

from __future__ import annotations

from ivr.flows import declaration, feedback, lookups, main, notice, procedures, readback
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
    "vaccination": lookups.vaccination,
    "notice": notice.notice,
}

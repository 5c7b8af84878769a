# Rules: the Q.850 cause numbers a hangup carries, named as PROTOCOL.md names them; a cause
# with no name here is shown as its number only. Asterisk's own Cause-txt, when the dialer
# stored it, wins over this table.
"""Names of the hangup causes a report shows."""

from __future__ import annotations

Q850 = {
    0: "not defined",
    1: "unallocated number",
    3: "no route to destination",
    16: "normal clearing",
    17: "user busy",
    18: "no user responding",
    19: "no answer",
    20: "subscriber absent",
    21: "call rejected",
    22: "number changed",
    27: "destination out of order",
    28: "invalid number format",
    31: "normal, unspecified",
    34: "no circuit available",
    38: "network out of order",
    41: "temporary failure",
    42: "switching equipment congestion",
    44: "requested channel not available",
}


def cause_text(cause: int | None, stored: str | None) -> str:
    if stored:
        return stored
    if cause is None:
        return ""
    return Q850.get(cause, "")

# Rules: what every outbound call does once its token has checked out (the notice route
# verifies it), whatever the campaign: answer; an answering machine (AMD said MACHINE) is
# recorded as one and hung up on, for the dialer to retry; a person is recorded as reached
# (attempt answered, contact answered) before the first word.
"""The start of an outbound call the dialer placed: machine or person."""

from __future__ import annotations

from ivr.channel import Channel
from ivr.flows.records import NoticeTarget, Records


async def person_answered(channel: Channel, records: Records, target: NoticeTarget) -> bool:
    """True when a person is on the line (recorded as reached); False after a machine."""
    await channel.answer()
    if await channel.get_variable("AMDSTATUS") == "MACHINE":
        await records.run(records.notice_machine, target.attempt_id)
        await channel.hangup()
        return False
    await records.run(records.notice_answered, target.attempt_id)
    return True

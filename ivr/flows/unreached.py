# Rules: a caller whose number is a contact of a running exposure campaign that the dialer
# has not reached yet is told, before the menus, why the hotline has been trying to call:
# the same words as the outbound notice (notice_prompts). Having heard it, the contact is
# reached (answered; the dialer stops calling), then offered the declaration: 1 declares now
# (the declaration is the contact's, and the contact becomes declared), anything else or
# silence goes on to the main menu. A database that cannot answer the question costs the
# caller nothing: the usual welcome, and one log line (a warning; only an info line where
# no database is set up at all, as under `hotline simulate` in a fresh checkout).
"""Telling a caller the hotline has been trying to reach them about an exposure."""

from __future__ import annotations

import logging

from ivr.channel import Channel
from ivr.flows.call_log import CallLog
from ivr.flows.declaration import take_declaration
from ivr.flows.notice import notice_prompts
from ivr.flows.records import NoticeTarget, Records, caller_e164
from ivr.runtime import first_line
from store.errors import UserError

log = logging.getLogger("hotline.ivr")
DECLARE = "1"
PATH_STEP = "notice"  # in InboundCall.path


async def tell_unreached(channel: Channel, calls: CallLog) -> bool:
    """True when the caller was an unreached contact and heard why (the menus follow
    unless they declared into an operator's hands or hung up)."""
    target = await _unreached(channel)
    if target is None:
        return False
    records = Records.of(channel)
    await channel.play(["welcome"])
    await channel.play(notice_prompts(target, channel.lang))
    await records.run(records.contact_reached, target.contact_id)
    await calls.walked([PATH_STEP])
    choice = await channel.ask(["unreached-offer-declaration"], timeout=6, max_digits=1)
    if choice.key != DECLARE:
        return True
    await calls.walked(["flow:declaration"])
    await channel.play(["notice-declare"])
    declaration_id = await records.run(
        records.start_declaration, target.phone, "inbound", target.contact_id
    )
    if await take_declaration(channel, records, declaration_id):
        await records.run(records.contact_declared, target.contact_id)
    return True


async def _unreached(channel: Channel) -> NoticeTarget | None:
    phone = caller_e164(channel.callerid)
    if phone is None or channel.context.get("sessions") is None:
        return None
    records = Records.of(channel)
    try:
        return await records.run(records.unreached_contact, phone)
    except Exception as exc:  # the database must never cost the caller the menus
        level = logging.INFO if isinstance(exc, UserError) else logging.WARNING
        log.log(level, "call %s: no exposure check: %s", channel.request.uniqueid, first_line(exc))
        return None

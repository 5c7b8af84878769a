# Rules: the outbound exposure notice. The dialplan runs it with the dialer's signed token
# (agi://host/notice,${HOTLINE_ATTEMPT}); the attempt is marked answered and its contact
# "answered" before the first word is played, so a callee who hangs up at once is still
# counted as reached. 9 during the notice opts the number out for good. Then the keypad
# declaration (the same questions as the inbound one); a finished one marks the contact
# "declared". A token that does not check out (missing, forged, another attempt's, or a
# replay after the attempt ended) changes nothing: a neutral goodbye, one log line, no
# operator (nobody called the hotline).
"""The `notice` route: warn a contact of an exposure and take their declaration."""

from __future__ import annotations

import logging

from ivr import speech
from ivr.channel import Channel
from ivr.flows.declaration import take_declaration
from ivr.flows.lookups import CITY_ZONE
from ivr.flows.records import NoticeRefused, NoticeTarget, Records

log = logging.getLogger("hotline.ivr")
OPT_OUT_KEY = "9"


async def notice(channel: Channel) -> None:
    records = Records.of(channel)
    token = channel.args[0] if channel.args else ""
    secret = channel.context.get("signing_secret")
    try:
        target = await records.run(records.notice_answered, token, secret)
    except NoticeRefused as refused:
        log.warning("notice call %s refused: %s", channel.request.uniqueid, refused)
        await channel.answer()
        await channel.play(["goodbye"])
        await channel.hangup()
        return
    await channel.answer()
    key = await channel.play(["notice-intro", "notice-exposure"], escape=OPT_OUT_KEY)
    key = key or await channel.play(when_prompts(target, channel.lang), escape=OPT_OUT_KEY)
    key = key or await channel.play(
        ["notice-instructions", "notice-opt-out-hint"], escape=OPT_OUT_KEY
    )
    if key == OPT_OUT_KEY:
        await records.run(records.opt_out, target)
        await channel.play(["opted-out", "thank-you"])
        await channel.hangup()
        return
    await channel.play(["notice-declare"])
    declaration_id = await records.run(
        records.start_declaration, target.phone, "campaign", target.contact_id
    )
    if await take_declaration(channel, records, declaration_id):
        await records.run(records.mark_declared, target.contact_id)
        await channel.hangup()


def when_prompts(target: NoticeTarget, lang: str) -> list[str]:
    """From check-in to check-out in city time, or just the check-in moment."""
    if target.checked_in_at is None:
        return []
    start = target.checked_in_at.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    if target.checked_out_at is None:
        return speech.datetime_prompts(start, lang)
    end = target.checked_out_at.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    return speech.range_prompts(start, end, lang)

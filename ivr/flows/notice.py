# Rules: the outbound exposure notice. The dialplan runs it with the dialer's signed token
# (agi://host/notice,${HOTLINE_ATTEMPT}), after AMD() when the campaign asked for it: an
# answering machine (AMDSTATUS=MACHINE) is recorded as one and hung up on (after a short
# message only if the campaign says so); the dialer retries it later. A person is recorded
# as reached before the first word. The notice says where (the place's own recorded name,
# else its district) and when (city time), then offers 1 declare now, 2 hear it again,
# 9 "I was not there" (an opt-out for good). Silence hears the notice once more, then a
# goodbye; a wrong key hears "invalid key" and the choices again. The funnel is recorded on
# the attempt as it happens: notice heard to the end, the first key, the declaration. A
# token that does not check out (missing, forged, another attempt's, or a replay after the
# attempt ended) is checked before any row is touched: a neutral goodbye, one log line,
# nothing changed. The calls of other kinds of campaign go, once their token has checked
# out, to their own flow (HANDOFFS: the vaccination reminder, the callback asked for).
"""The `notice` route: warn a contact of an exposure and take their declaration."""

from __future__ import annotations

import logging
import re
import unicodedata

from ivr import speech
from ivr.catalog import load_catalog
from ivr.channel import Channel
from ivr.flows.declaration import take_declaration
from ivr.flows.lookups import CITY_ZONE
from ivr.flows.records import NoticeRefused, NoticeTarget, Records

log = logging.getLogger("hotline.ivr")
DECLARE, REPEAT, NOT_THERE = "1", "2", "9"
CHOICES = DECLARE + REPEAT + NOT_THERE
MAX_PLAYS = 4  # the notice is heard at most this often in one call
_PROMPT_ID = re.compile(r"[a-z0-9][a-z0-9-]*", re.IGNORECASE)


async def notice(channel: Channel) -> None:
    records = Records.of(channel)
    token = channel.args[0] if channel.args else ""
    secret = channel.context.get("signing_secret")
    try:
        target = await records.run(records.notice_target, token, secret)
    except NoticeRefused as refused:
        log.warning("notice call %s refused: %s", channel.request.uniqueid, refused)
        await channel.answer()
        await channel.play(["goodbye"])
        await channel.hangup()
        return
    from ivr.flows import HANDOFFS  # the registry imports this module

    if target.kind in HANDOFFS:
        await HANDOFFS[target.kind](channel, records, target)
        return
    await channel.answer()
    if await channel.get_variable("AMDSTATUS") == "MACHINE":
        await records.run(records.notice_machine, target.attempt_id)
        if target.leave_message:
            await channel.play(["notice-machine-message"])
        await channel.hangup()
        return
    await records.run(records.notice_answered, target.attempt_id)
    key = await _choose(channel, records, target)
    if key == NOT_THERE:
        await records.run(records.opt_out, target)
        await channel.play(["opted-out", "thank-you"])
    elif key == DECLARE:
        await channel.play(["notice-declare"])
        declaration_id = await records.run(
            records.start_declaration, target.phone, "campaign", target.contact_id
        )
        if not await take_declaration(channel, records, declaration_id):
            return  # handed to an operator, answers so far kept
        await records.run(records.mark_declared, target, declaration_id)
        if channel.transferred_to:
            return  # symptomatic, and chose to talk to an operator
    else:
        await channel.play(["notice-goodbye"])
    await channel.hangup()


async def _choose(channel: Channel, records: Records, target: NoticeTarget) -> str | None:
    """Play the notice and its choices until the callee picks 1 or 9 (None: gave up)."""
    misses, first_key = 0, None
    for plays in range(MAX_PLAYS):
        key = await channel.play(notice_prompts(target, channel.lang), escape=CHOICES)
        if key is None:
            if plays == 0:
                await records.run(records.notice_heard, target.attempt_id)
            key = (await channel.ask(["notice-menu"], timeout=8, max_digits=1)).key
        while key is not None and key not in CHOICES:  # a wrong key: say so, ask again
            first_key = first_key or key
            await records.run(records.notice_key, target.attempt_id, key)
            misses += 1
            if misses >= 3:
                return None
            key = (await channel.ask(["invalid-key", "notice-menu"], timeout=8)).key
        if key is None:
            misses += 1
            if misses >= 2:
                return None
            continue
        if first_key is None:
            first_key = key
            await records.run(records.notice_key, target.attempt_id, key)
        if key != REPEAT:
            return key
    return None


def notice_prompts(target: NoticeTarget, lang: str) -> list[str]:
    prompts = ["notice-intro", "notice-exposure"]
    place = place_prompt(target)
    if place:
        prompts += ["notice-place", place]
    when = when_prompts(target, lang)
    if when:
        prompts += ["notice-time", *when]
    return prompts + ["notice-instructions"]


def place_prompt(target: NoticeTarget) -> str | None:
    """The place's own recorded name, else its district's prompt, else nothing."""
    if target.place_prompt and _PROMPT_ID.fullmatch(target.place_prompt):
        return target.place_prompt
    slug = district_slug(target.district)
    if slug and f"district-{slug}" in load_catalog().ids:
        return f"district-{slug}"
    return None


def district_slug(district: str) -> str:
    """'Quận Hải Châu' -> 'hai-chau': no diacritics, no 'quận'/'huyện', dashes."""
    text = unicodedata.normalize("NFD", district.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    if words[:1] in (["quan"], ["huyen"]):
        words = words[1:]
    return "-".join(words)


def when_prompts(target: NoticeTarget, lang: str) -> list[str]:
    """From check-in to check-out in city time, or just the check-in moment."""
    if target.checked_in_at is None:
        return []
    start = target.checked_in_at.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    if target.checked_out_at is None:
        return speech.datetime_prompts(start, lang)
    end = target.checked_out_at.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    return speech.range_prompts(start, end, lang)

# Rules: callbacks. Back from the operators' queue with nobody free (the dialplan runs
# agi://host/ivr,callback), the caller is offered: 1 a callback, 0 the queue again, 9 the
# menus, * the offer again; silence or a wrong key twice ends the call politely. A callback
# goes to the caller's own number, or one they type when theirs is withheld, and is read
# back; the request is a contact on the standing callbacks campaign, which the dialer calls
# within its calling hours. The callback call itself (a campaign of kind "callback") says
# so in one sentence and puts the person through to the operators' queue.
"""Offering, booking and making a callback."""

from __future__ import annotations

from ivr.channel import Channel
from ivr.flows.call_log import CallLog
from ivr.flows.keypad import ask_phone
from ivr.flows.main import to_operator
from ivr.flows.outbound import person_answered
from ivr.flows.records import NoticeTarget, Records, caller_e164

BOOK, OPERATOR, MENUS, REPEAT = "1", "0", "9", "*"
OFFER_KEYS = BOOK + MENUS + OPERATOR + REPEAT
MISSES = 2


async def offer_callback(channel: Channel, calls: CallLog) -> str:
    """What the caller chose: "menus" (the flow goes on to the main menu), else how the
    call ended: "callback", "operator" or "goodbye"."""
    await calls.walked(["callback-offer"])
    prompts, misses = ["operator-unavailable", "callback-offer"], 0
    while misses < MISSES:
        key = await channel.play(prompts, escape=OFFER_KEYS)
        if key is None:
            key = (await channel.ask([], timeout=6, terminator="")).key
        if key == BOOK:
            return await book_callback(channel, calls)
        if key == OPERATOR:
            await calls.walked(["operator"])
            await to_operator(channel)
            return "operator"
        if key == MENUS:
            return "menus"
        if key != REPEAT:
            misses += 1
        prompts = ["callback-offer"] if key == REPEAT else [_miss(key), "callback-offer"]
    await channel.play(["goodbye"])
    await channel.hangup()
    return "goodbye"


def _miss(key: str | None) -> str:
    return "no-input" if key is None else "invalid-key"


async def book_callback(channel: Channel, calls: CallLog) -> str:
    records = Records.of(channel)
    phone = caller_e164(channel.callerid)
    if phone is None:
        phone = await ask_phone(channel, "callback-enter-phone")
        if phone is None:
            await channel.play(["goodbye"])
            await channel.hangup()
            return "goodbye"
    await records.run(records.request_callback, phone)
    await calls.walked(["callback"])
    await channel.play(["callback-booked"])
    await channel.say_digits("0" + phone[3:])
    await channel.play(["callback-when", "goodbye"])
    await channel.hangup()
    return "callback"


async def callback_call(channel: Channel, records: Records, target: NoticeTarget) -> None:
    """The call the person asked for: one sentence, then the operators' queue."""
    if not await person_answered(channel, records, target):
        return
    await channel.play(["callback-intro"])
    await to_operator(channel)

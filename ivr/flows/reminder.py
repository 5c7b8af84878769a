# Rules: the outbound vaccination reminder (a campaign of kind appointment_reminder; the
# notice route hands its calls here once the token has checked out). It says the day and
# the time slot (city time) and the site, then asks: 1 I will come (confirmed), 2 I cannot
# come (cannot_come), * hear it again. The answer is recorded on the appointment with its
# time before the caller hears it taken. Silence hears the reminder once more, then a
# goodbye; a wrong key hears "invalid key" and the choices again (three misses: goodbye).
"""The `reminder` flow: read a vaccination appointment out and take the answer."""

from __future__ import annotations

from ivr.channel import Channel
from ivr.flows.outbound import person_answered
from ivr.flows.records import NoticeTarget, Records
from ivr.flows.vaccination import appointment_prompts

CONFIRM, CANNOT_COME, REPEAT = "1", "2", "*"
CHOICES = CONFIRM + CANNOT_COME + REPEAT
REPLIES = {CONFIRM: "confirmed", CANNOT_COME: "cannot_come"}
TAKEN = {CONFIRM: ("reminder-confirmed", "reminder-bring"), CANNOT_COME: ("reminder-cancelled",)}
MAX_PLAYS = 3


async def reminder(channel: Channel, records: Records, target: NoticeTarget) -> None:
    if not await person_answered(channel, records, target):
        return
    slot = None
    if target.appointment_id is not None:
        slot = await records.run(records.appointment, target.appointment_id)
    if slot is None:  # the appointment was deleted after the campaign was made
        await channel.play(["reminder-gone", "goodbye"])
        await channel.hangup()
        return
    key = await _choose(channel, appointment_prompts(slot, channel, "reminder-intro"))
    if key in REPLIES:
        await records.run(records.appointment_reply, slot.id, REPLIES[key])
        done = (
            ["reminder-confirmed", "reminder-bring"] if key == CONFIRM else ["reminder-cancelled"]
        )
        await channel.play([*done, "thank-you"])
    else:
        await channel.play(["reminder-goodbye"])
    await channel.hangup()


async def _choose(channel: Channel, spoken: list[str]) -> str | None:
    """The reminder and its choices until the callee answers 1 or 2 (None: gave up)."""
    misses = 0
    prompts = [*spoken, "reminder-menu"]
    for _ in range(MAX_PLAYS):
        key = await channel.play(prompts, escape=CHOICES)
        if key is None:
            key = (await channel.ask([], timeout=8, terminator="")).key
        while key is not None and key not in CHOICES:
            misses += 1
            if misses >= 3:
                return None
            key = (await channel.ask(["invalid-key", "reminder-menu"], timeout=8)).key
        if key in REPLIES:
            return key
        if key is None:
            misses += 1
            if misses >= 2:
                return None
    return None

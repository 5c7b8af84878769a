# Rules: lookups by a phone number the caller types (it may be a relative's), read back
# before the answer so a mistyped number is heard. Dates and times are said in city time.
# Three unreadable numbers in a row: the operator.
"""The `exposure` route: was this number exposed (and the number entry other lookups share)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.channel import Channel
from ivr.flows.keypad import ask_phone
from ivr.flows.main import to_operator
from ivr.flows.records import Records

CITY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_VISITS_SAID = 3


async def say_when(channel: Channel, moment: datetime) -> None:
    local = moment.astimezone(CITY_ZONE)
    await channel.say_time(local.time().replace(second=0, microsecond=0))
    await channel.say_date(local.date())


async def typed_phone(channel: Channel, prompt: str) -> str | None:
    """The number to look up; after three unreadable tries the caller is with an operator."""
    phone = await ask_phone(channel, prompt)
    if phone is None:
        await to_operator(channel)
    return phone


async def exposure(channel: Channel) -> None:
    records = Records.of(channel)
    if (phone := await typed_phone(channel, "exposure-enter-phone")) is None:
        return
    visits = await records.run(records.exposure_visits, phone)
    if not visits:
        await channel.play(["exposure-none"])
        return
    await channel.play(["exposure-found"])
    for visit in visits[:MAX_VISITS_SAID]:
        await say_when(channel, visit.checked_in_at)
    await channel.play(["notice-instructions"])

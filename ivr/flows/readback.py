# Rules: says the caller's own number back, digit by digit in groups (docs/vietnamese.md), in the
# caller's language; a caller with no number (unknown) hears only "thank you".
"""The `readback` route: "You entered 0905 123 456" for the caller's own number."""

from __future__ import annotations

from ivr.channel import Channel


async def readback(channel: Channel) -> None:
    await channel.answer()
    digits = "".join(ch for ch in channel.callerid if ch.isdigit())
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]  # +84 905 123 456 reads as 0905 123 456
    if digits:
        await channel.play(["you-entered"])
        await channel.say_digits(digits)
    await channel.play(["thank-you"])
    await channel.hangup()

# Rules: leaf flows that only speak: they play their information and return, and the caller
# is back in the menu they came from (the `ivr` flow takes care of that). Any key skips.
"""Administrative-procedure guidance, and the language switch."""

from __future__ import annotations

from ivr.channel import ALL_KEYS, Channel
from ivr.runtime import Flow


def procedure(topic: str) -> Flow:
    """The flow reading the guidance for one procedure (prompt `procedure-<topic>`)."""

    async def flow(channel: Channel) -> None:
        await channel.play([f"procedure-{topic}", "procedure-more-info"], escape=ALL_KEYS)

    flow.__name__ = f"procedure_{topic}"
    return flow


async def language(channel: Channel) -> None:
    """Switch between Vietnamese and English for the rest of the call."""
    channel.lang = "en" if channel.lang == "vi" else "vi"

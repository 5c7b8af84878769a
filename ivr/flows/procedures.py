# Rules: leaf flows that only speak: they play their information and return, and the caller
# is back in the menu they came from (the `ivr` flow takes care of that). Any key skips.
# Today's COVID-19 bulletin is one prompt, covid-bulletin, that supervisors replace (its
# sound file) whenever the news changes; its catalog text says what it is for.
"""Administrative-procedure guidance, today's COVID-19 bulletin, and the language switch."""

from __future__ import annotations

from ivr.channel import ALL_KEYS, Channel
from ivr.runtime import Flow


def procedure(topic: str) -> Flow:
    """The flow reading the guidance for one procedure (prompt `procedure-<topic>`)."""

    async def flow(channel: Channel) -> None:
        await channel.play([f"procedure-{topic}", "procedure-more-info"], escape=ALL_KEYS)

    flow.__name__ = f"procedure_{topic}"
    return flow


async def bulletin(channel: Channel) -> None:
    """Today's COVID-19 bulletin (the prompt supervisors replace)."""
    await channel.play(["covid-bulletin"], escape=ALL_KEYS)


async def language(channel: Channel) -> None:
    """Switch between Vietnamese and English for the rest of the call."""
    channel.lang = "en" if channel.lang == "vi" else "vi"

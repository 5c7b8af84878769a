# Rules: questions an older caller answers on a keypad. A wrong key hears "invalid key"
# and the question again; silence hears "no input" and the question again; after three
# misses the question gives up (None) and the flow decides (usually: the operator). What
# was typed (a number, a count) is read back before the flow goes on.
"""Yes/no questions, counts and phone-number entry."""

from __future__ import annotations

from ivr.channel import Channel
from store.phones import PhoneError, normalize_phone

YES_NO = {"1": True, "2": False}
TRIES = 3


async def yes_no(channel: Channel, prompt: str, timeout: float = 8.0) -> bool | None:
    prompts = [prompt]
    for _ in range(TRIES):
        answer = await channel.ask(prompts, timeout=timeout, max_digits=1)
        if answer.key in YES_NO:
            return YES_NO[answer.key]
        prompts = ["no-input" if answer.key is None else "invalid-key", prompt]
    return None


async def ask_count(channel: Channel, prompt: str, max_digits: int = 2) -> int | None:
    """A number typed on the keypad (ended by # or by the last digit), read back."""
    prompts = [prompt]
    for _ in range(TRIES):
        answer = await channel.ask(prompts, timeout=8.0, max_digits=max_digits)
        if not answer.digits:
            prompts = ["no-input", prompt]
            continue
        if not answer.digits.isdigit():
            prompts = ["invalid-key", prompt]
            continue
        count = int(answer.digits)
        await channel.play(["count-entered"])
        await channel.say_number(count)
        return count
    return None


async def ask_phone(channel: Channel, prompt: str) -> str | None:
    """A Vietnamese number typed on the keypad (ended by #), read back; E.164 or None."""
    prompts = [prompt]
    for _ in range(TRIES):
        answer = await channel.ask(prompts, timeout=10.0, max_digits=11)
        if not answer.digits:
            prompts = ["no-input", prompt]
            continue
        try:
            phone = normalize_phone(answer.digits)
        except PhoneError:
            prompts = ["phone-invalid", prompt]
            continue
        await channel.play(["you-entered"])
        await channel.say_digits("0" + phone[3:])
        return phone
    return None

# Rules: a health self-declaration by keypad. The record is created before the first
# question and every answer is committed as it is given, so a caller who hangs up halfway
# leaves a partial declaration (complete = false). Only a finished declaration gets a
# confirmation code, read back digit by digit. A question nobody can answer after three
# tries sends the caller to an operator, answers so far kept.
"""The `declaration` route (inbound), and the questions the outbound notice reuses."""

from __future__ import annotations

from ivr.channel import Channel
from ivr.flows.keypad import yes_no
from ivr.flows.main import to_operator
from ivr.flows.records import Records, caller_e164

QUESTIONS = (
    ("symptoms", "declaration-q-symptoms"),
    ("fever", "declaration-q-fever"),
    ("cough", "declaration-q-cough"),
    ("breathing", "declaration-q-breathing"),
)


async def declaration(channel: Channel) -> None:
    records = Records.of(channel)
    phone = caller_e164(channel.callerid) or ""
    declaration_id = await records.run(records.start_declaration, phone, "inbound")
    await channel.play(["declaration-intro"])
    await take_declaration(channel, records, declaration_id)


async def take_declaration(channel: Channel, records: Records, declaration_id: int) -> bool:
    """Ask every question; True when complete (code read back), False when handed over."""
    answers: dict[str, bool] = {}
    for key, prompt in QUESTIONS:
        answer = await yes_no(channel, prompt)
        if answer is None:
            await to_operator(channel)
            return False
        answers[key] = answer
        await records.run(records.save_answers, declaration_id, answers)
    code = await records.run(records.complete_declaration, declaration_id, answers)
    await channel.play(["declaration-saved", "confirmation-code-is"])
    await channel.say_digits(code)
    advice = "declaration-advice-symptoms" if any(answers.values()) else "declaration-advice-well"
    await channel.play([advice, "thank-you"])
    return True

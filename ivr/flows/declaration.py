# Rules: a health self-declaration by keypad. The record is created before the first
# question and every answer is committed as it is given, so a caller who hangs up halfway
# leaves a partial declaration (complete = false). Any "yes" flags the declaration for a
# health worker's follow-up as soon as it is given. The last question is how many people
# using this phone were at the place (0-99, typed, read back). Only a finished declaration
# gets a confirmation code, read back digit by digit; a symptomatic caller is then offered
# an operator. A question nobody can answer after three tries sends the caller to an
# operator, answers so far kept.
"""The `declaration` route (inbound), and the questions the outbound notice reuses."""

from __future__ import annotations

from typing import Any

from ivr.channel import Channel
from ivr.flows.keypad import ask_count, yes_no
from ivr.flows.main import to_operator
from ivr.flows.records import Records, caller_e164

QUESTIONS = (
    ("symptoms", "declaration-q-symptoms"),
    ("fever", "declaration-q-fever"),
    ("cough", "declaration-q-cough"),
    ("breathing", "declaration-q-breathing"),
)
PEOPLE = "people"  # Declaration.answers key: people using this phone who were at the place
MAX_PEOPLE_DIGITS = 2
TALK_NOW = "1"


async def declaration(channel: Channel) -> None:
    records = Records.of(channel)
    phone = caller_e164(channel.callerid) or ""
    declaration_id = await records.run(records.start_declaration, phone, "inbound")
    await channel.play(["declaration-intro"])
    await take_declaration(channel, records, declaration_id)


def symptomatic(answers: dict[str, Any]) -> bool:
    return any(answers.get(key) is True for key, _ in QUESTIONS)


async def take_declaration(channel: Channel, records: Records, declaration_id: int) -> bool:
    """Ask every question; True when complete (code read back; a symptomatic caller may
    have chosen an operator: channel.transferred_to), False when handed over unfinished."""
    answers: dict[str, Any] = {}
    for key, prompt in QUESTIONS:
        answer = await yes_no(channel, prompt)
        if answer is None:
            await to_operator(channel)
            return False
        answers[key] = answer
        await records.run(records.save_answers, declaration_id, answers, symptomatic(answers))
    people = await ask_count(channel, "declaration-q-people", MAX_PEOPLE_DIGITS)
    if people is None:
        await to_operator(channel)
        return False
    answers[PEOPLE] = people
    follow_up = symptomatic(answers)
    code = await records.run(records.complete_declaration, declaration_id, answers, follow_up)
    await channel.play(["declaration-saved", "confirmation-code-is"])
    await channel.say_digits(code)
    if not follow_up:
        await channel.play(["declaration-advice-well", "thank-you"])
        return True
    await channel.play(["declaration-advice-symptoms"])
    offer = await channel.ask(["declaration-offer-operator"], timeout=6, max_digits=1)
    if offer.key == TALK_NOW:
        await to_operator(channel)
        return True
    await channel.play(["thank-you"])
    return True

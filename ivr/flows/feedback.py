# Rules: the caller chooses a category first (1 administrative procedures, 2 public services
# and infrastructure, 3 COVID-19, 4 other; 0 an operator, * again); the ticket is saved
# before the beep, so every message has one. Up to 120 s are recorded, ended by # or 5 s of
# silence; then 1 keeps it (the ticket is read back in groups of three), 2 records it again,
# 3 cancels it (its file is deleted where hotline can reach it). The ticket's status says
# what happened: new (kept), cancelled, failed (Asterisk could not record, or its file is not
# where hotline looks: the caller hears an apology and is offered the operator), hangup (the
# caller hung up during the recording or before choosing: the part recorded is kept, with
# its length). "recording" is left only by a server that died mid-call. Three misses at the
# category go to the operator; at the review they keep a message that was heard and cancel
# one that was not.
"""The `feedback` route: category, a recorded message (again if wanted), a ticket number."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from ivr.agi import CallerHungUp
from ivr.channel import Channel, HungUpWhileRecording, Recording, RecordingFailed
from ivr.flows.records import FeedbackTicket, Records
from ivr.recordings import Recorded, discard, from_context, inspect, recorded_file
from store.models import FEEDBACK_CATEGORIES

log = logging.getLogger("hotline.ivr")

CATEGORIES = dict(zip("1234", FEEDBACK_CATEGORIES, strict=True))
MAX_SECONDS = 120
SILENCE_SECONDS = 5
MIN_SPEECH_SECONDS = 1.5  # a silent take is ~1 s long (Asterisk keeps 1 s of the silence)
TRIES = 3
KEEP, AGAIN, CANCEL = "1", "2", "3"


async def feedback(channel: Channel) -> None:
    await FeedbackCall(channel, Records.of(channel)).run()


class FeedbackCall:
    def __init__(self, channel: Channel, records: Records) -> None:
        self.channel = channel
        self.records = records
        self.seconds: float | None = None  # the latest take's length

    async def run(self) -> None:
        key = await choose(self.channel, ["feedback-category", "menu-footer"], CATEGORIES, True)
        if key not in CATEGORIES:  # 0, or three misses
            await self.to_operator()
            return
        folder = str(from_context(self.channel.context))
        ticket = await self.records.run(
            self.records.new_feedback, self.channel.callerid, CATEGORIES[key], folder
        )
        try:
            choice = await self.leave_message(ticket)
        except HungUpWhileRecording as exc:
            self.seconds = (await self.inspect(ticket, exc.recording)).seconds
            await self.finish(ticket, "hangup")
            raise
        except CallerHungUp:
            await self.finish(ticket, "hangup")
            raise
        except RecordingFailed as exc:
            log.warning("feedback ticket %s: %s", ticket.ticket, exc)
            await self.finish(ticket, "failed")
            await self.offer_operator()
            return
        except Exception:
            await self.finish(ticket, "failed")  # a bug: the safety net apologises
            raise
        if choice == KEEP:
            await self.finish(ticket, "new")
            await self.channel.play(["feedback-thanks", "ticket-number-is"])
            await self.channel.say_digits(ticket.ticket, groups=(3, 3, 3))
        else:
            gone = await asyncio.to_thread(discard, recorded_file(ticket.path))
            await self.finish(ticket, "cancelled", file_gone=gone)
            await self.channel.play(["feedback-cancelled"])

    async def leave_message(self, ticket: FeedbackTicket) -> str:
        """Record, review, maybe again; KEEP or CANCEL."""
        while True:
            await self.channel.play(["feedback-intro"])
            recording = await self.channel.record(
                ticket.path, max_s=MAX_SECONDS, silence_s=SILENCE_SECONDS
            )
            recorded = await self.inspect(ticket, recording)
            if recorded.present is False:
                raise RecordingFailed(
                    f"Asterisk recorded {ticket.file} but it is not there: is recordings_dir "
                    "the folder Asterisk writes to?"
                )
            self.seconds = recorded.seconds
            heard = (recorded.seconds or 0.0) >= MIN_SPEECH_SECONDS
            prompts = ["feedback-review"] if heard else ["feedback-empty", "feedback-review"]
            choice = await choose(self.channel, prompts, (KEEP, AGAIN, CANCEL))
            if choice is None:
                return KEEP if heard else CANCEL
            if choice != AGAIN:
                return choice

    async def inspect(self, ticket: FeedbackTicket, recording: Recording) -> Recorded:
        return await asyncio.to_thread(inspect, recorded_file(ticket.path), recording.endpos)

    async def finish(self, ticket: FeedbackTicket, status: str, file_gone: bool = False) -> None:
        seconds = None if file_gone or status == "failed" else self.seconds
        await self.records.run(self.records.finish_feedback, ticket.id, status, seconds, file_gone)

    async def offer_operator(self) -> None:
        """The apology and the operator: 0 or silence transfers, * goes back to the menu."""
        answer = await self.channel.ask(["feedback-failed"], timeout=5.0, max_digits=1)
        if answer.key != "*":
            await self.to_operator()

    async def to_operator(self) -> None:
        await self.channel.play(["transfer-operator"])
        await self.channel.transfer()


async def choose(
    channel: Channel, prompts: list[str], keys: Collection[str], operator: bool = False
) -> str | None:
    """One key of `keys` (or "0" when `operator`); * hears the choices again; a wrong key or
    silence hears why, then the choices; None after three misses."""
    asked, misses = list(prompts), 0
    while misses < TRIES:
        key = (await channel.ask(asked, timeout=6.0, max_digits=1)).key
        if key in keys or (operator and key == "0"):
            return key
        if key == "*":
            asked = list(prompts)
            continue
        misses += 1
        asked = ["no-input" if key is None else "invalid-key", *prompts]
    return None

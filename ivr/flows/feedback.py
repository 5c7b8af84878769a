# Rules: voice feedback gets its ticket before the caller speaks, so a caller who hangs up
# mid-recording still leaves a ticket with its recording path (status "recording" means
# the call ended during it). The ticket is read back in groups of three.
"""The `feedback` route: record a citizen's feedback and give a ticket number."""

from __future__ import annotations

from pathlib import Path

from ivr.channel import Channel
from ivr.flows.records import Records

DEFAULT_RECORDINGS = str(Path(__file__).resolve().parents[2] / "var" / "recordings")
MIN_SPEECH_SAMPLES = 8000  # one second at 8 kHz: less is "we did not hear you"


async def feedback(channel: Channel) -> None:
    records = Records.of(channel)
    recordings = str(channel.context.get("recordings_dir") or DEFAULT_RECORDINGS)
    feedback_id, ticket, path = await records.run(
        records.new_feedback, channel.callerid, recordings
    )
    await channel.play(["feedback-intro"])
    recording = await channel.record(path, max_s=120, silence_s=5)
    if (recording.endpos or 0) < MIN_SPEECH_SAMPLES:
        await records.run(records.finish_feedback, feedback_id, "empty")
        await channel.play(["feedback-empty"])
        return
    await records.run(records.finish_feedback, feedback_id, "new")
    await channel.play(["feedback-thanks", "ticket-number-is"])
    await channel.say_digits(ticket, groups=(3, 3, 3))

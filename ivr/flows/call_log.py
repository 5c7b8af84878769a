# Rules: the InboundCall record of a call to 1022, written only when the driver asks for it
# (context "log_calls": `hotline agi serve|stdio`, not the console) and never in the
# caller's way: a database that is down or missing costs one warning, and the menus carry
# on. The row is created when the call starts and updated after every menu walk, so a
# caller who hangs up mid-call leaves a record with the path so far. An AGI the dialplan
# runs again on the same call (back from the operators' queue) carries the same record on.
# When the database fails under a flow, the safety net says so once; the call log then
# keeps quiet about its own failure to save (`mute`).
"""Where each caller went in the menus, and how the call ended."""

from __future__ import annotations

import logging

from ivr.channel import Channel
from ivr.flows.records import Records, caller_e164
from ivr.runtime import first_line

log = logging.getLogger("hotline.ivr")


class CallLog:
    def __init__(
        self, records: Records | None, call_id: int | None, path: list[str] | None = None
    ) -> None:
        self.records = records
        self.call_id = call_id
        self.path: list[str] = list(path or [])
        self.muted = False

    @classmethod
    async def open(cls, channel: Channel) -> CallLog:
        if not channel.context.get("log_calls") or channel.context.get("sessions") is None:
            return cls(None, None)
        records = Records.of(channel)
        try:
            caller = caller_e164(channel.callerid) or channel.callerid
            call_id, path = await records.run(
                records.start_inbound, channel.request.uniqueid, caller
            )
        except Exception as exc:  # the database must never cost the caller the menus
            log.warning(
                "call %s not logged: %s",
                channel.request.uniqueid,
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
            return cls(None, None)
        return cls(records, call_id, path)

    async def walked(self, steps: list[str]) -> None:
        self.path.extend(steps)
        await self._save(None)

    async def close(self, outcome: str) -> None:
        await self._save(outcome)

    def mute(self) -> None:
        """The database failed and the safety net logs it: no second line from here."""
        self.muted = True

    async def _save(self, outcome: str | None) -> None:
        if self.records is None:
            return
        try:
            await self.records.run(self.records.update_inbound, self.call_id, self.path, outcome)
        except Exception as exc:
            level = logging.DEBUG if self.muted else logging.WARNING
            log.log(level, "call log %s not updated: %s", self.call_id, first_line(exc))

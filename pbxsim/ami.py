# The AMI server. Rules: banner `Asterisk Call Manager/13.0.0\r\n`; nothing but Login
# before authentication; a bad secret gets `Response: Error` / `Authentication failed`
# and a closed connection; responses carry Response, ActionID, then the rest, as the
# traces show; events go out in emission order, filtered by the session's event mask,
# with a Timestamp after Privilege (timestampevents=yes); FullyBooted at login has none.
"""Asyncio AMI server: sessions, actions, event fan-out."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING

from pbxsim import events as ev
from pbxsim.amiwire import AmiParser, Message, encode, get
from pbxsim.originate import OriginateError, parse_originate
from pbxsim.runner import run_originate

if TYPE_CHECKING:
    from pbxsim.sim import PbxSim

BANNER = b"Asterisk Call Manager/13.0.0\r\n"
ON = {"on", "yes", "true", "all", "1"}
OFF = {"off", "no", "false", "0", ""}


def response(status: str, action_id: str | None, *fields: tuple[str, str]) -> Message:
    msg: Message = [("Response", status)]
    if action_id is not None:
        msg.append(("ActionID", action_id))
    return msg + list(fields)


def parse_mask(value: str) -> set[str] | None:
    """None = every event class, set() = none, else the classes named."""
    v = value.strip().lower()
    if v in ON:
        return None
    if v in OFF:
        return set()
    return {part.strip() for part in v.split(",") if part.strip()}


class AmiSession:
    def __init__(
        self, sim: PbxSim, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.sim = sim
        self.reader = reader
        self.writer = writer
        self.authenticated = False
        self.mask: set[str] | None = set()
        self.closing = False
        self._pending: list[bytes] = []
        self._handling = False  # answering a read's actions: run() flushes after them

    def send(self, message: Message) -> None:
        """Queue a message; everything queued in one loop iteration leaves in one write."""
        if not self._pending and not self._handling:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(encode(message))

    def _flush(self) -> None:
        data, self._pending = b"".join(self._pending), []
        if not self.writer.is_closing():
            self.writer.write(data)

    def event(self, message: Message) -> None:
        if not self.authenticated or self.closing:
            return
        if self.mask is not None and ev.event_class(message) not in self.mask:
            return
        if self.sim.config.timestamp_events:
            message = [*message[:2], ("Timestamp", f"{time.time():.6f}"), *message[2:]]
        self.send(message)

    async def run(self) -> None:
        parser = AmiParser()
        self.writer.write(BANNER)
        try:
            while not self.closing:
                data = await self.reader.read(65536)
                if not data:
                    break
                self._handling = True
                for message in parser.feed(data):
                    self.handle(message)
                    if self.closing:
                        break
                self._handling = False
                if self._pending:
                    self._flush()  # answers to actions go out at once
                await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.closing = True
            self.sim.ami_sessions.discard(self)
            self._flush()
            try:
                await self.writer.drain()
            except (ConnectionError, OSError):
                pass
            self.writer.close()

    def handle(self, m: Message) -> None:
        action = get(m, "Action").lower()
        aid = get(m, "ActionID") or None
        if not action:
            self.send(response("Error", aid, ("Message", "Missing action in request")))
            return
        if not self.authenticated and action not in ("login", "logoff"):
            self.send(response("Error", aid, ("Message", "Permission denied")))
            return
        handler = getattr(self, f"act_{action}", None)
        if handler is None:
            self.send(response("Error", aid, ("Message", "Invalid/unknown command")))
            return
        handler(m, aid)

    # --- actions -------------------------------------------------------------------
    def act_login(self, m: Message, aid: str | None) -> None:
        cfg = self.sim.config
        if get(m, "Username") != cfg.ami_user or get(m, "Secret") != cfg.ami_secret:
            self.send(response("Error", aid, ("Message", "Authentication failed")))
            self.closing = True
            return
        self.authenticated = True
        events = get(m, "Events", "on")
        self.mask = parse_mask(events)
        self.send(response("Success", aid, ("Message", "Authentication accepted")))
        if self.mask is None or "system" in self.mask:
            self.send(ev.fully_booted(self.sim.uptime()))

    def act_logoff(self, m: Message, aid: str | None) -> None:
        self.send(response("Goodbye", aid, ("Message", "Thanks for all the fish.")))
        self.closing = True

    def act_ping(self, m: Message, aid: str | None) -> None:
        self.send(response("Success", aid, ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")))

    def act_events(self, m: Message, aid: str | None) -> None:
        self.mask = parse_mask(get(m, "EventMask"))
        state = "Off" if self.mask == set() else "On"
        self.send(response("Success", aid, ("Events", state)))

    def act_command(self, m: Message, aid: str | None) -> None:
        output = "Unknown command"
        if get(m, "Command").strip().lower() == "core show version":
            output = f"Asterisk {self.sim.agi_env.version} (pbxsim)"
        self.send(
            response("Success", aid, ("Message", "Command output follows"), ("Output", output))
        )

    def act_originate(self, m: Message, aid: str | None) -> None:
        try:
            req = parse_originate(m)
        except OriginateError as exc:
            self.send(response("Error", aid, ("Message", str(exc))))
            return
        if req.is_async:
            self.send(response("Success", aid, ("Message", "Originate successfully queued")))

        def reply(success: bool) -> None:
            if success:
                self.send(response("Success", aid, ("Message", "Originate successfully queued")))
            else:
                self.send(response("Error", aid, ("Message", "Originate failed")))

        self.sim.spawn(run_originate(self.sim, req, reply))

    def act_hangup(self, m: Message, aid: str | None) -> None:
        name = get(m, "Channel")
        if not name:
            self.send(response("Error", aid, ("Message", "No channel specified")))
            return
        if len(name) > 2 and name.startswith("/") and name.endswith("/"):
            pattern = re.compile(name[1:-1])
            found = [c for n, c in self.sim.channels.items() if pattern.search(n)]
        else:
            found = [self.sim.channels[name]] if name in self.sim.channels else []
        if not found:
            self.send(response("Error", aid, ("Message", "No such channel")))
            return
        for _leg, _legs, control in found:
            control.kill()
        self.send(response("Success", aid, ("Message", "Channel Hungup")))

    def act_showdialplan(self, m: Message, aid: str | None) -> None:
        """What `ShowDialPlan` with a Context answers: its priorities as ListDialplan events
        (pbxsim's contexts have one extension, s: the AGI line, NoOp, Hangup)."""
        wanted = get(m, "Context")
        names = [wanted] if wanted else sorted(self.sim.dialplan.contexts)
        if wanted and self.sim.dialplan.lookup(wanted) is None:
            self.send(response("Error", aid, ("Message", f"Did not find context {wanted}")))
            return
        self.send(
            response(
                "Success", aid, ("EventList", "start"), ("Message", "DialPlan list will follow")
            )
        )
        items = 0
        for name in names:
            ctx = self.sim.dialplan.lookup(name)
            lines = [("AGI", ",".join((ctx.url, *ctx.args))), ("NoOp", ""), ("Hangup", "")]
            for offset, (app, data) in enumerate(lines):
                item: Message = [("Event", "ListDialplan")]
                if aid is not None:
                    item.append(("ActionID", aid))
                item += [
                    ("Context", name),
                    ("Extension", "s"),
                    ("Priority", str(ctx.priority + offset)),
                    ("Application", app),
                    ("AppData", data),
                    ("Registrar", "pbx_config"),
                ]
                self.send(item)
                items += 1
        done: Message = [("Event", "ShowDialPlanComplete")]
        if aid is not None:
            done.append(("ActionID", aid))
        self.send(
            done
            + [
                ("EventList", "Complete"),
                ("ListItems", str(items)),
                ("ListExtensions", str(len(names))),
                ("ListPriorities", str(items)),
                ("ListContexts", str(len(names))),
            ]
        )

    def act_coreshowchannels(self, m: Message, aid: str | None) -> None:
        self.send(
            response("Success", aid, ("EventList", "start"), ("Message", "Channels will follow"))
        )
        items = list(self.sim.channels.values())
        for leg, _legs, control in items:
            self.send(
                self._list_item(
                    "CoreShowChannel",
                    aid,
                    leg,
                    control,
                    [
                        ("Application", control.application),
                        ("ApplicationData", control.app_data),
                        ("Duration", "00:00:00"),
                        ("BridgeId", ""),
                    ],
                )
            )
        self.send(self._complete("CoreShowChannelsComplete", aid, len(items)))

    def act_status(self, m: Message, aid: str | None) -> None:
        self.send(
            response(
                "Success", aid, ("EventList", "start"), ("Message", "Channel status will follow")
            )
        )
        wanted = get(m, "Channel")
        items = [v for n, v in self.sim.channels.items() if not wanted or n == wanted]
        for leg, _legs, control in items:
            self.send(
                self._list_item(
                    "Status",
                    aid,
                    leg,
                    control,
                    [
                        ("Application", control.application),
                        ("Data", control.app_data),
                        ("Seconds", "0"),
                    ],
                    privilege="Call",
                )
            )
        self.send(self._complete("StatusComplete", aid, len(items)))

    @staticmethod
    def _list_item(name, aid, leg, control, extra, privilege=None) -> Message:
        msg: Message = [("Event", name)]
        if privilege:
            msg.append(("Privilege", privilege))
        if aid is not None:
            msg.append(("ActionID", aid))
        return msg + leg.fields() + extra

    @staticmethod
    def _complete(name: str, aid: str | None, n: int) -> Message:
        msg: Message = [("Event", name)]
        if aid is not None:
            msg.append(("ActionID", aid))
        return msg + [("EventList", "Complete"), ("ListItems", str(n))]

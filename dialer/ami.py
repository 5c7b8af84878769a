"""The dialer's AMI link: panoramisk's Manager with its known faults handled.

Rules (PROTOCOL.md, "The libraries, as they are"):
- Every Originate is Async, carries a unique ChannelId (and OtherChannelId for the far half
  of a Local channel) and our own ActionID, and is awaited with its own timeout: one queued
  before a reconnect would otherwise never complete.
- Nothing is ever re-sent after a reconnect (panoramisk re-queues unanswered actions: an
  Originate sent twice is a person dialed twice). A lost link fails every pending action
  with LinkDown at once.
- Keepalive: our own Ping with a timeout; a silent link is aborted and reconnected.
- Reconnect with exponential backoff; the Login carries the event mask again (our
  subscription); `on_login` callbacks run after each login (the engine reconciles there).
- Bytes are decoded with an incremental UTF-8 decoder: a character split across reads
  survives.
- The outcome of a call is OriginateResponse's Reason and the Hangup events' Cause,
  matched on Uniqueid = the ChannelId we chose (CallWatch). An OriginateResponse that
  arrives after a reconnect (its action forgotten) still reaches the watch.
- Credentials never reach a log line or an error message.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message
from panoramisk.utils import EOL

from store.errors import UserError

log = logging.getLogger("hotline.ami")
_quiet = logging.getLogger("hotline.ami.panoramisk")
_quiet.setLevel(logging.WARNING)


class AmiError(Exception):
    """Something on the AMI link went wrong; str() is safe to log."""


class LinkDown(AmiError):
    """The link is down (or went down before the answer came)."""


class OriginateRefused(AmiError):
    """Asterisk answered the Originate with Response: Error (our parameters or dialplan)."""


class LoginRefused(AmiError):
    """Asterisk refused the login: a wrong user or secret, or no permission."""


@dataclass(frozen=True)
class AmiUrl:
    host: str
    port: int
    user: str
    secret: str = field(repr=False)

    @classmethod
    def parse(cls, url: str) -> AmiUrl:
        parts = urlsplit(url)
        if parts.scheme != "ami" or not parts.hostname or not parts.username:
            raise UserError(
                "cannot read the AMI URL; use ami://USER:SECRET@HOST:PORT "
                "(--ami-url, HOTLINE_AMI_URL or [ami] url in the config file)"
            )
        try:
            port = parts.port or 5038
        except ValueError:
            raise UserError("the AMI URL has a bad port; use ami://USER:SECRET@HOST:PORT") from None
        return cls(parts.hostname, port, unquote(parts.username), unquote(parts.password or ""))

    def redacted(self) -> str:
        return f"ami://{self.user}:***@{self.host}:{self.port}"


def _check_value(key: str, value: str) -> str:
    """AMI is line-based: a CR or LF in a value would inject headers."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"AMI header {key} holds a line break")
    return value


class _Protocol(AMIProtocol):
    """panoramisk's protocol with incremental UTF-8 decoding and no silent re-sends."""

    def connection_made(self, transport):
        super().connection_made(transport)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def data_received(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        if self.version is None and text.startswith("Asterisk Call Manager/"):
            self.version = text.partition(EOL)[0].partition("/")[2].strip()
        if self.queue:
            text = self.queue.popleft() + text
        blocks = text.split(EOL + EOL)
        self.queue.append(blocks.pop(-1))
        for block in blocks:
            message = Message.from_line(block.strip())
            if message is not None:
                self.handle_message(message)

    def close(self) -> None:
        pending, self.responses = list(self.responses.values()), {}
        for action in pending:
            if not action.future.done():
                action.future.set_exception(LinkDown("the AMI link went down"))
                action.future.exception()  # retrieved here: nobody may be awaiting a Ping
        super().close()


class _Manager(Manager):
    """Reconnects with backoff; never re-sends; no built-in pinger (ours has a timeout)."""

    def __init__(self, link: AmiLink, **config) -> None:
        super().__init__(**config)
        self.link = link

    def ping(self) -> None:  # panoramisk's pinger ignores the answer; AmiLink pings instead
        pass

    def connect(self, *args, **kwargs):
        if self.link.closed:
            return None
        self.reconnect_timeout = self.link.next_backoff()
        return super().connect(*args, **kwargs)

    def login(self, future):
        try:
            ok = super().login(future)
        except LinkDown:
            return False
        self.link.logged_in(ok, future.result())
        return ok

    def connection_lost(self, exc):
        self.link.lost()
        if not self.link.closed:
            super().connection_lost(exc)

    async def send_awaiting_actions(self, *_):
        self.awaiting_actions.clear()


@dataclass
class CallWatch:
    """What AMI said about one originated call, keyed by the ChannelId we gave it."""

    channel_id: str
    other_id: str = ""
    reason: int | None = None
    response: str | None = None
    channel: str = ""
    causes: list[int] = field(default_factory=list)
    cause_txt: str = ""
    outcome_known: asyncio.Event = field(default_factory=asyncio.Event)
    hungup: asyncio.Event = field(default_factory=asyncio.Event)
    lost: bool = False  # ended while we were not listening: no cause

    def originate_response(self, event: Message) -> None:
        reason = event.get("Reason", "")
        self.reason = int(reason) if reason.lstrip("-").isdigit() else None
        self.response = event.get("Response")
        if event.get("Channel"):
            self.channel = event["Channel"]
        self.outcome_known.set()

    def hangup(self, event: Message) -> None:
        cause = event.get("Cause", "")
        if cause.isdigit():
            self.causes.append(int(cause))
            if int(cause) not in (0, 16) or not self.cause_txt:
                self.cause_txt = event.get("Cause-txt", "")[:64]
        if event.get("Uniqueid") == self.channel_id:
            self.hungup.set()

    def gone(self) -> None:
        """The channel is not live any more and we missed its Hangup."""
        self.lost = True
        self.outcome_known.set()
        self.hungup.set()


class AmiLink:
    def __init__(
        self,
        url: AmiUrl,
        *,
        events: str = "call",
        ping_interval: float = 5.0,
        ping_timeout: float = 5.0,
        backoff: tuple[float, float] = (0.2, 30.0),
    ) -> None:
        self.url = url
        self.events = events
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.backoff = backoff
        self.closed = False
        self.watches: dict[str, CallWatch] = {}
        self.on_login: list[Callable[[], object]] = []
        self.on_lost: list[Callable[[], object]] = []
        self.reconnects = 0
        self.login_error: str | None = None
        self._ready = asyncio.Event()
        self._delay = 0.0
        self._pinger: asyncio.Task | None = None
        self._background: set[asyncio.Task] = set()
        self.manager = _Manager(
            self,
            host=url.host,
            port=url.port,
            username=url.user,
            secret=url.secret,
            events=events,
            loop=asyncio.get_running_loop(),
            protocol_factory=_Protocol,
            ping_delay=10**6,
            log=_quiet,
        )
        self.manager.register_event("OriginateResponse", self._on_originate_response)
        self.manager.register_event("Hangup", self._on_hangup)

    # --- connection ----------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    def next_backoff(self) -> float:
        low, high = self.backoff
        self._delay = low if self._delay == 0 else min(high, self._delay * 2)
        return self._delay

    async def start(self, timeout: float = 10.0) -> None:
        """Connect and log in; LoginRefused or LinkDown when that fails within `timeout`.
        Afterwards the link keeps itself up until close()."""
        self.manager.connect()
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            raise (
                LoginRefused(self.login_error)
                if self.login_error
                else LinkDown(f"no AMI answer from {self.url.host}:{self.url.port} in {timeout:g}s")
            ) from None
        self._pinger = asyncio.get_running_loop().create_task(self._keepalive())

    def logged_in(self, ok: bool, response: Message) -> None:
        if not ok:
            self.login_error = (
                f"AMI login as {self.url.user!r} at {self.url.host}:{self.url.port} refused: "
                f"{response.get('Message', 'no reason given')}"
            )
            log.error("%s; check the AMI user and secret", self.login_error)
            return
        self.login_error = None
        if self.reconnects:
            log.info("AMI link to %s:%s is back", self.url.host, self.url.port)
        self._delay = 0.0
        self._ready.set()
        for callback in self.on_login:
            self._spawn(callback())

    def lost(self) -> None:
        if self._ready.is_set():
            self.reconnects += 1
            log.warning("AMI link to %s:%s lost; reconnecting", self.url.host, self.url.port)
        self._ready.clear()
        for callback in self.on_lost:
            callback()

    async def wait_connected(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def abort(self) -> None:
        """Drop the connection now (a silent peer); the manager reconnects."""
        protocol = self.manager.protocol
        if protocol is not None and getattr(protocol, "transport", None) is not None:
            protocol.transport.abort()

    async def close(self) -> None:
        self.closed = True
        self._ready.clear()
        if self._pinger is not None:
            self._pinger.cancel()
        for task in list(self._background):
            task.cancel()
        self.manager.close()

    def _spawn(self, result: object) -> None:
        if asyncio.iscoroutine(result):
            task = asyncio.get_running_loop().create_task(result)
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _keepalive(self) -> None:
        while not self.closed:
            await asyncio.sleep(self.ping_interval)
            if not self.connected:
                continue
            if not await self.ping():
                log.warning(
                    "AMI link to %s:%s silent for %gs; reconnecting",
                    self.url.host,
                    self.url.port,
                    self.ping_timeout,
                )
                self.abort()

    # --- actions -----------------------------------------------------------------------------
    def write(self, action: dict) -> asyncio.Future:
        """Put the action on the wire now; the future of its answer."""
        if not self.connected or self.manager.protocol is None:
            raise LinkDown("the AMI link is down")
        for key, value in action.items():
            for item in value if isinstance(value, list) else [value]:
                _check_value(key, str(item))
        return self.manager.send_action(action)

    async def send(self, action: dict, timeout: float):
        return await self._answer(self.write(action), action["Action"], timeout)

    @staticmethod
    async def _answer(future: asyncio.Future, name: str, timeout: float):
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise LinkDown(f"no answer to {name} in {timeout:g}s") from None

    async def ping(self) -> bool:
        try:
            reply = await self.send({"Action": "Ping"}, self.ping_timeout)
        except LinkDown:
            return False
        return reply.get("Response") == "Success"

    def originate(
        self,
        *,
        channel: str,
        context: str,
        exten: str = "s",
        priority: int = 1,
        channel_id: str,
        other_id: str = "",
        variables: dict[str, str] | None = None,
        ring_timeout_ms: int = 30000,
        caller_id: str = "",
        timeout: float = 45.0,
    ) -> Awaitable[CallWatch]:
        """Write the Originate now (LinkDown at once when the link is down: it was not
        sent); await the result for the call's watch once its OriginateResponse is in.

        The awaited OriginateRefused: Asterisk said Error at once. LinkDown: the link dropped
        or no answer came within `timeout` (the call may still exist: check live_channels)."""
        watch = self.watch(channel_id, other_id)
        action = {
            "Action": "Originate",
            "ActionID": f"orig-{channel_id}",
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "Timeout": str(ring_timeout_ms),
            "Async": "true",
            "ChannelId": channel_id,
        }
        if other_id:
            action["OtherChannelId"] = other_id
        if caller_id:
            action["CallerID"] = caller_id
        if variables:
            for key, value in variables.items():
                if "," in value:
                    raise ValueError(f"channel variable {key} holds a comma (AMI splits on it)")
            action["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        return self._originated(self.write(action), watch, timeout)

    async def _originated(self, future: asyncio.Future, watch: CallWatch, timeout: float):
        reply = await self._answer(future, "Originate", timeout)
        if isinstance(reply, list):
            event = next((m for m in reply if m.get("Event") == "OriginateResponse"), None)
            if event is not None:
                watch.originate_response(event)
            return watch
        if reply.get("Response") == "Error":
            self.forget(watch.channel_id)
            raise OriginateRefused(reply.get("Message", "no reason given"))
        return watch

    async def live_channels(self, timeout: float = 10.0) -> set[str]:
        """Uniqueids of every channel Asterisk has now (CoreShowChannels)."""
        reply = await self.send({"Action": "CoreShowChannels"}, timeout)
        messages = reply if isinstance(reply, list) else [reply]
        if messages and messages[0].get("Response") == "Error":
            raise AmiError(f"CoreShowChannels refused: {messages[0].get('Message', '')}")
        return {m["Uniqueid"] for m in messages if m.get("Event") == "CoreShowChannel"}

    # --- events -----------------------------------------------------------------------------
    def watch(self, channel_id: str, other_id: str = "") -> CallWatch:
        watch = self.watches.get(channel_id)
        if watch is None:
            watch = self.watches[channel_id] = CallWatch(channel_id, other_id)
            if other_id:
                self.watches[other_id] = watch
        return watch

    def forget(self, channel_id: str) -> None:
        watch = self.watches.pop(channel_id, None)
        if watch is not None and watch.other_id:
            self.watches.pop(watch.other_id, None)

    def _on_originate_response(self, _manager, event: Message) -> None:
        watch = self.watches.get(event.get("Uniqueid", "")) or self.watches.get(
            event.get("ActionID", "").removeprefix("orig-")
        )
        if watch is not None and not watch.outcome_known.is_set():
            watch.originate_response(event)

    def _on_hangup(self, _manager, event: Message) -> None:
        watch = self.watches.get(event.get("Uniqueid", ""))
        if watch is not None:
            watch.hangup(event)

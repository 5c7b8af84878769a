# Rules: a small AMI client for driving a real Asterisk in tests (PROTOCOL.md): CRLF lines,
# an empty line ends a message, UTF-8 decoded per whole message. One reader task reads
# promptly (Asterisk drops slow readers): responses go to the action that waits for its
# ActionID, every event is kept in order. Every wait has a deadline. Not the dialer's AMI
# link: this one only serves tests.
"""An asyncio AMI client for tests: login, actions, events."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable

Message = dict[str, str]
Headers = Iterable[tuple[str, str]]


class AmiError(Exception):
    """Asterisk said no, or went silent."""


class AmiClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[Message]] = {}
        self._lists: dict[str, list[Message]] = {}
        self.events: list[Message] = []
        self._new_event = asyncio.Condition()
        self.banner = ""
        self.closed = asyncio.Event()
        self._task: asyncio.Task | None = None

    @classmethod
    async def login(cls, host: str, port: int, username: str, secret: str,
                    events: str = "on", timeout: float = 10.0) -> AmiClient:  # fmt: skip
        """Connect and log in; AmiError when the secret or the address is refused."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        client = cls(reader, writer)
        client.banner = (await asyncio.wait_for(reader.readline(), timeout)).decode().strip()
        client._task = asyncio.get_running_loop().create_task(client._read_loop())
        reply = await client.action(
            "Login", [("Username", username), ("Secret", secret), ("Events", events)], timeout
        )
        if reply.get("Response") != "Success":
            await client.close()
            raise AmiError(f"login as {username} refused: {reply.get('Message')}")
        return client

    async def action(self, name: str, headers: Headers = (), timeout: float = 10.0) -> Message:
        """Send one action; its Response (whatever it says)."""
        action_id = f"t-{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._waiting[action_id] = future
        lines = [("Action", name), *headers, ("ActionID", action_id)]
        self._writer.write("".join(f"{k}: {v}\r\n" for k, v in lines).encode() + b"\r\n")
        await self._writer.drain()
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AmiError(f"no response to {name} within {timeout}s") from None
        finally:
            self._waiting.pop(action_id, None)

    async def action_list(self, name: str, headers: Headers = (),
                          timeout: float = 10.0) -> tuple[Message, list[Message]]:  # fmt: skip
        """An action answered by a list of events (CoreShowChannels, ShowDialPlan...)."""
        action_id_before = len(self.events)
        reply = await self.action(name, headers, timeout)
        if reply.get("Response") != "Success":
            return reply, []
        action_id = reply.get("ActionID")
        complete = await self.wait_event(
            lambda e: e.get("ActionID") == action_id and e.get("EventList") == "Complete",
            timeout,
            start=action_id_before,
        )
        items = [
            e
            for e in self.events[action_id_before:]
            if e.get("ActionID") == action_id and e is not complete
        ]
        return reply, items

    async def wait_event(self, match: Callable[[Message], bool], timeout: float = 10.0,
                         start: int = 0) -> Message:  # fmt: skip
        """The first event (from index `start`) that matches; AmiError after the timeout."""

        def found() -> Message | None:
            return next((e for e in self.events[start:] if match(e)), None)

        async with self._new_event:
            try:
                await asyncio.wait_for(self._new_event.wait_for(found), timeout)
            except TimeoutError:
                raise AmiError(f"no matching event within {timeout}s") from None
            return found()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass

    async def _read_loop(self) -> None:
        try:
            while True:
                raw = await self._reader.readuntil(b"\r\n\r\n")
                await self._dispatch(parse(raw))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed.set()
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(AmiError("Asterisk closed the AMI connection"))

    async def _dispatch(self, message: Message) -> None:
        if "Response" in message and "Event" not in message:  # OriginateResponse has both
            future = self._waiting.get(message.get("ActionID", ""))
            if future is not None and not future.done():
                future.set_result(message)
            return
        async with self._new_event:
            self.events.append(message)
            self._new_event.notify_all()


def parse(raw: bytes) -> Message:
    """One message; a repeated key keeps its last value (Output lines are joined)."""
    message: Message = {}
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
        if not sep:
            continue
        if key == "Output" and key in message:
            message[key] += "\n" + value
        else:
            message[key] = value
    return message

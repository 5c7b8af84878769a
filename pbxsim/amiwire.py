# AMI wire format, sans-I/O. Rules: `Key: Value\r\n` lines, a message ends at an empty
# line; bytes are decoded incrementally as UTF-8 so a character split across reads
# survives; a message is an ordered list of (key, value) pairs because keys repeat
# (Variable:). No sockets here.
"""Parse and build AMI messages (both directions use the same framing)."""

from __future__ import annotations

import codecs

Message = list[tuple[str, str]]


class AmiParser:
    """Feed bytes in, take whole messages out (h11-style)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._current: Message = []

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += self._decoder.decode(data)
        messages: list[Message] = []
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            line = line.rstrip("\r")
            if line == "":
                if self._current:
                    messages.append(self._current)
                    self._current = []
                continue
            key, sep, value = line.partition(":")
            if sep:
                self._current.append((key.strip(), value.lstrip(" ")))
        return messages


def encode(message: Message) -> bytes:
    """One message as bytes; CR/LF inside a value would forge headers, so they become spaces."""
    lines = [f"{key}: {_clean(value)}\r\n" for key, value in message]
    return ("".join(lines) + "\r\n").encode("utf-8")


def _clean(value: object) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        return text.replace("\r", " ").replace("\n", " ")
    return text


def get(message: Message, key: str, default: str = "") -> str:
    """First value of a header, case-insensitive like Asterisk's astman_get_header."""
    lowered = key.lower()
    for k, v in message:
        if k.lower() == lowered:
            return v
    return default


def get_all(message: Message, key: str) -> list[str]:
    lowered = key.lower()
    return [v for k, v in message if k.lower() == lowered]

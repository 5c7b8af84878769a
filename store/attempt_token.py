# Rules: pure, no I/O. A token is "<attempt id>.<tag>", the tag the hex HMAC-SHA256 of the
# attempt id and its ChannelId under the signing secret (Settings.signing_secret). Hex and a
# dot only: AMI splits Variable values on commas, and the dialplan passes the token on as an
# AGI argument. Parsing is strict (digits, one dot, 64 lowercase hex digits) so untrusted
# text is never converted or looked up; tags are compared in constant time.
"""Sign and check the HOTLINE_ATTEMPT token the dialer sets on its Originate."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

_TOKEN = re.compile(r"(?P<id>[1-9][0-9]{0,17})\.(?P<tag>[0-9a-f]{64})")
_DOMAIN = b"hotline-attempt-v1\x00"  # a tag for this purpose only, never another message's


def make_token(secret: bytes, attempt_id: int, channel_id: str) -> str:
    """The value of HOTLINE_ATTEMPT for this attempt, e.g. '41.9f0c…' (64 hex digits)."""
    if not secret:
        raise ValueError("no signing secret: set HOTLINE_SECRET or run `hotline db init`")
    if attempt_id <= 0:
        raise ValueError(f"attempt id must be positive, not {attempt_id}")
    return f"{attempt_id}.{_tag(secret, attempt_id, channel_id)}"


def parse_token(token: str) -> tuple[int, str] | None:
    """(attempt id, tag) from a well-formed token, else None; nothing is verified yet."""
    match = _TOKEN.fullmatch(token or "")
    return (int(match["id"]), match["tag"]) if match else None


def tag_matches(secret: bytes | None, attempt_id: int, channel_id: str, tag: str) -> bool:
    """True when `tag` was made by make_token for this attempt and channel under `secret`."""
    if not secret:
        return False
    return hmac.compare_digest(_tag(secret, attempt_id, channel_id), tag)


def read_token(
    secret: bytes | None, token: str, channel_id_of: Callable[[int], str | None]
) -> int | None:
    """The attempt id of a genuine token, else None (malformed, unknown attempt, wrong tag).

    `channel_id_of(attempt_id)` returns the ChannelId stored on the attempt, or None.
    """
    parsed = parse_token(token)
    if parsed is None or not secret:
        return None
    attempt_id, tag = parsed
    channel_id = channel_id_of(attempt_id)
    if channel_id is None or not tag_matches(secret, attempt_id, channel_id, tag):
        return None
    return attempt_id


def _tag(secret: bytes, attempt_id: int, channel_id: str) -> str:
    message = _DOMAIN + f"{attempt_id}\x00{channel_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()

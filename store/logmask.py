# Rules: one place decides what a log line may show. install_log_masking() swaps in a
# LogRecord factory, so every record is cleaned when it is made, whatever handler, level or
# logger later writes it (a handler filter would miss handlers added afterwards). Phone
# numbers are masked to their prefix and last three digits (+8490****456) unless
# show_phones; URL passwords and the secrets registered with hide_in_logs() are replaced
# by *** always. The message is formatted once, then stored with no args; a traceback is
# formatted and cleaned too. The database keeps full numbers: it is the record.
"""Masking phone numbers and secrets in every log line."""

from __future__ import annotations

import logging
import re
import threading

# A Vietnamese number (national 0…, 84…, +84…), or any +/00 international one, standing alone:
# not inside a longer run of letters or digits (uniqueids such as 1633591200.12 never start
# with 0 or 84, and their digits continue after the dot).
_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+\d{8,15}|00\d{8,15}|84\d{8,10}|0\d{8,10})(?![0-9A-Za-z])"
)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(?=@)")
MASK = "***"

_lock = threading.Lock()
_state = {"show_phones": False, "secrets": frozenset(), "installed": None}


def mask_phone(number: str) -> str:
    """'+84905123456' -> '+8490****456', '0905123456' -> '090****456'."""
    keep = 5 if number[0] == "+" else 4 if number[:2] in ("00", "84") else 3
    return number[:keep] + "*" * (len(number) - keep - 3) + number[-3:]


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda m: mask_phone(m.group()), text)


def hide_secrets(text: str, secrets: frozenset[str] | set[str] = frozenset()) -> str:
    """URL passwords and the given secret values replaced by ***."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def clean(text: str) -> str:
    """What the installed masking makes of a log text."""
    text = hide_secrets(text, _state["secrets"])
    return text if _state["show_phones"] else mask_phones(text)


MIN_HIDDEN = 8  # shorter values are words ("hotline") that would blot out the log itself


def hide_in_logs(*secrets: str | bytes | None) -> None:
    """Registers secret values (signing secret, passwords) never to appear in a log line.
    Values under MIN_HIDDEN characters are ignored: in a URL they are hidden anyway."""
    values = {s.decode("utf-8", "replace") if isinstance(s, bytes) else s for s in secrets}
    with _lock:
        _state["secrets"] = frozenset(
            _state["secrets"] | {v for v in values if v and len(v) >= MIN_HIDDEN}
        )


def install_log_masking(show_phones: bool = False) -> None:
    """Every log record made from now on in this process is cleaned; calling it again only
    changes show_phones (`--log-phones`, for debugging)."""
    with _lock:
        _state["show_phones"] = show_phones
        if _state["installed"] is not None:
            return
        original = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = original(*args, **kwargs)
            _clean_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _state["installed"] = factory


def _clean_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it; show no argument
        message, record.args = str(record.msg), ()
    record.msg, record.args = clean(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = clean(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = clean(record.stack_info)

"""Vietnamese phone numbers to E.164 (VIETNAMESE.md), fast enough for millions of rows.

Rules: accept 0xxxxxxxxx, 84xxxxxxxxx, +84xxxxxxxxx with spaces, dots, dashes and
brackets; convert the old 11-digit mobile prefixes first (phonenumbers calls them
invalid) and Da Nang's old 0511 landlines; then let phonenumbers judge validity. Its
verdict for Vietnam depends only on the leading digits and the length (its patterns read
at most four digits after any leading zeros, e.g. 121[0-3], 1800), so it is cached on
(those digits, length): a million rows cost a few hundred phonenumbers calls.
What cannot be read is a PhoneError with the reason, never a guess.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

OLD_MOBILE_PREFIXES = {
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    "162": "32",
    "163": "33",
    "164": "34",
    "165": "35",
    "166": "36",
    "167": "37",
    "168": "38",
    "169": "39",
    "186": "56",
    "188": "58",
    "199": "59",
}
_SEPARATORS = re.compile(r"[\s.\-()/]+")
_DIGITS = re.compile(r"\+?\d+")


class PhoneError(ValueError):
    """A phone number that cannot be read as Vietnamese; the message says why."""


def normalize_phone(raw: str) -> str:
    """Return the E.164 form (+84…) of a Vietnamese number, or raise PhoneError."""
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        raise PhoneError("empty phone number")
    if not _DIGITS.fullmatch(text):
        raise PhoneError(f"phone number {raw.strip()!r} has characters other than digits")
    national = _national_digits(text)
    national = _convert_old_mobile(national)
    if not _valid(_verdict_prefix(national), len(national)):
        raise PhoneError(f"{raw.strip()!r} is not a valid Vietnamese phone number")
    return "+84" + national


def national_form(e164: str) -> str:
    """+84905123456 -> 0905123456, the form a Vietnamese trunk dials."""
    return "0" + e164[3:] if e164.startswith("+84") else e164


def _national_digits(text: str) -> str:
    if text.startswith("0084"):
        text = "+" + text[2:]
    if text.startswith("+"):
        if not text.startswith("+84"):
            raise PhoneError(f"{text!r} is not a Vietnamese number (+84)")
        return text[3:]
    if text.startswith("0"):
        return text[1:]
    if text.startswith("84") and len(text) >= 11:
        return text[2:]
    raise PhoneError(f"{text!r} has no trunk prefix 0 or country code 84")


def _convert_old_mobile(national: str) -> str:
    if national.startswith("511") and len(national) == 10:
        return "236" + national[3:]  # Da Nang's landlines before 2017
    if len(national) == 10 and national[0] == "1":
        new = OLD_MOBILE_PREFIXES.get(national[:3])
        if new is None:
            raise PhoneError(f"0{national} has an unknown old 11-digit mobile prefix")
        return new + national[3:]
    return national


def _verdict_prefix(national: str) -> str:
    """The digits phonenumbers' verdict depends on: any leading zeros, then four more."""
    return national[: 4 + len(national) - len(national.lstrip("0"))]


@lru_cache(maxsize=65536)
def _valid(prefix: str, length: int) -> bool:
    sample = prefix + "0" * (length - len(prefix))
    return _valid_exact(sample) if length >= 6 else False


def _valid_exact(national: str) -> bool:
    try:
        parsed = phonenumbers.parse("+84" + national, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)

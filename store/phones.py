"""Vietnamese phone numbers to E.164 by the national numbering plan (docs/vietnamese.md).

Rules: validity is the plan's structure, a prefix table, never a list of the blocks the
carriers have allocated. After the trunk prefix 0 (or the country code: 84, +84, 0084,
with or without a stray 0 after it) a mobile number has 9 digits starting 3, 5, 7, 8 or 9
and a landline 10 digits starting 2 (a 02x area code and the subscriber number). Old
forms are converted first: 11-digit mobiles from before 2018 (OLD_MOBILE_PREFIXES) and
Da Nang's 0511 landlines. What cannot be read as a Vietnamese number is a PhoneError
whose message says why; nothing is guessed. Whether a number lies in a block the carriers
are known to use (phonenumbers' metadata) is another question, `in_known_block`: it only
informs, since a verified check-in can hold a number from a block missing there, and an
unallocated number costs one call that the network answers with cause 1.
A well-formed number costs about a microsecond: no regular expression, no phonenumbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# The numbering plan: first national digit -> national significant digits (after the 0).
MOBILE_DIGITS = 9
LANDLINE_DIGITS = 10
PLAN = {**dict.fromkeys("35789", MOBILE_DIGITS), "2": LANDLINE_DIGITS}
# The 2018 renumbering of 11-digit mobiles: old prefix (after the 0) -> new prefix.
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
DA_NANG_OLD_AREA, DA_NANG_AREA = "511", "236"  # landlines renumbered in 2017
_SEPARATORS = re.compile(r"[\s.\-()/]+")
_DIGITS = re.compile(r"\+?[0-9]+")
_PREFIXES = "mobiles start 03, 05, 07, 08 or 09, landlines 02"


class PhoneError(ValueError):
    """A phone number that cannot be read as Vietnamese; the message says why."""


def normalize_phone(raw: str) -> str:
    """Return the E.164 form (+84…) of a Vietnamese number, or raise PhoneError."""
    plain = raw.isascii() and (raw.isdigit() or raw[:1] == "+" and raw[1:].isdigit())
    text = raw if plain else _clean(raw)  # the common cases need no regular expression
    if text[0] == "0" and text[1:2] != "0":
        national = text[1:]
    else:
        national = _national_digits(text)
    if PLAN.get(national[:1]) == len(national):
        return "+84" + national
    return "+84" + _old_form(national, raw.strip())


def national_form(e164: str) -> str:
    """+84905123456 -> 0905123456, the form a Vietnamese trunk dials."""
    return "0" + e164[3:] if e164.startswith("+84") else e164


def in_known_block(e164: str) -> bool:
    """Whether phonenumbers' metadata lists the number's block as allocated (+84… only).

    Its verdict for Vietnam depends only on the leading digits and the length (its
    patterns read at most four digits after any leading zeros), so it is cached on those:
    a file of a million new numbers costs a few hundred phonenumbers calls.
    """
    national = e164[3:]
    prefix = national[:4] if national[:1] != "0" else _verdict_prefix(national)
    return _valid(prefix, len(national))


def _clean(raw: str) -> str:
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        raise PhoneError("empty phone number")
    if not _DIGITS.fullmatch(text):
        raise PhoneError(f"phone number {raw.strip()!r} has characters other than digits")
    return text


def _national_digits(text: str) -> str:
    """The digits after the trunk prefix 0 or the country code 84, a stray 0 after it dropped."""
    if text.startswith("0084"):
        text = "+" + text[2:]
    if text.startswith("+"):
        if not text.startswith("+84"):
            raise PhoneError(f"{text!r} is not a Vietnamese number (+84)")
        national = text[3:]
    elif text.startswith("00"):
        raise PhoneError(f"{text!r} is not a Vietnamese number (00 then a country code)")
    elif text.startswith("0"):
        return text[1:]
    elif text.startswith("84") and len(text) >= 11:
        national = text[2:]
    else:
        raise PhoneError(f"{text!r} has no trunk prefix 0 or country code 84")
    return national[1:] if national.startswith("0") else national  # +84 (0) 905 …


def _old_form(national: str, shown: str) -> str:
    """The plan's form of a number written before a renumbering, or PhoneError with why."""
    length = len(national)
    if not length:
        raise PhoneError(f"{shown!r} has no digits after its prefix")
    if length == LANDLINE_DIGITS and national.startswith(DA_NANG_OLD_AREA):
        return DA_NANG_AREA + national[3:]
    if length == LANDLINE_DIGITS and national[0] == "1":
        new = OLD_MOBILE_PREFIXES.get(national[:3])
        if new is None:
            raise PhoneError(f"0{national} has an unknown old 11-digit mobile prefix")
        return new + national[3:]
    expected = PLAN.get(national[:1])
    why = (
        f"0{national[:1]}… is no mobile or landline prefix ({_PREFIXES})"
        if expected is None
        else f"a {'mobile' if expected == MOBILE_DIGITS else 'landline'} number has "
        f"{expected + 1} digits with its leading 0, this one {length + 1}"
    )
    raise PhoneError(f"{shown!r} is not a valid Vietnamese phone number: {why}")


def _verdict_prefix(national: str) -> str:
    """The digits phonenumbers' verdict depends on: any leading zeros, then four more."""
    return national[: 4 + len(national) - len(national.lstrip("0"))]


@lru_cache(maxsize=65536)
def _valid(prefix: str, length: int) -> bool:
    sample = prefix + "0" * (length - len(prefix))
    return _valid_exact(sample) if length >= 6 else False


def _valid_exact(national: str) -> bool:
    if national.isdigit() and national[:1] != "0":  # already split: no parse (a third the cost)
        number = phonenumbers.PhoneNumber(country_code=84, national_number=int(national))
        return phonenumbers.is_valid_number(number)
    try:
        parsed = phonenumbers.parse("+84" + national, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)

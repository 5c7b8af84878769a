# Rules: numbers, dates, times and digit strings become prompt-id sequences; pure functions,
# no I/O, no clock. Vietnamese follows docs/vietnamese.md exactly; English is the usual
# British reading (one hundred and five). A prompt id is a sound-file stem: ascii [a-z0-9-].
# The same id serves both languages where the meaning is the same (num-7, month-4, word-hundred);
# words only one language needs get their own id (num-1-mot, word-muoi, ordinal-7, word-and).
# Bad values raise ValueError with a message a person can act on.
"""Vietnamese and English speech as sequences of prompt ids."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

LANGS = ("vi", "en")
MAX_NUMBER = 999_999_999_999
PAUSE = "pause"

# Vietnamese special forms and words (docs/vietnamese.md "Cardinal numbers").
VI_MOT = "num-1-mot"  # mốt: 1 after mươi
VI_LAM = "num-5-lam"  # lăm: 5 after mười / mươi
VI_MUOI = "word-muoi"  # mươi: the tens word from 20 up
VI_LINH = "word-linh"  # linh: zero tens inside a hundred
# Scale words, shared: trăm / hundred, nghìn / thousand, triệu / million, tỷ / billion.
HUNDRED = "word-hundred"
SCALES = ((10**9, "word-billion"), (10**6, "word-million"), (10**3, "word-thousand"), (1, None))

EN_AND = "word-and"
EN_OH = "word-oh"
EN_AM, EN_PM = "am", "pm"


def num(d: int) -> str:
    """The plain prompt of 0..10 (shared), and in English also 11..19 and the tens 20..90."""
    return f"num-{d}"


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of: {', '.join(LANGS)}")
    return lang


def _check_int(n: object, low: int, high: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{what} must be a whole number, not {n!r}")
    if not low <= n <= high:
        raise ValueError(f"{what} {n:,} is out of range {low:,}..{high:,}")
    return n


def _groups(n: int) -> list[tuple[int, str | None]]:
    """Split n into (value, scale id) groups of three digits, largest first, zero groups kept."""
    out = []
    for size, scale in SCALES:
        out.append((n // size % 1000, scale))
    return out


# --- Vietnamese ---------------------------------------------------------------------------


def _vi_below_100(n: int) -> list[str]:
    """1..99 with mười/mươi, mốt and lăm (linh is the caller's business)."""
    tens, unit = divmod(n, 10)
    if tens == 0:
        return [num(unit)]
    head = [num(10)] if tens == 1 else [num(tens), VI_MUOI]
    if unit == 0:
        return head
    if unit == 1 and tens >= 2:
        return [*head, VI_MOT]
    if unit == 5:
        return [*head, VI_LAM]
    return [*head, num(unit)]


def _vi_group(n: int, full: bool) -> list[str]:
    """One group 1..999; `full` when a larger group came before, so hundreds are always said."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _vi_below_100(rest)
    out = [num(hundreds), HUNDRED]
    if rest == 0:
        return out
    if rest < 10:
        return [*out, VI_LINH, num(rest)]
    return [*out, *_vi_below_100(rest)]


def _vi_number(n: int) -> list[str]:
    if n == 0:
        return [num(0)]
    out: list[str] = []
    for value, scale in _groups(n):
        if value == 0:
            continue  # zero groups are silent, in the middle as at the end
        out += _vi_group(value, full=bool(out))
        if scale:
            out.append(scale)
    return out


# --- English ------------------------------------------------------------------------------


def _en_below_100(n: int) -> list[str]:
    if n < 20:
        return [num(n)]
    tens, unit = divmod(n, 10)
    return [num(tens * 10)] + ([num(unit)] if unit else [])


def _en_group(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    out = [num(hundreds), HUNDRED] if hundreds else []
    if rest:
        out += ([EN_AND] if hundreds else []) + _en_below_100(rest)
    return out


def _en_number(n: int) -> list[str]:
    if n == 0:
        return [num(0)]
    out: list[str] = []
    for value, scale in _groups(n):
        if value == 0:
            continue
        if scale is None and out and value < 100:
            out.append(EN_AND)  # one thousand and five
        out += _en_group(value)
        if scale:
            out.append(scale)
    return out


def _en_year(y: int) -> list[str]:
    """2021 twenty twenty-one, 1905 nineteen oh five, 1900 nineteen hundred, 2005 as a number."""
    if y < 1000 or 2000 <= y <= 2009 or y % 1000 == 0:
        return _en_number(y)
    high, low = divmod(y, 100)
    if low == 0:
        return [*_en_below_100(high), HUNDRED]
    if low < 10:
        return [*_en_below_100(high), EN_OH, num(low)]
    return [*_en_below_100(high), *_en_below_100(low)]


# --- public API ---------------------------------------------------------------------------


def number_prompts(n: int, lang: str) -> list[str]:
    """Prompt ids reading the cardinal n, 0..999,999,999,999."""
    _check_lang(lang)
    _check_int(n, 0, MAX_NUMBER, "number")
    return _vi_number(n) if lang == "vi" else _en_number(n)


def date_prompts(d: datetime.date, lang: str) -> list[str]:
    """vi: ngày D tháng M năm Y; en: October 7th, 2021 (month, ordinal day, pause, year)."""
    _check_lang(lang)
    if not isinstance(d, datetime.date):
        raise ValueError(f"date must be a datetime.date, not {d!r}")
    month = f"month-{d.month}"
    if lang == "vi":
        return ["word-day", *_vi_number(d.day), month, "word-year", *_vi_number(d.year)]
    return [month, f"ordinal-{d.day}", PAUSE, *_en_year(d.year)]


def time_prompts(t: datetime.time, lang: str) -> list[str]:
    """vi: H giờ M phút on the 24-hour clock (just H giờ on the hour); en: 2:30 PM, 2 PM."""
    _check_lang(lang)
    if not isinstance(t, datetime.time):
        raise ValueError(f"time must be a datetime.time, not {t!r}")
    if lang == "vi":
        out = [*_vi_number(t.hour), "word-hour"]
        return out + ([*_vi_number(t.minute), "word-minute"] if t.minute else [])
    out = _en_below_100(t.hour % 12 or 12)
    if t.minute:
        out += [EN_OH, num(t.minute)] if t.minute < 10 else _en_below_100(t.minute)
    return [*out, EN_AM if t.hour < 12 else EN_PM]


def datetime_prompts(when: datetime.datetime, lang: str) -> list[str]:
    """vi: 14 giờ 30 phút ngày 7 tháng 10 năm 2021; en: 2:30 PM on October 7th, 2021.

    Pass local time (Asia/Ho_Chi_Minh): the clock is read as it is, no zone is converted.
    """
    if not isinstance(when, datetime.datetime):
        raise ValueError(f"when must be a datetime.datetime, not {when!r}")
    on = [] if lang == "vi" else ["word-on"]
    return [*time_prompts(when.time(), lang), *on, *date_prompts(when.date(), lang)]


def range_prompts(start: datetime.datetime, end: datetime.datetime, lang: str) -> list[str]:
    """từ … đến … / from … to …; the date is said once when both ends fall on the same day."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime.datetime):
            raise ValueError(f"{name} must be a datetime.datetime, not {value!r}")
    if end < start:
        raise ValueError(f"the range ends ({end:%Y-%m-%d %H:%M}) before it starts "
                         f"({start:%Y-%m-%d %H:%M})")  # fmt: skip
    if start.date() != end.date():
        return ["word-from", *datetime_prompts(start, lang),
                "word-to", *datetime_prompts(end, lang)]  # fmt: skip
    times = ["word-from", *time_prompts(start.time(), lang),
             "word-to", *time_prompts(end.time(), lang)]  # fmt: skip
    on = [] if lang == "vi" else ["word-on"]
    return [*times, *on, *date_prompts(start.date(), lang)]


def default_groups(length: int) -> list[int]:
    """A 10-digit phone number reads 4-3-3 (0905 123 456); anything else in threes.

    A lone digit left over joins the last group (1022 as one group, 1234567 as 123 4567).
    """
    if length == 10:
        return [4, 3, 3]
    sizes = [3] * (length // 3) + ([length % 3] if length % 3 else [])
    if len(sizes) > 1 and sizes[-1] == 1:
        sizes[-2:] = [4]
    return sizes


def digits_prompts(text: str, lang: str, groups: Sequence[int] | None = None) -> list[str]:
    """Digit by digit, with a pause prompt between groups; spaces, dots and dashes are ignored.

    `groups` gives the group sizes and must add up to the number of digits.
    """
    _check_lang(lang)
    if not isinstance(text, str):
        raise ValueError(f"digits must be given as text, not {text!r}")
    digits = "".join(ch for ch in text if ch not in " .-")
    if not digits:
        raise ValueError("no digits to read")
    bad = sorted({ch for ch in digits if ch not in "0123456789"})
    if bad:
        raise ValueError(f"{text!r} is not a digit string (unexpected {''.join(bad)!r})")
    sizes = default_groups(len(digits)) if groups is None else list(groups)
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"group sizes must be positive whole numbers, not {list(groups)!r}")
    if sum(sizes) != len(digits):
        raise ValueError(
            f"groups {sizes} add up to {sum(sizes)}, but {text!r} has {len(digits)} digits"
        )
    out: list[str] = []
    start = 0
    for size in sizes:
        if out:
            out.append(PAUSE)
        out += [num(int(ch)) for ch in digits[start : start + size]]
        start += size
    return out

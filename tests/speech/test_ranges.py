"""A moment and a range, as the exposure notice says them: từ … đến … / from … to …."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr.catalog import load_catalog
from ivr.speech import datetime_prompts, range_prompts

START = dt.datetime(2021, 10, 7, 14, 30)
SAME_DAY = dt.datetime(2021, 10, 7, 16, 0)
NEXT_DAY = dt.datetime(2021, 10, 8, 9, 5)
Y2021_VI = "năm hai nghìn không trăm hai mươi mốt"


def words(prompts, lang):
    catalog = load_catalog()
    assert all(catalog.has(p, "vi") and catalog.has(p, "en") for p in prompts)
    return catalog.render(prompts, lang)


def test_a_moment():
    assert words(datetime_prompts(START, "vi"), "vi") == (
        f"mười bốn giờ ba mươi phút ngày bảy tháng mười {Y2021_VI}"
    )
    assert words(datetime_prompts(START, "en"), "en") == (
        "two thirty PM on October seventh, twenty twenty one"
    )


def test_a_range_within_one_day_says_the_date_once():
    assert words(range_prompts(START, SAME_DAY, "vi"), "vi") == (
        f"từ mười bốn giờ ba mươi phút đến mười sáu giờ ngày bảy tháng mười {Y2021_VI}"
    )
    assert words(range_prompts(START, SAME_DAY, "en"), "en") == (
        "from two thirty PM to four PM on October seventh, twenty twenty one"
    )


def test_a_range_over_two_days():
    assert words(range_prompts(START, NEXT_DAY, "vi"), "vi") == (
        f"từ mười bốn giờ ba mươi phút ngày bảy tháng mười {Y2021_VI} "
        f"đến chín giờ năm phút ngày tám tháng mười {Y2021_VI}"
    )


def test_bad_ranges():
    with pytest.raises(ValueError, match="ends .* before it starts"):
        range_prompts(SAME_DAY, START, "vi")
    with pytest.raises(ValueError, match="datetime.datetime"):
        range_prompts(START.date(), SAME_DAY, "vi")
    with pytest.raises(ValueError, match="unsupported language"):
        range_prompts(START, SAME_DAY, "fr")

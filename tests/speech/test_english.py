"""English readings: twenty-one, one hundred and five, October 7th, 2021, 2:30 PM."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr.catalog import load_catalog
from ivr.speech import date_prompts, digits_prompts, number_prompts, time_prompts


def words(prompts: list[str]) -> str:
    return load_catalog().render(prompts, "en")


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "zero"),
        (10, "ten"),
        (11, "eleven"),
        (15, "fifteen"),
        (20, "twenty"),
        (21, "twenty one"),
        (24, "twenty four"),
        (25, "twenty five"),
        (100, "one hundred"),
        (101, "one hundred and one"),
        (105, "one hundred and five"),
        (110, "one hundred and ten"),
        (115, "one hundred and fifteen"),
        (1000, "one thousand"),
        (1001, "one thousand and one"),
        (1005, "one thousand and five"),
        (1010, "one thousand and ten"),
        (1050, "one thousand and fifty"),
        (1879, "one thousand eight hundred and seventy nine"),
        (100_000, "one hundred thousand"),
        (1_000_000, "one million"),
        (1_000_005, "one million and five"),
        (2_350_000, "two million three hundred and fifty thousand"),
        (10**9, "one billion"),
        (10**9 + 5, "one billion and five"),
        (
            999_999_999_999,
            "nine hundred and ninety nine billion nine hundred and ninety nine million "
            "nine hundred and ninety nine thousand nine hundred and ninety nine",
        ),
    ],
)
def test_numbers(n, expected):
    assert words(number_prompts(n, "en")) == expected


def test_twenty_one_is_tens_then_unit():
    assert number_prompts(21, "en") == ["num-20", "num-1"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2021, 10, 7), "October seventh, twenty twenty one"),
        (dt.date(2021, 4, 1), "April first, twenty twenty one"),
        (dt.date(2005, 1, 22), "January twenty-second, two thousand and five"),
        (dt.date(1999, 12, 31), "December thirty-first, nineteen ninety nine"),
        (dt.date(1905, 5, 3), "May third, nineteen oh five"),
        (dt.date(1900, 6, 2), "June second, nineteen hundred"),
        (dt.date(2000, 2, 29), "February twenty-ninth, two thousand"),
    ],
)
def test_dates(date, expected):
    assert words(date_prompts(date, "en")) == expected


def test_the_day_is_an_ordinal():
    assert date_prompts(dt.date(2021, 10, 7), "en")[:2] == ["month-10", "ordinal-7"]


@pytest.mark.parametrize(
    ("hhmm", "expected"),
    [
        ((14, 30), "two thirty PM"),
        ((9, 0), "nine AM"),
        ((0, 0), "twelve AM"),
        ((12, 0), "twelve PM"),
        ((0, 5), "twelve oh five AM"),
        ((23, 59), "eleven fifty nine PM"),
        ((11, 10), "eleven ten AM"),
    ],
)
def test_times(hhmm, expected):
    assert words(time_prompts(dt.time(*hhmm), "en")) == expected


def test_phone_number():
    assert words(digits_prompts("0905123456", "en")) == (
        "zero nine zero five, one two three, four five six"
    )


def test_wrong_types():
    with pytest.raises(ValueError, match="datetime.date"):
        date_prompts("2021-10-07", "en")
    with pytest.raises(ValueError, match="datetime.time"):
        time_prompts("14:30", "en")

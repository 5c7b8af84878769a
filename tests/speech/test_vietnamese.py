"""Vietnamese readings, checked against the words docs/vietnamese.md writes out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr.catalog import load_catalog
from ivr.speech import date_prompts, digits_prompts, number_prompts, time_prompts


def words(prompts: list[str]) -> str:
    return load_catalog().render(prompts, "vi")


# Every worked example in docs/vietnamese.md, then the boundaries of each rule.
NUMBERS = [
    (0, "không"),
    (1, "một"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (30, "ba mươi"),
    (84, "tám mươi bốn"),
    (91, "chín mươi mốt"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (500, "năm trăm"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1050, "một nghìn không trăm năm mươi"),
    (1105, "một nghìn một trăm linh năm"),
    (1879, "một nghìn tám trăm bảy mươi chín"),
    (2021, "hai nghìn không trăm hai mươi mốt"),
    (10_000, "mười nghìn"),
    (21_000, "hai mươi mốt nghìn"),
    (100_000, "một trăm nghìn"),
    (1_000_000, "một triệu"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (2_350_000, "hai triệu ba trăm năm mươi nghìn"),
    (10**9, "một tỷ"),
    (10**9 + 5, "một tỷ không trăm linh năm"),
    (15 * 10**9, "mười lăm tỷ"),
    (999 * 10**9, "chín trăm chín mươi chín tỷ"),
    (
        999_999_999_999,
        "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu "
        "chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
    ),
]


@pytest.mark.parametrize(("n", "expected"), NUMBERS)
def test_numbers(n, expected):
    assert words(number_prompts(n, "vi")) == expected


def test_special_forms_have_their_own_prompts():
    assert number_prompts(21, "vi") == ["num-2", "word-muoi", "num-1-mot"]
    assert number_prompts(11, "vi") == ["num-10", "num-1"]
    assert number_prompts(15, "vi") == ["num-10", "num-5-lam"]
    assert number_prompts(105, "vi") == ["num-1", "word-hundred", "word-linh", "num-5"]


@pytest.mark.parametrize("bad", [-1, 10**12, 1.5, "12", True, None])
def test_out_of_range_or_not_a_number(bad):
    with pytest.raises(ValueError, match="number"):
        number_prompts(bad, "vi")


def test_unknown_language():
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        number_prompts(1, "fr")


def test_date_from_the_guide():
    expected = "ngày bảy tháng mười năm hai nghìn không trăm hai mươi mốt"
    assert words(date_prompts(dt.date(2021, 10, 7), "vi")) == expected


def test_april_is_thang_tu_as_one_prompt_and_january_thang_mot():
    april = date_prompts(dt.date(2021, 4, 30), "vi")
    assert "month-4" in april and "num-4" not in april
    assert words(april) == "ngày ba mươi tháng tư năm hai nghìn không trăm hai mươi mốt"
    assert words(date_prompts(dt.date(2022, 1, 15), "vi")).startswith("ngày mười lăm tháng một")


@pytest.mark.parametrize(
    ("hhmm", "expected"),
    [
        ((14, 30), "mười bốn giờ ba mươi phút"),
        ((9, 0), "chín giờ"),
        ((0, 0), "không giờ"),
        ((8, 5), "tám giờ năm phút"),
        ((23, 21), "hai mươi ba giờ hai mươi mốt phút"),
        ((15, 15), "mười lăm giờ mười lăm phút"),
    ],
)
def test_times(hhmm, expected):
    assert words(time_prompts(dt.time(*hhmm), "vi")) == expected


def test_phone_number_reads_in_groups_4_3_3():
    assert words(digits_prompts("0905123456", "vi")) == (
        "không chín không năm, một hai ba, bốn năm sáu"
    )
    assert digits_prompts("0905123456", "vi")[4] == "pause"


def test_digits_are_never_special_forms():
    # 5 after 1 in a digit string is năm, not lăm; 1 after 2 is một, not mốt.
    assert words(digits_prompts("215", "vi")) == "hai một năm"


@pytest.mark.parametrize(
    ("text", "groups", "expected"),
    [
        ("123456", None, "một hai ba, bốn năm sáu"),
        ("12345678", None, "một hai ba, bốn năm sáu, bảy tám"),
        ("1234567", None, "một hai ba, bốn năm sáu bảy"),
        ("1022", None, "một không hai hai"),
        ("0905.123-456", None, "không chín không năm, một hai ba, bốn năm sáu"),
        ("123456", [2, 4], "một hai, ba bốn năm sáu"),
    ],
)
def test_digit_groups(text, groups, expected):
    assert words(digits_prompts(text, "vi", groups)) == expected


@pytest.mark.parametrize(
    ("text", "groups", "message"),
    [
        ("", None, "no digits"),
        ("+84905123456", None, "not a digit string"),
        ("12a", None, "not a digit string"),
        ("123456", [3, 2], "add up to 5"),
        ("123", [0, 3], "positive"),
    ],
)
def test_bad_digit_strings(text, groups, message):
    with pytest.raises(ValueError, match=message):
        digits_prompts(text, "vi", groups)

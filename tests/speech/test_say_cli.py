"""`hotline say`: words or prompt ids on stdout, one-line errors with exit 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import main


def say(*args: str):
    return CliRunner().invoke(main, ["say", *args])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["1879", "--as", "number"], "một nghìn tám trăm bảy mươi chín"),
        (["1879"], "một nghìn tám trăm bảy mươi chín"),
        (["2 350 000"], "hai triệu ba trăm năm mươi nghìn"),
        (["2.350.000"], "hai triệu ba trăm năm mươi nghìn"),
        (
            ["2021-10-07", "--as", "date"],
            "ngày bảy tháng mười năm hai nghìn không trăm hai mươi mốt",
        ),
        (["2021-10-07", "--as", "date", "--lang", "en"], "October seventh, twenty twenty one"),
        (["14:30", "--as", "time"], "mười bốn giờ ba mươi phút"),
        (["9:00", "--as", "time"], "chín giờ"),
        (["14:30", "--as", "time", "--lang", "en"], "two thirty PM"),
        (["0905123456", "--as", "digits"], "không chín không năm, một hai ba, bốn năm sáu"),
        (["123456", "--as", "digits", "--groups", "2,4"], "một hai, ba bốn năm sáu"),
        (["105", "--lang", "en"], "one hundred and five"),
        (["21", "--ids"], "num-2 word-muoi num-1-mot"),
        (
            ["2021-04-01", "--as", "date", "--ids"],
            "word-day num-1 month-4 word-year num-2 word-thousand num-0 word-hundred num-2 "
            "word-muoi num-1-mot",
        ),  # fmt: skip
    ],
)
def test_say(args, expected):
    result = say(*args)
    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["12a"], "Error: '12a' is not a whole number"),
        (["1.5"], "Error: '1.5' is not a whole number"),
        (["1000000000000"], "Error: number 1,000,000,000,000 is out of range 0..999,999,999,999"),
        (["2021-02-30", "--as", "date"],
         "Error: '2021-02-30' is not a date (YYYY-MM-DD): day is out of range for month"),
        (["07/10/2021", "--as", "date"], "Error: '07/10/2021' is not a date (YYYY-MM-DD)"),
        (["24:00", "--as", "time"], "Error: '24:00' is not a time (HH:MM): hour must be in 0..23"),
        (["2pm", "--as", "time"], "Error: '2pm' is not a time (HH:MM)"),
        (["09a5", "--as", "digits"], "Error: '09a5' is not a digit string (unexpected 'a')"),
        (["123", "--as", "digits", "--groups", "2"],
         "Error: groups [2] add up to 2, but '123' has 3 digits"),
        (["123", "--groups", "3"], "Error: --groups only applies to --as digits"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_and_exit_1(args, message):
    result = say(*args)
    assert result.exit_code == 1
    assert result.output == message + "\n"

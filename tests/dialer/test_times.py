"""Check-in times in every accepted form land on the same UTC instant."""

from datetime import UTC, datetime, timedelta

import pytest

from dialer.times import TimeError, format_city, parse_duration, parse_time

SAME_INSTANT = datetime(2021, 10, 7, 7, 30, tzinfo=UTC)  # 14:30 in Da Nang


@pytest.mark.parametrize(
    "text",
    [
        "2021-10-07T14:30:00+07:00",
        "2021-10-07T07:30:00Z",
        "2021-10-07T07:30:00+00:00",
        "2021-10-07 14:30",
        "2021-10-07T14:30:00",
        "07/10/2021 14:30",
        "7/10/2021 14:30:00",
    ],
)
def test_all_forms_mean_the_same_instant(text):
    assert parse_time(text) == SAME_INSTANT


@pytest.mark.parametrize("text", ["2021-10-07", "hôm qua", "31/02/2021 10:00", "", "14:30"])
def test_unreadable_times_name_the_accepted_forms(text):
    with pytest.raises(TimeError):
        parse_time(text)


def test_city_time_is_shown_back_to_supervisors():
    assert format_city(SAME_INSTANT) == "2021-10-07 14:30"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("45", timedelta(minutes=45)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


def test_bad_duration():
    with pytest.raises(TimeError, match="90s, 30m, 2h"):
        parse_duration("soon")

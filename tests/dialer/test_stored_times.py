"""The importer's quick time path stores exactly what the general one would."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.stored_times import StoredTimes
from dialer.times import TimeError, parse_time
from store.types import sqlite_text


def _general(text: str) -> tuple[str, float] | type[TimeError]:
    try:
        moment = parse_time(text)
    except TimeError:
        return TimeError
    return sqlite_text(moment), moment.timestamp()


def _quick(times: StoredTimes, text: str) -> tuple[str, float] | type[TimeError]:
    try:
        return times.convert(text)
    except TimeError:
        return TimeError


def test_a_qr_time_in_city_time_is_stored_seven_hours_earlier_in_utc():
    stored, seconds = StoredTimes().convert("2021-09-13 03:01:03")
    assert stored == "2021-09-12 20:01:03.000000"  # the day before, in UTC
    assert seconds == datetime(2021, 9, 12, 20, 1, 3, tzinfo=UTC).timestamp()


_moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31))
_forms = st.sampled_from(
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%dT%H:%M:%S+07:00",
        "%Y-%m-%dT%H:%M:%SZ",
        "%d/%m/%Y %H:%M:%S",
    ]
)


@given(_moments, _forms)
def test_every_accepted_form_gives_what_parse_time_gives(moment, form):
    times = StoredTimes()
    text = moment.strftime(form)
    assert _quick(times, text) == _general(text)
    assert _quick(times, text) == _general(text)  # the remembered hour, too


@given(
    st.text(alphabet="0123456789-: T/", min_size=17, max_size=21)
    | st.from_regex(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", fullmatch=True)
)
def test_nonsense_is_refused_as_parse_time_refuses_it(text):
    assert _quick(StoredTimes(), text) == _general(text)


@pytest.mark.parametrize(
    "text",
    ["2021-02-29 10:00:00", "2021-09-13 24:00:00", "2021-09-13 07:60:00", "2021-09-13 07:00:61"],
)
def test_impossible_times_are_refused(text):
    with pytest.raises(TimeError):
        StoredTimes().convert(text)


def test_stays_are_whole_seconds_across_midnight():
    times = StoredTimes()
    _, start = times.convert("2021-09-13 23:30:00")
    _, end = times.convert("2021-09-14T00:15:30")
    assert end - start == timedelta(minutes=45, seconds=30).total_seconds()

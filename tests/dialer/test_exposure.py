"""Exposure matching: boundaries, priorities, one contact per phone, exclusions."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dialer.exposure import Visit, Window, match, presence, search_range

T0 = datetime(2021, 10, 7, 2, 0, tzinfo=UTC)  # 09:00 in Da Nang
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
WINDOW = Window(1, "DN-0001", T0, T0 + 120 * MIN)  # case there 09:00-11:00
MARGIN = 30 * MIN
DWELL = 60 * MIN


def visit(cin, cout=None, phone="+84905123456", cid=1, loc=1):
    return Visit(cid, phone, loc, f"DN-{loc:04d}", cin, cout)


def phones(visits, **kw):
    return [
        (m.phone, m.priority) for m in match([WINDOW], visits, margin=MARGIN, dwell=DWELL, **kw)
    ]


def test_checkout_exactly_at_window_start_matches():
    v = visit(T0 - MARGIN - 10 * MIN, T0 - MARGIN)
    assert phones([v]) == [("+84905123456", 2)]


def test_checkout_one_second_before_window_start_does_not_match():
    v = visit(T0 - MARGIN - 10 * MIN, T0 - MARGIN - SEC)
    assert phones([v]) == []


def test_checkin_exactly_at_window_end_matches_and_one_second_later_does_not():
    end = WINDOW.end + MARGIN
    assert phones([visit(end, end + MIN)]) == [("+84905123456", 2)]
    assert phones([visit(end + SEC, end + MIN)]) == []


def test_touching_the_unexpanded_exposure_is_priority_one():
    assert phones([visit(T0 - 10 * MIN, T0)]) == [("+84905123456", 1)]
    assert phones([visit(T0 - 10 * MIN, T0 - SEC)]) == [("+84905123456", 2)]


def test_no_checkout_means_dwell_is_assumed():
    # In at 07:50 (city), no checkout: present until 08:50 < 08:30 window start? no: 08:50 >= 08:30
    assert phones([visit(T0 - 70 * MIN)]) == [("+84905123456", 2)]
    # In at 07:29: present until 08:29, one minute short of the widened window.
    assert phones([visit(T0 - 91 * MIN)]) == []


def test_other_locations_never_match():
    assert phones([visit(T0, T0 + MIN, loc=2)]) == []


def test_one_contact_per_phone_carrying_every_visit_and_best_priority():
    visits = [visit(T0 + 150 * MIN, None, cid=1), visit(T0 + 10 * MIN, T0 + 20 * MIN, cid=2)]
    [m] = match([WINDOW], visits, margin=MARGIN, dwell=DWELL)
    assert m.priority == 1
    assert [v.checkin_id for v in m.visits] == [2, 1]
    assert m.first.checkin_id == 2


def test_case_phones_and_opted_out_are_left_out():
    visits = [
        visit(T0, T0 + MIN, phone="+84905000001", cid=1),
        visit(T0, T0 + MIN, phone="+84905000002", cid=2),
    ]
    assert phones(visits, excluded={"+84905000001"}) == [("+84905000002", 1)]


def test_order_is_priority_then_first_visit_then_phone():
    visits = [
        visit(T0 + 130 * MIN, None, phone="+84905000003", cid=1),
        visit(T0 + 20 * MIN, T0 + 30 * MIN, phone="+84905000002", cid=2),
        visit(T0 + 10 * MIN, T0 + 30 * MIN, phone="+84905000001", cid=3),
    ]
    assert phones(visits) == [("+84905000001", 1), ("+84905000002", 1), ("+84905000003", 2)]


minutes = st.integers(min_value=-600, max_value=600)


@given(cin=minutes, stay=st.one_of(st.none(), st.integers(min_value=0, max_value=900)))
def test_search_range_never_drops_a_match(cin, stay):
    """The database prefilter (on checked_in_at only) keeps every visit that matches."""
    checked_in = T0 + cin * MIN
    checked_out = None if stay is None else checked_in + stay * MIN
    v = visit(checked_in, checked_out)
    lo, hi = search_range(WINDOW, MARGIN, DWELL, max_stay=timedelta(minutes=stay or 0))
    if match([WINDOW], [v], margin=MARGIN, dwell=DWELL):
        assert lo <= checked_in <= hi
    start, end = presence(v, DWELL)
    assert end >= start

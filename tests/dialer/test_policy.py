"""The calling policy, pure: hours and days, retries, never-call rules, pacing, attempt table.

Time is always given (a fake clock): these tests never sleep.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.attempts import Outcome, best_cause, classify
from dialer.calling_hours import CITY_ZONE, CallingWindow, PolicyError, parse_days
from dialer.pacing import TokenBucket, most_in_any_window
from dialer.policy import ContactFacts, Policy, RetryDelays, after_attempt, eligibility
from store.attempt_states import STATES, TRANSITIONS, IllegalStep, step


def city(y, mo, d, h, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=CITY_ZONE).astimezone(UTC)


FRI = (2021, 10, 8)  # a Friday
SAT, SUN, MON = (2021, 10, 9), (2021, 10, 10), (2021, 10, 11)
DEFAULT = CallingWindow.parse()


# --- calling hours ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "moment,is_open",
    [
        (city(*FRI, 7, 29, 59), False),
        (city(*FRI, 7, 30), True),
        (city(*FRI, 14, 0), True),
        (city(*FRI, 20, 29, 59), True),
        (city(*FRI, 20, 30), False),
        (city(*FRI, 23, 0), False),
    ],
)
def test_default_hours_are_7_30_to_20_30_city_time(moment, is_open):
    assert DEFAULT.is_open(moment) is is_open


def test_a_moment_after_hours_moves_to_the_next_morning():
    assert DEFAULT.next_open(city(*FRI, 20, 45)) == city(*SAT, 7, 30)
    assert DEFAULT.next_open(city(*FRI, 6, 0)) == city(*FRI, 7, 30)
    assert DEFAULT.next_open(city(*FRI, 9, 0)) == city(*FRI, 9, 0)


def test_closed_days_are_skipped():
    weekdays = CallingWindow.parse("08:00-17:00", "mon-fri")
    assert weekdays.next_open(city(*FRI, 17, 0)) == city(*MON, 8, 0)
    assert not weekdays.is_open(city(*SUN, 10, 0))
    assert weekdays.describe() == "08:00-17:00 mon-fri"


@pytest.mark.parametrize(
    "text,days",
    [
        ("mon-sun", set(range(7))),
        ("mon-fri,sun", {0, 1, 2, 3, 4, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ("Sat, Sun", {5, 6}),
        ("wed", {2}),
    ],
)
def test_day_names_and_ranges(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize(
    "hours,days,message",
    [
        ("7:30-20:30x", "mon-sun", "HH:MM"),
        ("20:30-07:30", "mon-sun", "must end after they start"),
        ("07:30", "mon-sun", "HH:MM-HH:MM"),
        ("07:30-25:00", "mon-sun", "out of range"),
        ("07:30-20:30", "monday-friday", "day names and ranges"),
    ],
)
def test_bad_settings_say_what_is_accepted(hours, days, message):
    with pytest.raises(PolicyError, match=message):
        CallingWindow.parse(hours, days)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_next_open_is_open_and_never_earlier(naive):
    moment = naive.replace(tzinfo=UTC)
    window = CallingWindow.parse("07:30-20:30", "mon-fri,sun")
    nxt = window.next_open(moment)
    assert nxt >= moment and window.is_open(nxt)
    assert nxt - moment < timedelta(days=3)


# --- what Asterisk's codes mean (values from the recorded traces) ---------------------------
@pytest.mark.parametrize(
    "reason,cause,outcome,bad",
    [
        (4, 16, "answered", False),
        (5, 17, "busy", False),
        (3, 19, "no_answer", False),
        (8, 34, "congestion", False),
        (0, 21, "failed", True),  # rejected
        (0, 1, "failed", True),  # unallocated
        (0, 22, "failed", True),  # number changed
        (0, 20, "no_answer", False),  # subscriber absent (phone off)
        (0, 44, "congestion", False),
        (1, 16, "failed", False),
        (0, None, "failed", False),
        (None, None, "unknown", False),
    ],
)
def test_reason_and_cause_classify_the_attempt(reason, cause, outcome, bad):
    assert classify(reason, cause) == Outcome(outcome, bad)


def test_the_far_end_s_cause_wins_over_the_local_half_s():
    assert best_cause([17, 0]) == 17  # busy: ;2 says 17, ;1 says 0
    assert best_cause([0, 16]) == 0
    assert best_cause([]) is None


# --- retries ----------------------------------------------------------------------------------
POLICY = Policy()
DIALED = city(*FRI, 10, 0)


@pytest.mark.parametrize(
    "outcome,delay",
    [("busy", 10), ("no_answer", 30), ("congestion", 5), ("failed", 5), ("machine", 60)],
)
def test_retries_are_counted_from_the_dial(outcome, delay):
    nxt = after_attempt(POLICY, Outcome(outcome), 1, DIALED, None)
    assert (nxt.attempt_state, nxt.contact_status) == ("retry_wait", "pending")
    assert nxt.next_attempt_at == DIALED + timedelta(minutes=delay)


def test_a_retry_that_falls_after_hours_moves_to_the_next_window():
    nxt = after_attempt(POLICY, Outcome("no_answer"), 1, city(*FRI, 20, 10), 19)
    assert nxt.next_attempt_at == city(*SAT, 7, 30)


def test_the_last_attempt_exhausts_the_contact():
    nxt = after_attempt(POLICY, Outcome("busy"), 3, DIALED, 17)
    assert (nxt.attempt_state, nxt.contact_status, nxt.next_attempt_at) == (
        "done",
        "exhausted",
        None,
    )
    assert nxt.reason == "3 attempts, last busy"


@pytest.mark.parametrize("cause,text", [(1, "unallocated number"), (21, "call rejected")])
def test_bad_numbers_are_never_retried_and_remembered(cause, text):
    nxt = after_attempt(POLICY, classify(0, cause), 1, DIALED, cause)
    assert (nxt.contact_status, nxt.bad_number) == ("failed", True)
    assert nxt.reason == f"bad number: {text} (cause {cause})"


def test_nothing_is_scheduled_after_the_deadline():
    policy = Policy(deadline=DIALED + timedelta(minutes=20))
    nxt = after_attempt(policy, Outcome("no_answer"), 1, DIALED, 19)
    assert (nxt.contact_status, nxt.next_attempt_at) == ("expired", None)
    assert after_attempt(policy, Outcome("busy"), 1, DIALED, 17).contact_status == "pending"


def test_an_answer_ends_the_contact_s_calls():
    nxt = after_attempt(POLICY, Outcome("answered"), 1, DIALED, 16)
    assert (nxt.attempt_state, nxt.contact_status) == ("done", "answered")


def test_delays_come_from_the_campaign():
    policy = Policy(retries=RetryDelays(busy=timedelta(minutes=2)), max_attempts=5)
    nxt = after_attempt(policy, Outcome("busy"), 4, DIALED, 17)
    assert nxt.next_attempt_at == DIALED + timedelta(minutes=2)


# --- never call ---------------------------------------------------------------------------------
NOW = city(*FRI, 10, 0)


@pytest.mark.parametrize(
    "facts,status",
    [
        (ContactFacts(opted_out=True), "opted_out"),
        (ContactFacts(bad_number=True), "failed"),
        (ContactFacts(declared_for_case=True), "declared"),
    ],
)
def test_some_people_are_never_called(facts, status):
    verdict = eligibility(POLICY, facts, NOW)
    assert (verdict.action, verdict.status) == ("skip", status)


def test_someone_another_campaign_called_waits_out_the_suppression_period():
    called = NOW - timedelta(hours=3)
    verdict = eligibility(POLICY, ContactFacts(last_call_elsewhere=called), NOW)
    assert (verdict.action, verdict.until) == ("defer", city(*SAT, 7, 30))  # 10:00 Sat + window
    later = NOW - timedelta(hours=25)
    assert eligibility(POLICY, ContactFacts(last_call_elsewhere=later), NOW).action == "call"
    short = Policy(suppress=timedelta(hours=2))
    assert eligibility(short, ContactFacts(last_call_elsewhere=called), NOW).action == "call"


def test_someone_on_another_campaign_s_call_right_now_is_not_dialed():
    verdict = eligibility(Policy(suppress=timedelta(0)), ContactFacts(live_elsewhere=True), NOW)
    assert verdict.action == "defer" and verdict.until > NOW


def test_outside_hours_nobody_is_called():
    verdict = eligibility(POLICY, ContactFacts(), city(*FRI, 21, 0))
    assert (verdict.action, verdict.until) == ("defer", city(*SAT, 7, 30))


def test_past_the_deadline_a_contact_expires():
    policy = Policy(deadline=NOW)
    assert eligibility(policy, ContactFacts(), NOW).status == "expired"


# --- pacing ---------------------------------------------------------------------------------------
def take(bucket: TokenBucket, now: float) -> float:
    """What the dialer does: send when the bucket says 0, else wait what it says."""
    wait = bucket.ready_in(now)
    if wait == 0:
        bucket.sent(now)
    return wait


def test_the_token_bucket_spaces_calls_at_the_rate():
    bucket = TokenBucket(5.0, now=0.0)
    assert sum(take(bucket, 0.0) == 0 for _ in range(20)) == 1  # no burst
    assert take(bucket, 0.0) == pytest.approx(0.2)
    taken, t = [0.0], 0.0
    while t < 10.0:  # ask again when the bucket says, as the dialer does
        wait = take(bucket, t)
        if wait == 0:
            taken.append(t)
        t += wait
    assert len(taken) == 51  # 0.0, 0.2, …, 10.0
    assert most_in_any_window(taken, 1.0 - 1e-6) == 5  # a hair under 1 s: float sums


def test_the_window_count_sees_the_densest_second():
    assert most_in_any_window([0.0, 0.5, 0.99, 1.0, 1.2, 5.0], 1.0) == 4


def test_the_pace_counts_from_when_a_call_really_went():
    bucket = TokenBucket(2.0, now=0.0)
    assert bucket.ready_in(0.0) == 0
    bucket.sent(0.9)  # checked at 0.0, but a slow step sent it at 0.9
    assert bucket.ready_in(1.0) == pytest.approx(0.4)  # not before 0.9 + 1/2
    assert bucket.ready_in(1.4) == 0


def test_a_slow_rate_still_lets_one_call_through():
    bucket = TokenBucket(0.5, now=0.0)
    assert take(bucket, 0.0) == 0
    assert take(bucket, 1.0) == pytest.approx(1.0)
    assert take(bucket, 2.0) == 0


# --- the attempt table -------------------------------------------------------------------------
def test_an_attempt_s_whole_life_follows_the_table():
    state = "queued"
    for new in ("dialing", "busy", "retry_wait", "done"):
        state = step(state, new)
    assert step("dialing", "answered") == "answered"
    assert step(step("answered", "machine"), "retry_wait") == "retry_wait"


@pytest.mark.parametrize(
    "current,new",
    [("queued", "answered"), ("done", "dialing"), ("busy", "answered"), ("answered", "busy")],
)
def test_an_illegal_step_names_both_states(current, new):
    with pytest.raises(IllegalStep, match=f"from '{current}' to '{new}'"):
        step(current, new)


@given(st.lists(st.sampled_from(STATES), max_size=12))
def test_any_walk_either_follows_the_table_or_raises(walk):
    state = "queued"
    for new in walk:
        if new == state or new in TRANSITIONS[state]:
            state = step(state, new)
        else:
            with pytest.raises(IllegalStep):
                step(state, new)
    assert state in STATES

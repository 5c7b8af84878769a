"""The people pbxsim dials: reproducible under a seed, in the proportions asked for."""

from __future__ import annotations

from collections import Counter

import pytest
from pbxsim_helpers import FlowAgi, RawAmi, fixture_sim, run, value

from pbxsim.callee import HangUp, Press
from pbxsim.population import Fate, Population, PopulationConfig

NUMBERS = [f"09051{i:05d}" for i in range(3000)]


def fates(seed: int, numbers=NUMBERS) -> list:
    population = Population(PopulationConfig(seed=seed))
    return [population.fate(n) for n in numbers]


def test_the_same_seed_gives_the_same_people_and_another_seed_others():
    assert fates(7) == fates(7)
    assert fates(7) != fates(8)


def test_outcomes_follow_the_configured_rates():
    config = PopulationConfig(seed=3)
    config.set_rate("outcomes", "answer", 0.4)
    population = Population(config)
    counts = Counter(population.fate(n).outcome for n in NUMBERS)
    assert abs(counts["answer"] / len(NUMBERS) - 0.4) < 0.03
    assert abs(sum(config.outcomes.values()) - 1.0) < 1e-9
    assert counts["busy"] > counts["congestion"]  # the others keep their proportions


def test_a_retry_can_fare_differently_but_reproducibly():
    a, b = Population(PopulationConfig(seed=5)), Population(PopulationConfig(seed=5))
    first = [[a.fate("0905123456").outcome for _ in range(20)]]
    assert first == [[b.fate("0905123456").outcome for _ in range(20)]]
    assert len(set(first[0])) > 1


@pytest.mark.parametrize(
    "digit,outcome",
    [
        ("1", "answer"),
        ("2", "busy"),
        ("3", "noanswer"),
        ("4", "congestion"),
        ("5", "answer"),
        ("7", "rejected"),
        ("9", "answer"),
        ("0", "unallocated"),
    ],
)
def test_last_digit_mode_pins_each_fate(digit, outcome):
    population = Population(PopulationConfig(last_digit=True))
    assert population.fate("090512345" + digit).outcome == outcome


def answers(behaviour: str, asks: int = 6) -> list:
    population = Population(PopulationConfig(seed=1))
    callee = population.callee("0905000000", Fate("answer", 1.0, behaviour))
    out = []
    for _ in range(asks):
        act = callee.on_input("digit", "0123456789*#")
        out.append(act.keys if isinstance(act, Press) else type(act).__name__)
        if isinstance(act, HangUp):
            break
    return out


def test_behaviours_press_what_such_a_person_would():
    assert answers("ack") == ["1", "HangUp"]
    assert answers("opt_out") == ["9", "HangUp"]
    assert answers("silent") == ["Silence", "Silence", "Silence", "HangUp"]
    wrong = answers("wrong_keys")
    assert wrong[0] in "345678*" and wrong[1] in "345678*" and wrong[2:] == ["1", "HangUp"]
    assert set(answers("declare", 20)) <= {"1", "2"}
    assert answers("hangup_mid", 10)[-1] == "HangUp" and len(answers("hangup_mid", 10)) <= 4


def test_a_small_campaign_is_the_same_twice_under_one_seed():
    async def question_flow(call):
        await call.cmd("ANSWER")
        for _ in range(3):
            reply = await call.cmd("GET DATA beep 3000 1")
            if reply == "200 result=-1" or call.hung_up:
                return
        await call.cmd("HANGUP")

    async def campaign(seed: int) -> dict:
        agi = FlowAgi(question_flow)
        config = PopulationConfig(seed=seed)
        sim = fixture_sim(await agi.start(), population=config, scale=0.001, channels=100)
        client = await RawAmi.connect(await sim.start(ami_port=0))
        await client.login(events="call")
        for n in NUMBERS[:60]:
            await client.send(
                [
                    ("Action", "Originate"),
                    ("Channel", f"PJSIP/{n}@trunk"),
                    ("Context", "hotline-outbound"),
                    ("Exten", "s"),
                    ("Async", "true"),
                    ("ChannelId", n),
                    ("ActionID", n),
                ]
            )
        outcome = {}
        while len(outcome) < 60:
            msg = await client.read()
            if value(msg, "Event") == "OriginateResponse":
                outcome[value(msg, "ActionID")] = value(msg, "Reason")
        await sim.idle()
        await client.close()
        await sim.close()
        agi.close()
        return outcome

    first, again = run(campaign(11)), run(campaign(11))
    assert first == again
    reasons = Counter(first.values())
    assert reasons["4"] > reasons["5"] > 0  # mostly answered, some busy
    assert set(reasons) <= {"0", "3", "4", "5", "8"}

# Who answers the phone. Rules: a number's fate is drawn from random.Random seeded by
# (seed, number, how many times it was dialed before), so a run is reproducible under a
# seed and a retry may fare differently; rates are weights (normalised); in last-digit
# mode the fate is pinned by the number's last digit exactly as the recorded test
# dialplan's [fake-pstn] does, so tests can ask for an exact outcome. Pure.
"""Outcomes and behaviours of the people pbxsim dials."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from pbxsim.callee import HANGUP, Callee, key_script

# outcome -> (Q.850 cause of the far end, OriginateResponse Reason)
OUTCOMES = {
    "answer": (16, 4),
    "busy": (17, 5),
    "noanswer": (19, 3),
    "congestion": (34, 8),
    "rejected": (21, 0),
    "unallocated": (1, 0),
}

WRONG_KEYS = "345678*"


@dataclass(frozen=True)
class Fate:
    outcome: str
    ring: float = 0.0  # seconds of ringing before the outcome
    behaviour: str = "declare"
    hangup_at: float | None = None  # seconds after answer the callee hangs up anyway
    keys: tuple[str, ...] | None = None  # a fixed script instead of the behaviour's
    timed: tuple[tuple[float, str], ...] = ()  # keys pressed at fixed times after answer


@dataclass
class PopulationConfig:
    seed: int = 1022
    outcomes: dict[str, float] = field(
        default_factory=lambda: {
            "answer": 0.7,
            "busy": 0.1,
            "noanswer": 0.1,
            "congestion": 0.05,
            "unallocated": 0.05,
        }
    )
    behaviours: dict[str, float] = field(
        default_factory=lambda: {
            "declare": 0.45,
            "machine": 0.05,
            "ack": 0.2,
            "hangup_mid": 0.1,
            "opt_out": 0.05,
            "silent": 0.1,
            "wrong_keys": 0.05,
        }
    )
    ring: tuple[float, float] = (2.0, 12.0)
    answer_keys: str = "12"
    think: float = 1.5
    last_digit: bool = False

    def set_rate(self, table: str, name: str, rate: float) -> None:
        """Give `name` the share `rate` and scale the others to fill the rest."""
        weights = getattr(self, table)
        others = sum(w for k, w in weights.items() if k != name) or 1.0
        for k in weights:
            weights[k] = rate if k == name else weights[k] / others * (1.0 - rate)
        weights.setdefault(name, rate)


# An answering machine plays its greeting and records until it hangs up; AMD() tells it
# from a person in this many seconds after the answer (from the recorded AMD calls).
MACHINE_HANGUP = 20.0
AMD_SECONDS = {"MACHINE": 2.6, "HUMAN": 3.15}
AMD_CAUSE = {"MACHINE": "LONGGREETING-2500-1500", "HUMAN": "HUMAN-300-1500"}

# last digit -> Fate, mirroring fixtures/asterisk/extensions.conf [fake-pstn]: times are
# the dialplan's Wait()s, counted from the answer (when the AGI starts).
LAST_DIGIT = {
    "1": Fate("answer", 2.0, "silent", hangup_at=13.0, timed=((3.0, "1"),)),
    "2": Fate("busy"),
    "3": Fate("noanswer"),
    "4": Fate("congestion"),
    "5": Fate("answer", 0.0, "silent", hangup_at=0.5),
    "6": Fate("answer", 0.0, "machine", hangup_at=MACHINE_HANGUP),  # greeting, then Wait(5)
    "7": Fate("rejected"),
    "8": Fate("answer", 0.0, "silent", hangup_at=9.25),  # a human for AMD: hello, silence
    "9": Fate("answer", 1.0, "silent", hangup_at=11.0, timed=((1.0, "2"),)),
    "0": Fate("unallocated"),
}

# Exten in context [caller] -> the scripted inbound caller of the recorded test dialplan.
CALLER_SCENARIOS = {
    "full": Fate(
        "answer",
        0,
        "silent",
        hangup_at=12.4,
        timed=((2.0, "5"), (4.0, "1"), (6.0, "123#"), (8.4, "#")),
    ),
    "hangup-wait": Fate("answer", 0, "silent", hangup_at=3.0),
    "exit-on-hangup": Fate("answer", 0, "silent", hangup_at=3.0),
    "silent": Fate("answer", 0, "silent", hangup_at=60.0),
    "hangup-record": Fate("answer", 0, "silent", hangup_at=2.4),
    "hangup-getdata": Fate("answer", 0, "silent", hangup_at=2.5, timed=((1.5, "7"),)),
    "clean-close": Fate("answer", 0, "silent", hangup_at=10.0),
    "agi-hangup": Fate("answer", 0, "silent", hangup_at=61.0, timed=((1.0, "9"),)),
}


class Population:
    def __init__(self, config: PopulationConfig | None = None) -> None:
        self.config = config or PopulationConfig()
        self._dialed: Counter[str] = Counter()

    def _rng(self, number: str) -> random.Random:
        n = self._dialed[number]
        self._dialed[number] += 1
        return random.Random(f"{self.config.seed}:{number}:{n}")

    def fate(self, number: str) -> Fate:
        rng = self._rng(number)
        if self.config.last_digit and number[-1:] in LAST_DIGIT:
            return LAST_DIGIT[number[-1]]
        outcome = _pick(rng, self.config.outcomes)
        behaviour = _pick(rng, self.config.behaviours)
        ring = rng.uniform(*self.config.ring) if outcome == "answer" else 0.0
        hangup_at = MACHINE_HANGUP if behaviour == "machine" else None
        return Fate(outcome, ring, behaviour, hangup_at)

    def callee(self, number: str, fate: Fate) -> Callee:
        """The person behind an answered number, with their own reproducible randomness."""
        rng = random.Random(f"{self.config.seed}:{number}:callee")
        think = self.config.think
        if fate.timed or fate.hangup_at is not None and fate.behaviour in ("silent", "machine"):
            return Callee(
                key_script([]),
                think=think,
                hangup_at=fate.hangup_at,
                end="silent",
                patience=10**9,
                timed=list(fate.timed),
            )
        if fate.keys is not None:
            end = "silent" if fate.behaviour == "silent" else "hangup"
            return Callee(
                key_script(list(fate.keys)), think=think, hangup_at=fate.hangup_at, end=end
            )
        script, end = _behaviour_script(fate.behaviour, rng, self.config.answer_keys)
        return Callee(
            script,
            think=think * rng.uniform(0.5, 1.5),
            hangup_at=fate.hangup_at,
            end=end,
            patience=3,
        )


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    names = [k for k, w in weights.items() if w > 0]
    return rng.choices(names, [weights[k] for k in names])[0]


def _behaviour_script(behaviour: str, rng: random.Random, answer_keys: str):
    """(script, end) for a behaviour; scripts are closures over the callee's rng."""
    if behaviour == "ack":
        return key_script(["1"]), "hangup"
    if behaviour == "opt_out":
        return key_script(["9"]), "hangup"
    if behaviour == "silent":
        return key_script([]), "silent"
    if behaviour == "wrong_keys":
        wrong = [rng.choice(WRONG_KEYS), rng.choice(WRONG_KEYS), "1"]
        return key_script(wrong), "hangup"
    budget = {"n": rng.randint(1, 3) if behaviour == "hangup_mid" else 60}

    def answer(kind: str, escape: str) -> str | None:
        budget["n"] -= 1
        if budget["n"] < 0:
            return HANGUP if behaviour == "hangup_mid" else None
        if kind == "record":
            return "#"
        keys = [k for k in answer_keys if not escape or k in escape] or list(answer_keys)
        return rng.choice(keys)

    return answer, "hangup"

"""Phone numbers as supervisors' files write them -> E.164 by the numbering plan, or a reason."""

import random
import re

import phonenumbers
import pytest

from store.phones import (
    OLD_MOBILE_PREFIXES,
    PhoneError,
    in_known_block,
    national_form,
    normalize_phone,
)

MOBILE_PREFIXES = [f"0{first}{second}" for first in "35789" for second in "0123456789"]


@pytest.mark.parametrize(
    "raw",
    [
        "0905123456",
        "+84905123456",
        "84905123456",
        "0084905123456",
        "0905 123 456",
        "0905.123.456",
        "0905-123-456",
        "(0905) 123456",
        " 0905123456 ",
        "+84 905 123 456",
        "+84 (0) 905 123 456",
        "840905123456",
        "0084 0905 123 456",
    ],
)
def test_every_spelling_of_a_mobile_gives_one_e164(raw):
    assert normalize_phone(raw) == "+84905123456"


@pytest.mark.parametrize("prefix", MOBILE_PREFIXES)
def test_every_mobile_prefix_of_the_plan_is_accepted_in_every_form(prefix):
    national = prefix[1:] + "1234567"
    for raw in (prefix + "1234567", "+84" + national, "84" + national, "0084" + national):
        assert normalize_phone(raw) == "+84" + national


@pytest.mark.parametrize(
    "raw,e164",
    [
        ("0892 116 789", "+84892116789"),
        ("0893 473 696", "+84893473696"),
        ("84895434342", "+84895434342"),
        ("0890355619", "+84890355619"),
        ("0992123456", "+84992123456"),
    ],
)
def test_numbers_in_blocks_missing_from_phonenumbers_are_accepted(raw, e164):
    """A check-in system verified these when people signed up; rejecting one leaves a
    person unwarned. They are flagged as outside the known blocks, not refused."""
    assert normalize_phone(raw) == e164
    assert not in_known_block(e164)


@pytest.mark.parametrize("e164", ["+84905123456", "+84896123456", "+84997123456", "+842363822123"])
def test_numbers_in_allocated_blocks_are_known(e164):
    assert in_known_block(e164)


@pytest.mark.parametrize("old,new", sorted(OLD_MOBILE_PREFIXES.items()))
def test_old_eleven_digit_mobiles_are_converted(old, new):
    assert normalize_phone(f"0{old}1234567") == f"+84{new}1234567"
    assert normalize_phone(f"+84{old}1234567") == f"+84{new}1234567"
    assert normalize_phone(f"84{old}1234567") == f"+84{new}1234567"
    assert normalize_phone(f"0{old} 123 4567") == f"+84{new}1234567"


@pytest.mark.parametrize(
    "raw,e164",
    [
        ("0236 3822 123", "+842363822123"),  # Da Nang
        ("0511 3822123", "+842363822123"),  # Da Nang before 2017
        ("024 3825 1234", "+842438251234"),  # Hanoi: two-digit area code, 8-digit number
        ("028 3829 1234", "+842838291234"),  # Ho Chi Minh City
        ("+84 236 3822 123", "+842363822123"),
        ("0203 3825 123", "+842033825123"),  # Quang Ninh
    ],
)
def test_landlines_have_a_02x_area_code(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("", "empty phone number"),
        ("  ", "empty phone number"),
        ("12345", "no trunk prefix 0 or country code 84"),
        ("905123456", "no trunk prefix 0 or country code 84"),
        ("+1 415 555 0100", "not a Vietnamese number"),
        ("001 415 555 0100", "not a Vietnamese number"),
        ("0905-ABC-123", "characters other than digits"),
        ("０９０５１２３４５６", "characters other than digits"),
        ("0", "no digits after its prefix"),
        ("+84", "no digits after its prefix"),
        ("099999999999", "a mobile number has 10 digits with its leading 0, this one 12"),
        ("090512345", "a mobile number has 10 digits with its leading 0, this one 9"),
        ("0236 3822 12", "a landline number has 11 digits with its leading 0, this one 10"),
        ("0438251234", "04… is no mobile or landline prefix"),
        ("0612345678", "06… is no mobile or landline prefix"),
        ("0123456789", "01… is no mobile or landline prefix"),
        ("01901234567", "unknown old 11-digit mobile prefix"),
        ("18001234", "no trunk prefix"),
    ],
)
def test_what_cannot_be_a_vietnamese_number_is_refused_with_a_reason(raw, reason):
    with pytest.raises(PhoneError, match=reason):
        normalize_phone(raw)


def test_the_plan_decides_alone_whatever_phonenumbers_knows():
    """Every 10-digit number starting 03, 05, 07, 08, 09 is accepted, allocated or not."""
    rng = random.Random(10)
    for _ in range(5_000):
        national = rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(8))
        assert normalize_phone("0" + national) == "+84" + national


def test_national_form_is_what_a_trunk_dials():
    assert national_form("+84905123456") == "0905123456"


def test_cached_block_verdict_agrees_with_phonenumbers_on_every_kind_of_number():
    """The importer trusts a verdict cached on a few leading digits; a phonenumbers upgrade
    that reads more of Vietnam's numbers than that must fail here, not miscount imports."""
    from store.phones import _valid, _valid_exact, _verdict_prefix

    rng = random.Random(84)
    for _ in range(20_000):
        length = rng.choice([7, 8, 9, 10])
        national = "".join(rng.choice("0123456789") for _ in range(length))
        assert _valid(_verdict_prefix(national), length) == _valid_exact(national), national
        assert _valid_exact(national) == _parsed_and_valid("+84" + national), national


def _parsed_and_valid(e164: str) -> bool:
    """phonenumbers' own verdict, from the text (what _valid_exact skips when it can)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def test_the_renumbering_table_in_the_docs_is_the_one_the_code_uses():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "vietnamese.md"
    pairs = re.findall(r"\b0(1\d\d) → 0(\d\d)\b", doc.read_text(encoding="utf-8"))
    assert dict(pairs) == OLD_MOBILE_PREFIXES and len(pairs) == len(OLD_MOBILE_PREFIXES)

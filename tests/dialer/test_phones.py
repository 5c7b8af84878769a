"""Phone numbers as supervisors' files write them -> E.164, or a reason."""

import pytest

from store.phones import OLD_MOBILE_PREFIXES, PhoneError, national_form, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0905123456",
        "+84905123456",
        "84905123456",
        "0905 123 456",
        "0905.123.456",
        "0905-123-456",
        "(0905) 123456",
        " 0905123456 ",
        "0084905123456",
    ],
)
def test_every_spelling_of_a_mobile_gives_one_e164(raw):
    assert normalize_phone(raw) == "+84905123456"


@pytest.mark.parametrize("old,new", sorted(OLD_MOBILE_PREFIXES.items()))
def test_old_eleven_digit_mobiles_are_converted(old, new):
    assert normalize_phone(f"0{old}1234567") == f"+84{new}1234567"
    assert normalize_phone(f"+84{old}1234567") == f"+84{new}1234567"


def test_da_nang_landlines_old_and_new_area_code():
    assert normalize_phone("0236 3822 123") == "+842363822123"
    assert normalize_phone("0511 3822123") == "+842363822123"


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("", "empty phone number"),
        ("12345", "no trunk prefix"),
        ("+1 415 555 0100", "not a Vietnamese number"),
        ("0905-ABC-123", "characters other than digits"),
        ("099999999999", "not a valid Vietnamese phone number"),
        ("0890355619", "not a valid Vietnamese phone number"),
        ("01901234567", "unknown old 11-digit mobile prefix"),
    ],
)
def test_unreadable_numbers_are_refused_with_a_reason(raw, reason):
    with pytest.raises(PhoneError, match=reason):
        normalize_phone(raw)


def test_national_form_is_what_a_trunk_dials():
    assert national_form("+84905123456") == "0905123456"


def test_cached_verdict_agrees_with_phonenumbers_on_every_kind_of_number():
    """The importer trusts a verdict cached on a few leading digits; a phonenumbers upgrade
    that reads more of Vietnam's numbers than that must fail here, not corrupt imports."""
    import random

    from store.phones import _valid, _valid_exact, _verdict_prefix

    rng = random.Random(84)
    for _ in range(20_000):
        length = rng.choice([7, 8, 9, 10])
        national = "".join(rng.choice("0123456789") for _ in range(length))
        assert _valid(_verdict_prefix(national), length) == _valid_exact(national), national

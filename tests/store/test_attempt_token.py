"""The dialer's HOTLINE_ATTEMPT token: only the holder of the secret makes one that checks out."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.attempt_token import make_token, parse_token, read_token, tag_matches

SECRET = b"token-test-secret-0123456789abcdef"
CHANNELS = {41: "hotline-41", 42: "hotline-42"}


def test_a_token_is_the_id_a_dot_and_64_hex_digits_safe_for_ami_variables():
    token = make_token(SECRET, 41, "hotline-41")
    attempt, tag = token.split(".")
    assert attempt == "41" and len(tag) == 64 and set(tag) <= set("0123456789abcdef")
    assert "," not in token and "=" not in token
    assert read_token(SECRET, token, CHANNELS.get) == 41


def test_the_tag_binds_the_secret_the_attempt_and_its_channel():
    token = make_token(SECRET, 41, "hotline-41")
    _, tag = parse_token(token)
    assert not tag_matches(b"another-secret-0123456789abcdef", 41, "hotline-41", tag)
    assert not tag_matches(SECRET, 42, "hotline-41", tag)
    assert not tag_matches(SECRET, 41, "hotline-41-other", tag)
    assert not tag_matches(None, 41, "hotline-41", tag)


def test_forged_tokens_read_as_none():
    forty_two = make_token(SECRET, 42, "hotline-42")
    other_tag = forty_two.split(".")[1]
    assert read_token(SECRET, f"41.{other_tag}", CHANNELS.get) is None  # 42's tag on 41
    assert read_token(SECRET, make_token(SECRET, 7, "hotline-7"), CHANNELS.get) is None
    assert read_token(SECRET, "41", CHANNELS.get) is None  # the old, unsigned form
    assert read_token(b"", forty_two, CHANNELS.get) is None


@pytest.mark.parametrize(
    "text",
    ["", "41", "41.", ".ab", "041." + "a" * 64, "41." + "A" * 64, "41." + "a" * 63,
     "41." + "a" * 64 + "\n", "1" * 19 + "." + "a" * 64, "-1." + "a" * 64, "41,x." + "a" * 64],
)  # fmt: skip
def test_only_the_exact_shape_parses(text):
    assert parse_token(text) is None


@given(st.text(max_size=120))
def test_parsing_any_text_returns_none_or_an_id_and_tag(text):
    parsed = parse_token(text)
    assert parsed is None or (parsed[0] > 0 and len(parsed[1]) == 64)


def test_no_secret_no_token():
    with pytest.raises(ValueError, match="HOTLINE_SECRET"):
        make_token(b"", 41, "hotline-41")

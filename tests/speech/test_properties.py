"""Properties over the whole range: catalog ids only, grammar holds, words parse back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ivr.catalog import load_catalog
from ivr.speech import MAX_NUMBER, number_prompts

numbers = st.one_of(
    st.integers(0, MAX_NUMBER),
    st.integers(0, 1100),
    # sparse numbers: many zero groups and zero tens, where the rules bite
    st.lists(
        st.sampled_from([0, 0, 1, 5, 10, 11, 15, 21, 25, 100, 101, 105, 111, 115, 999]),
        min_size=4,
        max_size=4,
    ).map(lambda g: g[0] * 10**9 + g[1] * 10**6 + g[2] * 10**3 + g[3]),
)

VI_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
VI_DIGITS = {word: value for value, word in enumerate(VI_WORDS)}
VI_SCALES = {"nghìn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def parse_vi(text: str) -> int:
    """A strict reader of Vietnamese cardinals; it rejects mốt/lăm/linh out of place."""
    total = group = 0
    pending: int | None = None
    prev = ""
    for word in text.split():
        if word in VI_DIGITS:
            assert pending is None, text
            assert not (prev == "mươi" and word == "một"), f"một after mươi: {text}"
            assert not (prev in ("mười", "mươi") and word == "năm"), f"năm after mười: {text}"
            assert prev != "linh" or VI_DIGITS[word] > 0, text
            pending = VI_DIGITS[word]
        elif word == "mốt":
            assert prev == "mươi", f"mốt after {prev!r}: {text}"
            pending = 1
        elif word == "lăm":
            assert prev in ("mười", "mươi"), f"lăm after {prev!r}: {text}"
            pending = 5
        elif word == "mười":
            group += 10
        elif word in ("mươi", "trăm"):
            assert pending is not None, text
            group += pending * (10 if word == "mươi" else 100)
            pending = None
        elif word == "linh":
            assert prev == "trăm", f"linh after {prev!r}: {text}"
        else:
            scale = VI_SCALES[word]
            total += (group + (pending or 0)) * scale
            group, pending = 0, None
        prev = word
    assert prev != "linh", text
    return total + group + (pending or 0)


EN_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen"]  # fmt: skip
EN_SMALL = {word: value for value, word in enumerate(EN_WORDS)}
EN_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
EN_TENS = {word: 20 + 10 * i for i, word in enumerate(EN_TENS_WORDS)}
EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def parse_en(text: str) -> int:
    total = group = 0
    for word in text.split():
        if word in EN_SMALL:
            group += EN_SMALL[word]
        elif word in EN_TENS:
            group += EN_TENS[word]
        elif word == "hundred":
            group *= 100
        elif word in EN_SCALES:
            total += group * EN_SCALES[word]
            group = 0
        else:
            assert word == "and", text
    return total + group


def groups(n: int) -> list[int]:
    return [n // 10**9 % 1000, n // 10**6 % 1000, n // 10**3 % 1000, n % 1000]


@given(numbers)
def test_vietnamese_words_parse_back(n):
    assert parse_vi(load_catalog().render(number_prompts(n, "vi"), "vi")) == n


@given(numbers)
def test_english_words_parse_back(n):
    assert parse_en(load_catalog().render(number_prompts(n, "en"), "en")) == n


@given(numbers)
def test_a_group_after_a_larger_one_keeps_its_hundreds(n):
    nonzero = [g for g in groups(n) if g]
    # Every nonzero group says trăm, except a leading group below 100 (21 000: hai mươi mốt nghìn).
    expected = sum(1 for i, g in enumerate(nonzero) if i > 0 or g >= 100)
    words = load_catalog().render(number_prompts(n, "vi"), "vi").split()
    assert words.count("trăm") == expected


@given(numbers, st.sampled_from(["vi", "en"]))
def test_only_catalog_ids_and_never_empty(n, lang):
    prompts = number_prompts(n, lang)
    assert prompts
    catalog = load_catalog()
    assert all(catalog.has(pid, "vi") and catalog.has(pid, "en") for pid in prompts)


@given(numbers)
def test_mot_only_after_muoi(n):
    prompts = number_prompts(n, "vi")
    for before, pid in zip(prompts, prompts[1:], strict=False):
        if pid == "num-1-mot":
            assert before == "word-muoi"
        if before == "num-10":
            assert pid != "num-1-mot"
        if pid == "num-5-lam":
            assert before in ("num-10", "word-muoi")

"""The catalog covers every prompt speech.py can emit, in both languages, and refuses bad files."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from ivr.catalog import CatalogError, load_catalog
from ivr.speech import date_prompts, digits_prompts, number_prompts, time_prompts

LANGS = ("vi", "en")


def emitted_ids() -> set[str]:
    """Every id from a wide walk: numbers, every day of a leap year, every minute, all digits."""
    numbers = [*range(2000), *(10**k + d for k in range(3, 12) for d in (0, 1, 5, 15, 21, 105))]
    numbers += [999_999_999_999, 21_021_021_021, 105_105_105_105]
    ids: set[str] = set()
    for lang in LANGS:
        for n in numbers:
            ids.update(number_prompts(n, lang))
        day = dt.date(2024, 1, 1)
        while day.year == 2024:
            ids.update(date_prompts(day, lang))
            day += dt.timedelta(days=1)
        for year in (1, 999, 1900, 1905, 1999, 2000, 2005, 2010, 2021, 9999):
            ids.update(date_prompts(dt.date(year, 4, 1), lang))
        for minute in range(24 * 60):
            ids.update(time_prompts(dt.time(*divmod(minute, 60)), lang))
        ids.update(digits_prompts("0123456789" * 2, lang))
    return ids


def test_every_emitted_id_is_in_the_catalog_in_both_languages():
    catalog = load_catalog()
    missing = sorted(
        f"{pid} ({lang})" for pid in emitted_ids() for lang in LANGS if not catalog.has(pid, lang)
    )
    assert missing == []


def test_walk_reaches_the_special_words():
    ids = emitted_ids()
    for pid in ("num-1-mot", "num-5-lam", "word-muoi", "word-linh", "word-billion", "month-4",
                "ordinal-31", "word-and", "word-oh", "am", "pm", "pause"):  # fmt: skip
        assert pid in ids


def test_ids_are_file_stems_and_text_is_nfc():
    catalog = load_catalog()
    assert set(catalog.langs) == set(LANGS)
    for pid in catalog.ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid), pid
        for lang in LANGS:
            text = catalog.text(pid, lang)
            assert text and unicodedata.is_normalized("NFC", text), pid


def test_the_ivr_prompts_are_there():
    catalog = load_catalog()
    ivr = ("welcome", "language-choice", "main-menu", "menu-footer", "invalid-key", "no-input",
           "error-apology", "transfer-operator", "goodbye", "thank-you", "ticket-number-is",
           "confirmation-code-is", "notice-intro", "notice-opt-out-hint", "declaration-q-fever",
           "declaration-q-cough", "declaration-q-breathing")  # fmt: skip
    for pid in ivr:
        assert catalog.has(pid, "vi") and catalog.has(pid, "en"), pid


def test_vocabulary_words():
    catalog = load_catalog()
    assert catalog.text("num-1-mot", "vi") == "mốt"
    assert catalog.text("num-5-lam", "vi") == "lăm"
    assert catalog.text("month-4", "vi") == "tháng tư"
    assert catalog.text("word-billion", "vi") == "tỷ"


def test_missing_text_is_a_key_error():
    with pytest.raises(KeyError, match="no-such-prompt"):
        load_catalog().text("no-such-prompt", "vi")
    assert not load_catalog().has("no-such-prompt", "vi")


def test_a_lagging_translation_loads_and_shows_as_missing(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text('welcome = { vi = "Xin chào" }\n', encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.has("welcome", "vi") and not catalog.has("welcome", "en")
    with pytest.raises(KeyError, match="'welcome' has no 'en' text"):
        catalog.text("welcome", "en")


def test_decomposed_text_is_normalised(tmp_path):
    path = tmp_path / "catalog.toml"
    decomposed = unicodedata.normalize("NFD", "mốt")
    path.write_text(f'num-1-mot = {{ vi = "{decomposed}", en = "one" }}\n', encoding="utf-8")
    assert load_catalog(path).text("num-1-mot", "vi") == unicodedata.normalize("NFC", "mốt")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('welcome = { vi = "" }\n', "prompt 'welcome': 'vi' text must be non-empty text"),
        ('welcome = { note = "x" }\n', "prompt 'welcome': no text; give at least vi or en"),
        ('Welcome = { vi = "a", en = "b" }\n', "prompt 'Welcome': an id is a file name stem"),
        ('welcome = { vi = "a", en = "b", fr = "c" }\n', "prompt 'welcome': unknown field 'fr'"),
        ('welcome = "hello"\n', "prompt 'welcome': expected a table"),
        ("welcome = {\n", "not valid TOML"),
    ],
)
def test_bad_catalog_names_file_and_id(tmp_path, content, message):
    path = tmp_path / "catalog.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)

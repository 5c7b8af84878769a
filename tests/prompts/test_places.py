"""Place names as prompts: loc-<code>, built by `prompts build --locations` and for new places
by `locations import`, and Location.prompt_id set once the files exist."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hotline_cli import hotline, ready_db, write
from sound_files import needs_speech_tools, wav_shape

from prompts.places import place_prompt_id
from store.models import Location


@pytest.mark.parametrize(
    "code,prompt_id",
    [
        ("DN-0001", "loc-dn-0001"),
        ("hc12", "loc-hc12"),
        ("Chợ Hàn #2", "loc-cho-han-2-31cd8e"),  # lossy: a hash keeps it apart
        ("dn_0001", "loc-dn-0001-04dc9b"),  # never the same file as DN-0001
    ],
)
def test_prompt_id_is_a_file_name_stem(code, prompt_id):
    assert place_prompt_id(code) == prompt_id


def prompt_ids(url: str) -> dict[str, str | None]:
    with sa.create_engine(url).connect() as conn:
        return dict(conn.execute(sa.select(Location.code, Location.prompt_id)).all())


def test_without_espeak_an_import_still_succeeds_and_says_how_to_build_later(
    sqlite_url, tmp_path, monkeypatch
):
    (tmp_path / "sounds").mkdir()
    monkeypatch.setenv("HOTLINE_SOUNDS_DIR", str(tmp_path / "sounds"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert hotline(sqlite_url, "db", "init").exit_code == 0
    result = hotline(sqlite_url, "locations", "import",
                     str(write(tmp_path, "l.csv", "code,name\nDN-0001,Chợ Hàn\n")))  # fmt: skip
    assert result.output == (
        "imported 1, skipped 0 duplicates, rejected 0\n"
        "note: 1 place(s) have no spoken name yet (espeak-ng and ffmpeg not installed); "
        "later run: hotline prompts build --locations\n"
    )
    assert result.exit_code == 0
    assert prompt_ids(sqlite_url) == {"DN-0001": None}


@needs_speech_tools
def test_locations_import_names_new_places_when_the_sounds_folder_is_there(
    sqlite_url, tmp_path, monkeypatch
):
    sounds = tmp_path / "sounds"
    sounds.mkdir()
    monkeypatch.setenv("HOTLINE_SOUNDS_DIR", str(sounds))
    ready_db(sqlite_url, tmp_path)  # DN-0001..DN-0005
    assert prompt_ids(sqlite_url) == {f"DN-000{i}": f"loc-dn-000{i}" for i in range(1, 6)}
    for lang in ("vi", "en"):
        assert wav_shape(sounds / lang / "loc-dn-0003.wav") == (8000, 1, 16)
    before = (sounds / "vi" / "loc-dn-0001.wav").stat().st_mtime_ns
    csv = write(tmp_path, "more.csv", "code,name\nDN-0001,Chợ số 1\nDN-0100,Bến xe\nDN-0101,\n")
    result = hotline(sqlite_url, "locations", "import", str(csv))
    assert result.output == (
        "imported 3, skipped 0 duplicates, rejected 0\n"
        f"spoken names: 1 new place(s) built in {sounds}\n"
    )
    assert (sounds / "vi" / "loc-dn-0001.wav").stat().st_mtime_ns == before
    ids = prompt_ids(sqlite_url)
    assert (ids["DN-0100"], ids["DN-0101"]) == ("loc-dn-0100", None)  # no name, nothing to say


@needs_speech_tools
def test_prompts_build_locations_rebuilds_a_renamed_place(sqlite_url, tmp_path):
    sounds = tmp_path / "sounds"
    catalog = write(tmp_path, "catalog.toml", 'welcome = { vi = "Xin chào", en = "Welcome" }\n')
    ready_db(sqlite_url, tmp_path)  # the tests' sounds folder does not exist: nothing built
    build = ["prompts", "build", "--locations", "--sounds-dir", str(sounds),
             "--catalog", str(catalog)]  # fmt: skip
    result = hotline(sqlite_url, *build)
    assert result.output == (
        "built 2 prompts (en 1, vi 1), 0 unchanged, 0 studio recordings kept\n"
        "place names: built 10 prompts (en 5, vi 5), 0 unchanged, 0 studio recordings kept; "
        "5 places have their prompt\n"
    )
    hotline(sqlite_url, "locations", "import",
            str(write(tmp_path, "l.csv", "code,name\nDN-0002,Chợ Cồn\n")))  # fmt: skip
    result = hotline(sqlite_url, *build)
    assert result.output.splitlines()[1] == (
        "place names: built 2 prompts (en 1, vi 1), 8 unchanged, 0 studio recordings kept; "
        "5 places have their prompt"
    )


@needs_speech_tools
def test_a_place_gets_its_prompt_id_only_once_every_language_has_the_file(sqlite_url, tmp_path):
    sounds = tmp_path / "sounds"
    catalog = write(tmp_path, "catalog.toml", 'welcome = { vi = "Xin chào", en = "Welcome" }\n')
    ready_db(sqlite_url, tmp_path)
    build = ["prompts", "build", "--locations", "--sounds-dir", str(sounds),
             "--catalog", str(catalog)]  # fmt: skip
    assert hotline(sqlite_url, *build, "--lang", "vi").output.endswith(
        "0 places have their prompt\n"
    )
    assert set(prompt_ids(sqlite_url).values()) == {None}
    assert hotline(sqlite_url, *build, "--lang", "en").output.endswith(
        "5 places have their prompt\n"
    )
    assert prompt_ids(sqlite_url)["DN-0001"] == "loc-dn-0001"

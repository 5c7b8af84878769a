"""`hotline locations|checkins import`: exact summaries, rejects, and one-line errors."""

import csv
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from hotline_cli import hotline, ready_db, write

from dialer import bulk
from dialer.checkins import import_checkins
from store.db import make_engine
from store.models import CheckIn, ImportBatch

GOOD = (
    "phone,location_code,checked_in_at,checked_out_at,source\n"
    "0905123456,DN-0001,2021-10-07 09:00,2021-10-07 09:30,qr\n"
    "+84 912 345 678,DN-0002,2021-10-07T02:00:00Z,,checkpoint\n"
    "01223456789,DN-0003,07/10/2021 10:15,,\n"
)


def checkins(url):
    """(phone, source) of every check-in, by place then time (ids are not in file order:
    PostgreSQL's import merges two sets of places at once)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(CheckIn.phone, CheckIn.source).order_by(
                CheckIn.location_id, CheckIn.checked_in_at
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_import_then_again_adds_nothing(database_url, tmp_path):
    ready_db(database_url, tmp_path)
    path = write(tmp_path, "c.csv", GOOD)
    first = hotline(database_url, "checkins", "import", str(path))
    assert (first.exit_code, first.output) == (0, "imported 3, skipped 0 duplicates, rejected 0\n")
    again = hotline(database_url, "checkins", "import", str(path))
    assert again.output == "imported 0, skipped 3 duplicates, rejected 0\n"
    assert checkins(database_url) == [
        ("+84905123456", "qr"),
        ("+84912345678", "checkpoint"),
        ("+84773456789", "qr"),
    ]


def test_bad_rows_go_to_rejects_with_line_numbers_and_good_rows_go_in(database_url, tmp_path):
    ready_db(database_url, tmp_path)
    text = GOOD + (
        "12345,DN-0001,2021-10-07 09:00,,\n"
        "0905123456,NOPE,2021-10-07 09:00,,\n"
        "0905123456,DN-0001,hôm qua,,\n"
        "0905123456,DN-0001,2021-10-07 09:00,2021-10-07 08:00,\n"
        ",DN-0001,2021-10-07 09:00,,\n"
        "0905123456,DN-0001\n"
        '=HYPERLINK("x"),DN-0001,2021-10-07 09:00,,\n'
        "0905123456,DN-0004,2021-10-07 12:00,,\n"
    )
    path = write(tmp_path, "c.csv", text)
    result = hotline(database_url, "checkins", "import", str(path))
    rejects = tmp_path / "c.csv.rejects.csv"
    assert result.exit_code == 0
    assert result.output == f"imported 4, skipped 0 duplicates, rejected 7 (see {rejects})\n"
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [
        "line",
        "reason",
        "phone",
        "location_code",
        "checked_in_at",
        "checked_out_at",
        "source",
    ]
    expected = [
        ("5", "'12345' has no trunk prefix 0 or country code 84"),
        ("6", "unknown location code 'NOPE'; import it with: hotline locations import"),
        ("7", "cannot read time 'hôm qua'; use ISO 8601"),
        ("8", "checked_out_at is before checked_in_at"),
        ("9", "missing phone"),
        ("10", "has 2 fields, header has 5"),
        ("11", "phone number '=HYPERLINK(\"x\")' has characters other than digits"),
    ]
    assert len(rows) == len(expected) + 1
    for row, (line, reason) in zip(rows[1:], expected, strict=True):
        assert row[0] == line and row[1].startswith(reason), row
    assert rows[7][2] == '\'=HYPERLINK("x")'  # never a live formula in Excel


def test_numbers_outside_known_blocks_go_in_and_are_counted(database_url, tmp_path):
    """The numbering plan decides; numbers phonenumbers does not list as allocated (089x,
    0992) are imported, and the summary counts each such number once, good rows only."""
    ready_db(database_url, tmp_path)
    text = (
        "phone,location_code,checked_in_at\n"
        "0892 116 789,DN-0001,2021-10-07 09:00\n"
        "0893473696,DN-0002,2021-10-07 09:00\n"
        "84895434342,DN-0003,2021-10-07 09:00\n"
        "+84 892 116 789,DN-0004,2021-10-07 09:00\n"  # the first number again
        "0992123456,NOPE,2021-10-07 09:00\n"  # refused for its place: not counted
        "0905123456,DN-0005,2021-10-07 09:00\n"
        "0438251234,DN-0005,2021-10-07 09:00\n"
    )
    path = write(tmp_path, "c.csv", text)
    result = hotline(database_url, "checkins", "import", str(path))
    assert result.output == (
        f"imported 5, skipped 0 duplicates, rejected 2 (see {path}.rejects.csv); "
        "3 outside known number blocks; they will be dialed\n"
    )
    assert sorted(p for p, _ in checkins(database_url)) == [
        "+84892116789",
        "+84892116789",
        "+84893473696",
        "+84895434342",
        "+84905123456",
    ]
    rejects = list(csv.reader((tmp_path / "c.csv.rejects.csv").read_text("utf-8-sig").splitlines()))
    assert [r[:2] for r in rejects[1:]] == [
        ["6", "unknown location code 'NOPE'; import it with: hotline locations import"],
        [
            "8",
            "'0438251234' is not a valid Vietnamese phone number: 04… is no mobile or "
            "landline prefix (mobiles start 03, 05, 07, 08 or 09, landlines 02)",
        ],
    ]


def test_vietnamese_headers_semicolons_bom_and_crlf(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    text = (
        "\ufeffSố điện thoại;Mã địa điểm;Thời gian vào;Thời gian ra\r\n"
        "0905123456;DN-0001;07/10/2021 09:00;07/10/2021 09:20\r\n"
        "0912345678;DN-0002;07/10/2021 09:05;\r\n"
    )
    path = write(tmp_path, "excel.csv", text)
    result = hotline(sqlite_url, "checkins", "import", str(path))
    assert result.output == "imported 2, skipped 0 duplicates, rejected 0\n"


def test_cp1258_file_gets_one_line_naming_encoding(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    text = "so_dien_thoai,ma_dia_diem,thoi_gian_vao\n0905123456,DN-0001,2021-10-07 09:00\n"
    path = write(tmp_path, "win.csv", "ghi chú," + text, encoding="cp1258")
    result = hotline(sqlite_url, "checkins", "import", str(path))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path} is not utf-8-sig text (line 1); pass --encoding, "
        "e.g. --encoding cp1258 for Windows Vietnamese exports\n"
    )
    path.write_bytes(text.replace("phone", "phone").encode("cp1258"))
    ok = hotline(sqlite_url, "checkins", "import", str(path), "--encoding", "cp1258")
    assert ok.output == "imported 1, skipped 0 duplicates, rejected 0\n"


def test_missing_column_names_it_and_its_aliases(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    path = write(tmp_path, "c.csv", "phone,checked_in_at\n0905123456,2021-10-07 09:00\n")
    result = hotline(sqlite_url, "checkins", "import", str(path))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: missing column 'location_code' (accepted headers: location_code or "
        "ma_dia_diem or location or code); found: phone, checked_in_at\n"
    )


@pytest.mark.parametrize("text", ["", "phone,location_code,checked_in_at\n"])
def test_empty_and_header_only_files(tmp_path, sqlite_url, text):
    ready_db(sqlite_url, tmp_path)
    path = write(tmp_path, "c.csv", text)
    result = hotline(sqlite_url, "checkins", "import", str(path))
    if text:
        assert result.output == "imported 0, skipped 0 duplicates, rejected 0\n"
    else:
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {path} is empty; expected a header line with "
            "phone, location_code, checked_in_at\n"
        )


def test_no_schema_and_no_file_and_no_locations(tmp_path, sqlite_url):
    path = write(tmp_path, "c.csv", GOOD)
    no_schema = hotline(sqlite_url, "checkins", "import", str(path))
    assert (no_schema.exit_code, no_schema.output) == (
        1,
        "Error: the database has no schema yet; run: hotline db init\n",
    )
    assert hotline(sqlite_url, "db", "init").exit_code == 0
    missing = hotline(sqlite_url, "checkins", "import", str(tmp_path / "nope.csv"))
    assert missing.output == f"Error: {tmp_path / 'nope.csv'}: no such file\n"
    empty = hotline(sqlite_url, "checkins", "import", str(path))
    assert empty.output == (
        "Error: no locations yet; import them first: hotline locations import FILE\n"
    )


def test_import_batch_is_recorded(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    hotline(sqlite_url, "checkins", "import", str(write(tmp_path, "c.csv", GOOD)))
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        batch = conn.execute(
            sa.select(ImportBatch.imported, ImportBatch.finished_at).where(
                ImportBatch.kind == "checkins"
            )
        ).one()
    assert batch.imported == 3 and batch.finished_at is not None


def test_locations_import_updates_by_code(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    path = write(tmp_path, "l.csv", "ma_dia_diem,ten\nDN-0001,Chợ Hàn\nDN-0099,Mới\n,x\n")
    result = hotline(sqlite_url, "locations", "import", str(path))
    first, note = result.output.splitlines()
    assert first == f"imported 2, skipped 0 duplicates, rejected 1 (see {path}.rejects.csv)"
    # The tests' sounds folder does not exist: the import says how to build the names later.
    assert note.startswith("note: 6 place(s) have no spoken name yet (no sounds folder ")
    assert note.endswith("; later run: hotline prompts build --locations")


def test_broken_csv_rows_are_rejected_and_the_rest_goes_in(tmp_path, sqlite_url):
    ready_db(sqlite_url, tmp_path)
    head = "phone,location_code,checked_in_at\n"
    huge = write(
        tmp_path,
        "huge.csv",
        head + f'"{"x" * 200_000}",DN-0001,2021-10-07 09:00\n0905123457,DN-0001,2021-10-07 09:00\n',
    )
    result = hotline(sqlite_url, "checkins", "import", str(huge))
    assert (
        result.output == f"imported 1, skipped 0 duplicates, rejected 1 (see {huge}.rejects.csv)\n"
    )
    assert "2,unreadable CSV: field larger than field limit" in (
        tmp_path / "huge.csv.rejects.csv"
    ).read_text(encoding="utf-8-sig")
    quote = write(
        tmp_path,
        "quote.csv",
        head + "0905123458,DN-0001,2021-10-07 09:00\n"
        '"0905123459,DN-0001,2021-10-07 09:00\n0905123450,DN-0001,2021-10-07 09:00\n',
    )
    result = hotline(sqlite_url, "checkins", "import", str(quote))
    assert result.output.startswith("imported 1, skipped 0 duplicates, rejected 1")
    assert "3,a quote opened here is never closed (the field runs to line 4)" in (
        tmp_path / "quote.csv.rejects.csv"
    ).read_text(encoding="utf-8-sig")


def test_a_visit_twice_in_one_file_keeps_the_first(database_url, tmp_path):
    ready_db(database_url, tmp_path)
    path = write(
        tmp_path,
        "dup.csv",
        "phone,location_code,checked_in_at,checked_out_at\n"
        "0905123456,DN-0002,2021-10-07 09:00,2021-10-07 09:10\n"
        "0905123456,DN-0001,2021-10-07 10:00,\n"
        "+84905123456,DN-0002,2021-10-07T02:00:00Z,2021-10-07 11:00\n",
    )
    result = hotline(database_url, "checkins", "import", str(path))
    assert result.output == "imported 2, skipped 1 duplicates, rejected 0\n"
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        outs = (
            conn.execute(sa.select(CheckIn.checked_out_at).where(CheckIn.location_id == 2))
            .scalars()
            .all()
        )
    engine.dispose()
    assert [o.replace(tzinfo=None).isoformat() if o else None for o in outs] == [
        "2021-10-07T02:10:00"
    ]


def test_the_first_row_of_a_visit_wins_across_chunks(database_url, tmp_path):
    """Chunks of two rows: each visit's copies land in later chunks, and on PostgreSQL
    in both of the writer's connections (odd and even places)."""
    ready_db(database_url, tmp_path)
    visits = [(place, f"2021-10-07 0{hour}:00") for place in (1, 2, 3, 4) for hour in (8, 9)]
    lines = ["phone,location_code,checked_in_at,checked_out_at"]
    for copy in range(3):  # the same eight visits three times, checked out 10, 20, 30 min later
        lines += [f"0905123456,DN-000{p},{t},{t[:-2]}{copy + 1}0" for p, t in visits]
    path = write(tmp_path, "copies.csv", "\n".join(lines) + "\n")
    engine = make_engine(database_url)
    summary = import_checkins(engine, path, chunk_rows=2)
    with engine.connect() as conn:
        stays = conn.execute(sa.select(CheckIn.checked_in_at, CheckIn.checked_out_at)).all()
        minutes = {(out - cin).total_seconds() / 60 for cin, out in stays}
    engine.dispose()
    assert (summary.imported, summary.duplicates) == (8, 16)
    assert minutes == {10}


@pytest.mark.parametrize("direct_first", [True, False], ids=["copying", "merging"])
def test_two_imports_of_the_same_visit_at_once_store_it_once(
    postgres_url, tmp_path, monkeypatch, direct_first
):
    """Another import stores a visit while ours is copying or merging it (after our
    snapshot): ours waits for it, then counts the visit as a duplicate instead of failing."""
    monkeypatch.setattr(bulk.PostgresCheckinWriter, "direct_first", direct_first)
    ready_db(postgres_url, tmp_path)
    path = write(
        tmp_path,
        "c.csv",
        "phone,location_code,checked_in_at\n"
        "0905123456,DN-0001,2021-10-07 09:00\n"
        "0905123456,DN-0002,2021-10-07 10:00\n",
    )
    engine = make_engine(postgres_url)
    other = engine.connect()
    other.execute(  # the other import's row, not committed yet
        sa.text(
            "INSERT INTO checkin (phone, location_id, checked_in_at, source) "
            "VALUES ('+84905123456', 1, '2021-10-07 02:00:00+00', 'checkpoint')"
        )
    )
    with ThreadPoolExecutor(1) as pool:
        ours = pool.submit(import_checkins, engine, path)
        with engine.connect() as watch:
            deadline = time.monotonic() + 30
            while not ours.done() and time.monotonic() < deadline:
                waiting = watch.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND (query LIKE 'INSERT INTO checkin%' OR query LIKE 'COPY checkin%')"
                    )
                ).scalar()
                if waiting:
                    break
                watch.rollback()  # a fresh snapshot of pg_stat_activity next time
            assert waiting, "our import never waited on the other's visit"
        other.commit()
        summary = ours.result(timeout=30)
    other.close()
    engine.dispose()
    assert (summary.imported, summary.duplicates) == (1, 1)
    assert checkins(postgres_url) == [("+84905123456", "checkpoint"), ("+84905123456", "qr")]

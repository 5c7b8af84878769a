"""`hotline appointments import` and `hotline campaign create --appointments DATE`: exact
summaries, rejects with line numbers, re-imports that add nothing, the reminder campaign."""

import csv
import unicodedata
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hotline_cli import hotline, write

from cli import main
from dialer.appointments import import_appointments, parse_slot
from store.db import make_engine
from store.models import Appointment, Campaign, Contact, ImportBatch, OptOut

GOOD = (
    "phone,date,slot,site\n"
    "0905123456,2021-10-12,08:00-09:00,TTYT quận Hải Châu\n"
    "+84 912 345 678,12/10/2021,7h30-9h,Trạm Y tế phường Hòa Cường Bắc\n"
    "0905123456,2021-10-12,13h-14h30,TTYT quận Hải Châu\n"
    "0977000111,2021-10-13,08:00 – 09:00,TTYT quận Sơn Trà\n"
)


def init(url):
    assert hotline(url, "db", "init").exit_code == 0


def appointments(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Appointment.phone, Appointment.slot_start, Appointment.slot_end,
                      Appointment.site, Appointment.status)
            .order_by(Appointment.slot_start, Appointment.phone)
        ).all()  # fmt: skip
    engine.dispose()
    return [tuple(r) for r in rows]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """As Windows writes Vietnamese: a letter with its tone as a separate combining mark."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in parts if c in TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def utc(day, hour, minute=0):
    return datetime(2021, 10, day, hour, minute, tzinfo=UTC)


def test_import_reads_city_time_and_again_adds_nothing(database_url, tmp_path):
    init(database_url)
    path = write(tmp_path, "a.csv", GOOD)
    first = hotline(database_url, "appointments", "import", str(path))
    assert (first.exit_code, first.output) == (0, "imported 4, skipped 0 duplicates, rejected 0\n")
    again = hotline(database_url, "appointments", "import", str(path))
    assert again.output == "imported 0, skipped 4 duplicates, rejected 0\n"
    assert appointments(database_url) == [
        ("+84912345678", utc(12, 0, 30), utc(12, 2), "Trạm Y tế phường Hòa Cường Bắc", "booked"),
        ("+84905123456", utc(12, 1), utc(12, 2), "TTYT quận Hải Châu", "booked"),
        ("+84905123456", utc(12, 6), utc(12, 7, 30), "TTYT quận Hải Châu", "booked"),
        ("+84977000111", utc(13, 1), utc(13, 2), "TTYT quận Sơn Trà", "booked"),
    ]


def test_bad_rows_go_to_rejects_with_line_numbers_and_good_rows_go_in(database_url, tmp_path):
    init(database_url)
    text = GOOD + (
        "12345,2021-10-12,08:00-09:00,A\n"
        "0905123456,hôm nay,08:00-09:00,A\n"
        "0905123456,2021-10-12,sáng,A\n"
        "0905123456,2021-10-12,10:00-09:00,A\n"
        "0905123456,2021-10-12,08:00-09:00,\n"
        "0905123456,2021-10-12\n"
        '0905123456,2021-10-12,25:00-26:00,"=HYPERLINK(""x"")"\n'
    )
    path = write(tmp_path, "a.csv", text)
    result = hotline(database_url, "appointments", "import", str(path))
    rejects = tmp_path / "a.csv.rejects.csv"
    assert result.output == f"imported 4, skipped 0 duplicates, rejected 7 (see {rejects})\n"
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["line", "reason", "phone", "date", "slot", "site"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("6", "'12345' has no trunk prefix 0 or country code 84"),
        ("7", "cannot read date 'hôm nay'; use YYYY-MM-DD or dd/mm/yyyy"),
        ("8", "cannot read time slot 'sáng'; use HH:MM-HH:MM, e.g. 08:00-09:30 or 7h30-9h"),
        ("9", "time slot '10:00-09:00' ends before it starts"),
        ("10", "missing site"),
        ("11", "has 2 fields, header has 4"),
        ("12", "cannot read time slot '25:00-26:00'; use HH:MM-HH:MM, e.g. 08:00-09:30 or 7h30-9h"),
    ]  # fmt: skip
    assert rows[-1][-1] == '\'=HYPERLINK("x")'  # a formula never reaches Excel as one


def test_vietnamese_headers_and_a_windows_export(sqlite_url, tmp_path):
    init(sqlite_url)
    text = (
        "Số điện thoại;Ngày tiêm;Khung giờ;Địa điểm tiêm\n0905123456;12/10/2021;8h-9h;TTYT Cẩm Lệ\n"
    )
    path = tmp_path / "a.csv"
    path.write_bytes(cp1258(text))
    refused = hotline(sqlite_url, "appointments", "import", str(path))
    assert refused.exit_code == 1
    assert refused.output.startswith(
        f"Error: {path} is not utf-8-sig text (line 1); pass --encoding"
    )
    assert appointments(sqlite_url) == []
    result = hotline(sqlite_url, "appointments", "import", str(path), "--encoding", "cp1258")
    assert result.output == "imported 1, skipped 0 duplicates, rejected 0\n"
    assert appointments(sqlite_url)[0][3] == "TTYT Cẩm Lệ"


def test_a_missing_column_is_one_line_naming_the_accepted_headers(sqlite_url, tmp_path):
    init(sqlite_url)
    path = write(tmp_path, "a.csv", "phone,date,site\n0905123456,2021-10-12,A\n")
    result = hotline(sqlite_url, "appointments", "import", str(path))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {path}: missing column 'slot' (accepted headers: slot or khung_gio or gio_tiem"
        " or time_slot or gio); found: phone, date, site\n",
    )


def test_rows_stream_in_chunks_and_the_batch_is_recorded(database_url, tmp_path):
    init(database_url)
    lines = [f"09051{i:05d},2021-10-12,08:00-09:00,A" for i in range(23)]
    path = write(tmp_path, "a.csv", "phone,date,slot,site\n" + "\n".join(lines + lines[:5]) + "\n")
    engine = make_engine(database_url)
    summary = import_appointments(engine, path, chunk_rows=4)
    assert (summary.imported, summary.duplicates, summary.rejected) == (23, 5, 0)
    with engine.connect() as conn:
        batch = conn.execute(sa.select(ImportBatch)).one()
        batches = set(conn.scalars(sa.select(Appointment.batch_id)))
    engine.dispose()
    assert (batch.kind, batch.imported, batch.duplicates) == ("appointments", 23, 5)
    assert batches == {batch.id}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("08:00-09:30", "08:00", "09:30"), ("7h30 - 9h", "07:30", "09:00"),
     ("13h–14h15", "13:00", "14:15"), ("8-9", "08:00", "09:00")],
)  # fmt: skip
def test_slots_as_vietnamese_files_write_them(text, start, end):
    assert [t.strftime("%H:%M") for t in parse_slot(text)] == [start, end]


def test_a_reminder_campaign_calls_each_phone_booked_that_day_once(database_url, tmp_path):
    init(database_url)
    hotline(database_url, "appointments", "import", str(write(tmp_path, "a.csv", GOOD)))
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(OptOut).values(phone="+84977000111", since=utc(1, 0)))
        conn.execute(
            sa.insert(Appointment).values(
                phone="+84977000111", site="B", slot_start=utc(12, 3), slot_end=utc(12, 4)
            )
        )
    result = hotline(
        database_url, "campaign", "create", "--appointments", "2021-10-12", "--hours", "07:00-11:00"
    )
    assert (result.exit_code, result.output) == (
        0,
        "campaign 1 'reminders 2021-10-12' (draft): 2 contacts for 4 appointment(s); "
        "left out: 1 on a phone already called, 1 opted out\n",
    )
    with engine.connect() as conn:
        campaign = conn.execute(sa.select(Campaign)).one()
        contacts = conn.execute(
            sa.select(Contact.phone, Appointment.slot_start, Contact.status)
            .join(Appointment, Appointment.id == Contact.appointment_id)
            .order_by(Contact.id)
        ).all()
    engine.dispose()
    assert (campaign.kind, campaign.appointment_day.isoformat(), campaign.status) == (
        "appointment_reminder", "2021-10-12", "draft",
    )  # fmt: skip
    assert campaign.calling_hours == "07:00-11:00" and campaign.case_id is None
    assert [tuple(c) for c in contacts] == [  # in slot order, each phone's earliest slot
        ("+84912345678", utc(12, 0, 30), "pending"),
        ("+84905123456", utc(12, 1), "pending"),
    ]
    again = hotline(database_url, "campaign", "create", "--appointments", "12/10/2021")
    assert (
        again.output
        == "Error: a campaign named 'reminders 2021-10-12' exists; pass another --name\n"
    )


def test_a_reminder_campaign_needs_a_day_with_appointments(sqlite_url):
    init(sqlite_url)
    none = hotline(sqlite_url, "campaign", "create", "--appointments", "2021-10-14")
    assert (none.exit_code, none.output) == (
        1,
        "Error: no booked appointment on 2021-10-14; import them first: "
        "hotline appointments import FILE\n",
    )
    bad = hotline(sqlite_url, "campaign", "create", "--appointments", "14/13/2021")
    assert bad.exit_code == 2 and "cannot read date '14/13/2021'" in bad.output
    both = hotline(sqlite_url, "campaign", "create", "--appointments", "2021-10-14", "--case", "X")
    assert both.exit_code == 2 and "give either --case CODE or --appointments DATE" in both.output


def test_sites_without_a_recorded_name_are_noted_once(sqlite_url, tmp_path, monkeypatch):
    from store.clock import SIM_CLOCK_ENV, ScaledClock

    monkeypatch.setenv(SIM_CLOCK_ENV, ScaledClock.starting(utc(9, 1), 1e6).spec())
    sounds = tmp_path / "sounds"
    config = tmp_path / "hotline.toml"
    config.write_text(f'[agi]\nsounds_dir = "{sounds}"\n', encoding="utf-8")
    init(sqlite_url)
    path = write(tmp_path, "a.csv", GOOD)
    args = ("--config", str(config), "--database-url", sqlite_url, "appointments", "import")
    first = CliRunner().invoke(main, [*args, str(path)])
    assert first.output.splitlines()[1] == (
        "note: 3 site(s) have no recorded name yet, e.g. site-ttyt-quan-hai-chau; "
        f"until {sounds}/<lang>/<id>.wav exists, calls say only the district the name mentions"
    )
    for lang in ("vi", "en"):
        (sounds / lang).mkdir(parents=True, exist_ok=True)
        for pid in ("site-tram-y-te-phuong-hoa-cuong-bac", "site-ttyt-quan-hai-chau",
                    "site-ttyt-quan-son-tra"):  # fmt: skip
            (sounds / lang / f"{pid}.wav").write_bytes(b"RIFF")
    again = CliRunner().invoke(main, [*args, str(path)])
    assert again.output == "imported 0, skipped 4 duplicates, rejected 0\n"

"""Cases and notice campaigns from the CLI: counts, preview, CSV, refresh, errors."""

import csv

import sqlalchemy as sa
from hotline_cli import hotline, ready_db, write

from store.models import Contact, OptOut

HEADER = "phone,location_code,checked_in_at,checked_out_at\n"
# The case was at DN-0001 from 09:00 to 11:00 (city time); margin 30 min, dwell 60 min.
VISITS = HEADER + (
    "0905000001,DN-0001,2021-10-07 09:10,2021-10-07 10:50\n"  # the case's own phone
    "0905000002,DN-0001,2021-10-07 10:00,2021-10-07 10:15\n"  # inside: priority 1
    "0905000003,DN-0001,2021-10-07 08:00,2021-10-07 08:30\n"  # touches widened window: 2
    "0905000004,DN-0001,2021-10-07 07:00,\n"  # dwell ends 08:00: no match
    "0905000005,DN-0002,2021-10-07 10:00,2021-10-07 10:15\n"  # other place: no match
    "0905000006,DN-0001,2021-10-07 11:30,\n"  # in exactly at window end: 2
    "0905000002,DN-0003,2021-10-07 15:05,2021-10-07 15:10\n"  # second exposure, same phone
)
CASE = [
    "cases",
    "add",
    "F0-1234",
    "--exposure",
    "DN-0001",
    "2021-10-07 09:00",
    "2021-10-07 11:00",
    "--exposure",
    "DN-0003",
    "07/10/2021 15:00",
    "07/10/2021 16:00",
    "--phone",
    "0905 000 001",
]


def setup(url, tmp_path, visits=VISITS):
    ready_db(url, tmp_path)
    path = write(tmp_path, "c.csv", visits)
    assert hotline(url, "checkins", "import", str(path)).exit_code == 0
    result = hotline(url, *CASE)
    assert result.output == "case F0-1234 (F0): 2 exposure(s), 1 own phone(s)\n"


def test_create_counts_priorities_and_leaves_out_the_case(database_url, tmp_path):
    setup(database_url, tmp_path)
    result = hotline(database_url, "campaign", "create", "--case", "F0-1234")
    assert (result.exit_code, result.output) == (
        0,
        (
            "campaign 1 'F0-1234 notice' (draft): 3 contacts, priority 1: 1, priority 2: 2; "
            "left out: 1 case phone(s), 0 opted out\n"
        ),
    )


def test_margin_and_dwell_options_change_who_is_called(tmp_path, sqlite_url):
    setup(sqlite_url, tmp_path)
    result = hotline(
        sqlite_url,
        "campaign",
        "create",
        "--case",
        "F0-1234",
        "--name",
        "wide",
        "--margin",
        "2h",
        "--dwell",
        "90",
    )
    assert result.output.startswith(
        "campaign 1 'wide' (draft): 4 contacts, priority 1: 1, priority 2: 3;"
    )


def test_preview_prints_totals_and_writes_every_contact(tmp_path, sqlite_url):
    setup(sqlite_url, tmp_path)
    hotline(sqlite_url, "campaign", "create", "--case", "F0-1234")
    out = tmp_path / "contacts.csv"
    result = hotline(sqlite_url, "campaign", "preview", "1", "--csv", str(out))
    assert result.exit_code == 0
    assert result.output == (
        "campaign 1 'F0-1234 notice' (draft): 3 contacts\n"
        "  priority 1: 1\n"
        "  priority 2: 2\n"
        "by location:\n"
        "  DN-0001                3  Chợ số 1\n"
        "  DN-0003                1  Chợ số 3\n"
        "first 3:\n"
        "  +84905000002  p1  DN-0001          2021-10-07 10:00  (2 visit(s))\n"
        "  +84905000003  p2  DN-0001          2021-10-07 08:00  (1 visit(s))\n"
        "  +84905000006  p2  DN-0001          2021-10-07 11:30  (1 visit(s))\n"
        f"wrote 3 contacts to {out}\n"
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["phone"], r["priority"], r["location_code"], r["checked_in_at"]) for r in rows] == [
        ("+84905000002", "1", "DN-0001", "2021-10-07 10:00"),
        ("+84905000003", "2", "DN-0001", "2021-10-07 08:00"),
        ("+84905000006", "2", "DN-0001", "2021-10-07 11:30"),
    ]
    assert rows[0]["all_locations"] == "DN-0001 DN-0003"


def test_refresh_adds_new_people_and_never_touches_dialed_contacts(database_url, tmp_path):
    setup(database_url, tmp_path)
    hotline(database_url, "campaign", "create", "--case", "F0-1234")
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:  # the dialer has called +84905000003 once
        conn.execute(
            sa.update(Contact)
            .where(Contact.phone == "+84905000003")
            .values(attempts=1, status="failed")
        )
    late = write(
        tmp_path,
        "late.csv",
        HEADER
        + (
            "0905000007,DN-0001,2021-10-07 09:30,2021-10-07 09:45\n"  # new person
            "0905000003,DN-0001,2021-10-07 10:00,2021-10-07 10:05\n"  # dialed: stays as is
            "0905000006,DN-0003,2021-10-07 15:30,\n"  # pending: re-reasoned
        ),
    )
    assert hotline(database_url, "checkins", "import", str(late)).exit_code == 0
    result = hotline(database_url, "campaign", "refresh", "F0-1234 notice")
    assert result.output == (
        "campaign 1 'F0-1234 notice': added 1, updated 1 not yet dialed, "
        "kept 1 already dialed; 4 contacts match now\n"
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Contact.phone, Contact.priority, Contact.status, Contact.why).order_by(
                Contact.phone
            )
        ).all()
    engine.dispose()
    by_phone = {r.phone: r for r in rows}
    assert (by_phone["+84905000003"].priority, by_phone["+84905000003"].status) == (2, "failed")
    assert len(by_phone["+84905000003"].why) == 1
    assert by_phone["+84905000006"].priority == 1 and len(by_phone["+84905000006"].why) == 2
    assert by_phone["+84905000007"].status == "pending"
    again = hotline(database_url, "campaign", "refresh", "1")
    assert again.output.startswith("campaign 1 'F0-1234 notice': added 0, updated 0")


def test_opted_out_phones_are_left_out(tmp_path, sqlite_url):
    setup(sqlite_url, tmp_path)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO opt_out (phone, reason, since) VALUES "
                "('+84905000002', 'pressed 9', '2021-10-01 00:00:00.000000')"
            )
        )
        assert conn.execute(sa.select(OptOut.phone)).scalar_one() == "+84905000002"
    engine.dispose()
    result = hotline(sqlite_url, "campaign", "create", "--case", "F0-1234")
    assert result.output.endswith("left out: 1 case phone(s), 1 opted out\n")
    assert "2 contacts" in result.output


def test_cases_list_and_errors(tmp_path, sqlite_url):
    setup(sqlite_url, tmp_path)
    listed = hotline(sqlite_url, "cases", "list")
    assert listed.output == (
        "F0-1234  F0  1 own phone(s)\n"
        "  DN-0001  2021-10-07 09:00 .. 2021-10-07 11:00  Chợ số 1\n"
        "  DN-0003  2021-10-07 15:00 .. 2021-10-07 16:00  Chợ số 3\n"
    )
    assert hotline(sqlite_url, *CASE).output == (
        "Error: case F0-1234 already exists; see: hotline cases list\n"
    )
    bad = [
        (
            ["cases", "add", "X", "--exposure", "NOPE", "2021-10-07 09:00", "2021-10-07 10:00"],
            "Error: unknown location code 'NOPE'; import it with: hotline locations import\n",
        ),
        (
            ["cases", "add", "X", "--exposure", "DN-0001", "2021-10-07 10:00", "2021-10-07 09:00"],
            "Error: --exposure DN-0001: END 2021-10-07 09:00 is before START 2021-10-07 10:00\n",
        ),
        (
            ["cases", "add", "X"],
            "Error: a case needs at least one --exposure LOCATION_CODE START END\n",
        ),
        (
            ["campaign", "create", "--case", "NOPE"],
            "Error: no case 'NOPE'; see: hotline cases list\n",
        ),
        (
            ["campaign", "preview", "nope"],
            "Error: no campaign 'nope'; see: hotline campaign list\n",
        ),
    ]
    for args, message in bad:
        result = hotline(sqlite_url, *args)
        assert (result.exit_code, result.output) == (1, message)


def test_campaign_list(tmp_path, sqlite_url):
    setup(sqlite_url, tmp_path)
    assert hotline(sqlite_url, "campaign", "list").output == (
        "no campaigns yet; create one with: hotline campaign create --case CODE\n"
    )
    hotline(sqlite_url, "campaign", "create", "--case", "F0-1234")
    assert hotline(sqlite_url, "campaign", "list").output == (
        "   1  F0-1234 notice               draft            3 contacts  (pending 3)\n"
    )


def test_a_long_stay_that_began_hours_before_the_case_is_found(database_url, tmp_path):
    # In at 04:00, out at 09:30: the import records each place's longest stay, and the
    # matcher reaches that far back, not only the dwell's hour.
    setup(database_url, tmp_path, VISITS + "0905000007,DN-0001,2021-10-07 04:00,2021-10-07 09:30\n")
    result = hotline(database_url, "campaign", "create", "--case", "F0-1234")
    assert result.output.startswith(
        "campaign 1 'F0-1234 notice' (draft): 4 contacts, priority 1: 2,"
    )
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        phones = set(conn.execute(sa.select(Contact.phone)).scalars())
    engine.dispose()
    assert "+84905000007" in phones

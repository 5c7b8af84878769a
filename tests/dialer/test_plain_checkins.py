"""A file without quotes is read by blocks, and gives exactly what the csv path gives:
the same rows in the same order, the same rejects on the same lines, the same longest
stays and the same count of numbers outside the known blocks."""

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import dialer.checkins as checkins
from dialer.checkins import CHECKIN_COLUMNS, CheckinParser
from dialer.csvinput import CsvSource, RejectsWriter

LOCATIONS = {"DN-0001": 1, "DN-0002": 2, "Chợ Hàn": 3}

# Each cell is mostly in a plain form, so that whole rows often are; else an edge case.
_plain_phones = st.one_of(
    st.from_regex(r"(0|\+84|84)[35789][0-9]{8}|0[35789][0-9]{2} [0-9]{3} [0-9]{3}", fullmatch=True),
    st.sampled_from(["0892116789", "02363822222", "842363822222", "+842363822222"]),
)
_odd_phones = st.one_of(
    st.sampled_from(
        [
            "0236 3822 222",
            "01234567890",  # an old 11-digit mobile
            "05113822222",  # Da Nang's old landline area
            "+840905123456",
            " 0905123456",
            "0905-123-456",
            "0905  123 456",
            "090512345",
            "09051234567",
            "0105123456",
            "0236382222",  # a landline one digit short
            "84236382222",
            "abc",
            "",
        ]
    ),
    st.text(alphabet="0123456789+ ", max_size=14),
)
_codes = st.sampled_from(
    ["DN-0001", "DN-0002", "DN-0001", "DN-0002", "Chợ Hàn", "DN-9999", " DN-0001", "dn-0001", ""]
)
_plain_times = st.datetimes(min_value=datetime(1975, 12, 31), max_value=datetime(2022, 1, 2)).map(
    lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")
)
_odd_times = st.one_of(
    st.sampled_from(
        [
            "2021-09-13T07:59:59",
            "1975-06-01 07:00:00",
            "2021-02-30 07:00:00",
            "2021-09-13 07:61:00",
            "2021-09-13 24:00:00",
            "13/09/2021 07:01",
            "2021-09-13 07:01",
            "2021-09-13 07:01:03+07:00",
            "",
        ]
    ),
    st.text(alphabet="0123456789-: T", max_size=20),
)


def _mostly(plain, odd):
    return st.one_of(plain, plain, plain, odd)


def _visit(row: tuple) -> tuple:
    """Most check-outs come minutes after the check-in, as in a real export."""
    phone, code, checked_in, checked_out, minutes, source = row
    if minutes is not None:
        try:
            moment = datetime.fromisoformat(checked_in) + timedelta(minutes=minutes)
        except (ValueError, OverflowError):  # no time to add to
            moment = None
        if moment is not None:
            checked_out = moment.strftime("%Y-%m-%d %H:%M:%S")
    return phone, code, checked_in, checked_out, source


_rows = st.lists(
    st.tuples(
        _mostly(_plain_phones, _odd_phones),
        _codes,
        _mostly(_plain_times, _odd_times),
        _mostly(_plain_times, _odd_times),
        st.one_of(st.none(), st.integers(-5, 600)),
        st.sampled_from(["qr", "checkpoint", "", "qr", "QR", "sms"]),
    ).map(_visit),
    max_size=40,
)
_layouts = st.sampled_from(
    [
        ["phone", "location_code", "checked_in_at", "checked_out_at", "source"],
        ["so_dien_thoai", "ghi_chu", "ma_dia_diem", "thoi_gian_vao", "thoi_gian_ra"],
        ["checked_in_at", "location_code", "phone"],
    ]
)
_CELL = {
    "phone": 0,
    "so_dien_thoai": 0,
    "location_code": 1,
    "ma_dia_diem": 1,
    "checked_in_at": 2,
    "thoi_gian_vao": 2,
    "checked_out_at": 3,
    "thoi_gian_ra": 3,
    "source": 4,
}


def _file(header: list[str], rows, delimiter: str, newline: str, odd_lines) -> str:
    lines = [delimiter.join(header)]
    for n, row in enumerate(rows):
        lines.append(delimiter.join(row[_CELL[h]] if h in _CELL else "ghi chú" for h in header))
        if n in odd_lines:
            lines.append(odd_lines[n])
    return newline.join(lines) + (newline if rows and len(rows) % 2 else "")


def _import(path: Path, by_blocks: bool, tmp: Path, block: int = 1 << 20) -> tuple:
    parser = CheckinParser(LOCATIONS, "qr")
    rejects_path = tmp / f"rejects-{by_blocks}.csv"
    with CsvSource(path, CHECKIN_COLUMNS) as src:
        assert src.one_record_a_line
        src.one_record_a_line = by_blocks
        rejects = RejectsWriter(rejects_path, src.header)
        rows = [row for part in checkins._parsed(src, parser, rejects) for row in part]
        rejects.close()
    rejected = rejects_path.read_text(encoding="utf-8-sig") if rejects.count else ""
    return rows, rejected, parser.max_stay, parser.outside_known_blocks


@settings(max_examples=200, deadline=None)
@given(
    header=_layouts,
    rows=_rows,
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    odd=st.dictionaries(
        st.integers(0, 40), st.sampled_from(["", "   ", "0905123456", "a,b,c,d,e,f,g,h"])
    ),
    block=st.sampled_from([16, 100, 1 << 20]),
)
def test_blocks_and_the_csv_module_import_alike(
    header, rows, delimiter, newline, odd, block, tmp_path_factory
):
    tmp = tmp_path_factory.mktemp("plain")
    path = tmp / "checkins.csv"
    path.write_text(_file(header, rows, delimiter, newline, odd), encoding="utf-8")
    assert _import(path, True, tmp, block) == _import(path, False, tmp)


def test_a_quote_anywhere_sends_the_file_through_the_csv_module(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("phone,location_code,checked_in_at\n0905123456,DN-0001,2021-09-13 07:01:03\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(
        'phone,location_code,checked_in_at\n"0905123456","DN-0001",2021-09-13 07:01:03\n'
    )
    lone_cr = tmp_path / "cr.csv"
    lone_cr.write_bytes(b"phone,location_code,checked_in_at\r0905123456,DN-0001,x\r")
    wide = tmp_path / "utf16.csv"
    wide.write_text(plain.read_text(), encoding="utf-16")
    assert CsvSource(plain, CHECKIN_COLUMNS).one_record_a_line
    assert not CsvSource(quoted, CHECKIN_COLUMNS).one_record_a_line
    assert not CsvSource(lone_cr, CHECKIN_COLUMNS).one_record_a_line
    assert not CsvSource(wide, CHECKIN_COLUMNS, encoding="utf-16").one_record_a_line


def test_a_rejected_row_deep_in_a_file_keeps_its_line_number(tmp_path):
    lines = ["phone,location_code,checked_in_at"]
    lines += [f"09051234{n:02d},DN-0001,2021-09-13 07:{n:02d}:00" for n in range(50)]
    lines[37] = "0905 123 4,DN-0001,2021-09-13 07:00:00"
    path = tmp_path / "checkins.csv"
    path.write_text("\n".join(lines) + "\n")
    rows, rejected, _stays, _outside = _import(path, True, tmp_path, block=64)
    assert len(rows) == 49
    assert rejected.splitlines()[1].startswith("38,")  # the header is line 1

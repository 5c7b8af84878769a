"""Deterministic sample data for the demo and the benchmarks: Da Nang-like places and visits.

Rules: the same seed gives the same files byte for byte; files stream to disk (5 million
rows need no memory); phones are valid Vietnamese mobiles written the ways real exports
write them (0…, +84…, spaced, old 11-digit); `bad_every` plants unusable rows so the
rejects path shows.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

DISTRICTS = {
    "Hải Châu": ["Thạch Thang", "Hải Châu 1", "Phước Ninh", "Bình Hiên", "Hòa Cường Bắc"],
    "Thanh Khê": ["Tam Thuận", "Thanh Khê Đông", "Xuân Hà", "Chính Gián"],
    "Sơn Trà": ["An Hải Bắc", "Phước Mỹ", "Mân Thái", "Thọ Quang"],
    "Ngũ Hành Sơn": ["Mỹ An", "Khuê Mỹ", "Hòa Hải"],
    "Liên Chiểu": ["Hòa Minh", "Hòa Khánh Bắc", "Hòa Khánh Nam"],
    "Cẩm Lệ": ["Khuê Trung", "Hòa Thọ Đông", "Hòa Xuân"],
}
KINDS = [
    "Chợ",
    "Siêu thị",
    "Nhà thuốc",
    "Quán cà phê",
    "Ngân hàng",
    "Bệnh viện",
    "Trường học",
    "Nhà hàng",
    "Bến xe",
    "Cửa hàng tiện lợi",
]
NAMES = [
    "Hàn",
    "Cồn",
    "Bắc Mỹ An",
    "Hòa Khánh",
    "Sông Hàn",
    "Bạch Đằng",
    "Ngũ Hành Sơn",
    "Hải Châu",
    "Thanh Khê",
    "Trưng Nữ Vương",
    "Nguyễn Văn Linh",
    "Lê Duẩn",
    "Hùng Vương",
]
MOBILE_PREFIXES = [
    "90",
    "91",
    "93",
    "94",
    "97",
    "98",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "70",
    "76",
    "77",
    "78",
    "79",
    "81",
    "82",
    "83",
    "84",
    "85",
    "56",
    "58",
    "59",
    "86",
    "88",
    "96",
]
OLD_PREFIX_OF = {"77": "122", "70": "120", "79": "121", "39": "169", "38": "168"}
LOCATION_HEADER = ["code", "name", "address", "ward", "district"]
CHECKIN_HEADER = ["phone", "location_code", "checked_in_at", "checked_out_at", "source"]


def location_code(i: int) -> str:
    return f"DN-{i:04d}"


def write_locations(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(LOCATION_HEADER)
        for i in range(1, count + 1):
            district = rng.choice(list(DISTRICTS))
            w.writerow(
                [
                    location_code(i),
                    f"{rng.choice(KINDS)} {rng.choice(NAMES)}",
                    f"{rng.randint(1, 400)} {rng.choice(NAMES)}",
                    rng.choice(DISTRICTS[district]),
                    district,
                ]
            )


def phone_pool(count: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    national = set()
    while len(national) < count:
        national.add(rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}")
    return sorted(national)


def spelled(national: str, rng: random.Random) -> str:
    """One of the ways exports write the same mobile number."""
    roll = rng.random()
    if roll < 0.70:
        return "0" + national
    if roll < 0.85:
        return "+84" + national
    if roll < 0.93:
        return f"0{national[:3]} {national[3:6]} {national[6:]}"
    old = OLD_PREFIX_OF.get(national[:2])
    return "0" + old + national[2:] if old else "84" + national


def write_checkins(
    path: Path,
    rows: int,
    *,
    locations: int,
    start: datetime,
    days: int,
    people: int,
    seed: int = 3,
    bad_every: int = 0,
    planted: list[list[str]] | None = None,
    every_phone_new: bool = False,
) -> None:
    """`rows` visits between 06:00 and 22:00 city time; about 70% scan out.

    Phones are drawn from `people` numbers, or with `every_phone_new` each row has a
    number of its own (a city's first day of data). `planted` rows (phone,
    location_code, in, out, source) come first, so a demo can place someone exactly
    where a case was.
    """
    rng = random.Random(seed)
    pool = phone_pool(rows if every_phone_new else people, seed)
    if every_phone_new:
        rng.shuffle(pool)
    span = days * 16 * 3600
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CHECKIN_HEADER)
        w.writerows(planted or [])
        for n in range(1, rows + 1):
            if bad_every and n % bad_every == 0:
                w.writerow(_bad_row(n, rng))
                continue
            offset = rng.randrange(span)
            day, second = divmod(offset, 16 * 3600)
            cin = start + timedelta(days=day, hours=6, seconds=second)
            out = ""
            if rng.random() < 0.7:
                out = (cin + timedelta(minutes=rng.randint(5, 150))).isoformat(sep=" ")
            phone = pool[n - 1] if every_phone_new else rng.choice(pool)
            w.writerow(
                [
                    spelled(phone, rng),
                    location_code(rng.randint(1, locations)),
                    cin.isoformat(sep=" "),
                    out,
                    "qr",
                ]
            )


def _bad_row(_n: int, rng: random.Random) -> list[str]:
    return [
        ["12345", location_code(1), "2021-10-07 09:00:00", "", "qr"],
        ["0905123456", "NO-SUCH-PLACE", "2021-10-07 09:00:00", "", "qr"],
        ["0905123456", location_code(1), "hôm qua", "", "qr"],
        ["0905123456", location_code(1), "2021-10-07 09:00:00", "2021-10-07 08:00:00", "qr"],
    ][rng.randrange(4)]

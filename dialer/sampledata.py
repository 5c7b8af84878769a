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
# Real places of Da Nang (name, address, ward, district), for the demo's story.
DA_NANG_PLACES = [
    ("Chợ Hàn", "119 Trần Phú", "Hải Châu 1", "Hải Châu"),
    ("Chợ Cồn", "290 Hùng Vương", "Hải Châu 2", "Hải Châu"),
    ("Bến xe Trung tâm Đà Nẵng", "201 Tôn Đức Thắng", "Hòa Minh", "Liên Chiểu"),
    ("Ga Đà Nẵng", "791 Hải Phòng", "Tam Thuận", "Thanh Khê"),
    ("Sân bay quốc tế Đà Nẵng", "Duy Tân", "Hòa Thuận Tây", "Hải Châu"),
    ("Bệnh viện Đà Nẵng", "124 Hải Phòng", "Thạch Thang", "Hải Châu"),
    ("Bệnh viện C Đà Nẵng", "122 Hải Phòng", "Thạch Thang", "Hải Châu"),
    ("Siêu thị Co.opmart Đà Nẵng", "478 Điện Biên Phủ", "Thanh Khê Đông", "Thanh Khê"),
    ("Siêu thị Lotte Mart Đà Nẵng", "6 Nại Nam", "Hòa Cường Bắc", "Hải Châu"),
    ("Vincom Plaza Ngô Quyền", "910A Ngô Quyền", "An Hải Bắc", "Sơn Trà"),
    ("Chợ Bắc Mỹ An", "Nguyễn Bá Lân", "Mỹ An", "Ngũ Hành Sơn"),
    ("Chợ Đống Đa", "Đống Đa", "Thuận Phước", "Hải Châu"),
    ("Chợ Hòa Khánh", "Âu Cơ", "Hòa Khánh Bắc", "Liên Chiểu"),
    ("Chợ Sơn Trà", "Ngô Quyền", "An Hải Bắc", "Sơn Trà"),
    ("Chợ Thanh Khê", "Hà Huy Tập", "Thanh Khê Tây", "Thanh Khê"),
    ("Chợ Hòa Cường", "Núi Thành", "Hòa Cường Nam", "Hải Châu"),
    ("Chợ Cẩm Lệ", "Ông Ích Đường", "Hòa Thọ Đông", "Cẩm Lệ"),
    ("Chợ Hòa Vang", "Quốc lộ 14B", "Hòa Phong", "Hòa Vang"),
    ("Công viên Biển Đông", "Võ Nguyên Giáp", "Phước Mỹ", "Sơn Trà"),
    ("Bãi biển Mỹ Khê", "Võ Nguyên Giáp", "Phước Mỹ", "Sơn Trà"),
    ("Chùa Linh Ứng Bãi Bụt", "Hoàng Sa", "Thọ Quang", "Sơn Trà"),
    ("Bảo tàng Điêu khắc Chăm", "2 Tháng 9", "Bình Hiên", "Hải Châu"),
    ("Cung thể thao Tiên Sơn", "Phan Đăng Lưu", "Hòa Cường Bắc", "Hải Châu"),
    ("Nhà hát Trưng Vương", "35 Phan Châu Trinh", "Hải Châu 1", "Hải Châu"),
    ("Trung tâm Hành chính thành phố", "24 Trần Phú", "Thạch Thang", "Hải Châu"),
    ("Đại học Đà Nẵng", "41 Lê Duẩn", "Hải Châu 1", "Hải Châu"),
    ("Đại học Bách khoa", "54 Nguyễn Lương Bằng", "Hòa Khánh Bắc", "Liên Chiểu"),
    ("Đại học Duy Tân", "254 Nguyễn Văn Linh", "Thạc Gián", "Thanh Khê"),
    ("Khu công nghiệp Hòa Khánh", "Hòa Khánh Bắc", "Hòa Khánh Bắc", "Liên Chiểu"),
    ("Cảng Tiên Sa", "Yết Kiêu", "Thọ Quang", "Sơn Trà"),
    ("Siêu thị Big C Đà Nẵng", "255 Hùng Vương", "Vĩnh Trung", "Thanh Khê"),
    ("Cầu Rồng", "Nguyễn Văn Linh", "Phước Ninh", "Hải Châu"),
    ("Chợ đêm Sơn Trà", "Lý Nam Đế", "An Hải Tây", "Sơn Trà"),
    ("Ngũ Hành Sơn", "Huyền Trân Công Chúa", "Hòa Hải", "Ngũ Hành Sơn"),
    ("Bà Nà Hills", "Hòa Ninh", "Hòa Ninh", "Hòa Vang"),
    ("Bệnh viện Phụ sản - Nhi Đà Nẵng", "402 Lê Văn Hiến", "Khuê Mỹ", "Ngũ Hành Sơn"),
    ("Chợ Tân Chính", "Hải Phòng", "Tân Chính", "Thanh Khê"),
    ("Chợ Phước Mỹ", "Phan Thúc Duyện", "Phước Mỹ", "Sơn Trà"),
    ("Quảng trường 2 Tháng 9", "2 Tháng 9", "Bình Thuận", "Hải Châu"),
    ("Trung tâm Hội chợ Triển lãm", "Cách Mạng Tháng 8", "Khuê Trung", "Cẩm Lệ"),
]
LOCATION_HEADER = ["code", "name", "address", "ward", "district"]
CHECKIN_HEADER = ["phone", "location_code", "checked_in_at", "checked_out_at", "source"]


def location_code(i: int) -> str:
    return f"DN-{i:04d}"


def write_real_locations(path: Path) -> int:
    """Da Nang's own places (DA_NANG_PLACES) as DN-0001…; returns how many."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(LOCATION_HEADER)
        for i, (name, address, ward, district) in enumerate(DA_NANG_PLACES, 1):
            w.writerow([location_code(i), name, address, ward, district])
    return len(DA_NANG_PLACES)


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
    busy: dict[int, float] | None = None,
    every_phone_new: bool = False,
) -> None:
    """`rows` visits between 06:00 and 22:00 city time; about 70% scan out.

    Phones are drawn from `people` numbers, or with `every_phone_new` each row has a
    number of its own (a city's first day of data). `planted` rows (phone,
    location_code, in, out, source) come first, so a demo can place someone exactly
    where a case was. `busy` gives some places (by number) that share of all visits (a
    market draws more people than a museum); the rest spread evenly.
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
                    location_code(_place(rng, locations, busy)),
                    cin.isoformat(sep=" "),
                    out,
                    "qr",
                ]
            )


def _place(rng: random.Random, locations: int, busy: dict[int, float] | None) -> int:
    if busy:
        roll = rng.random()
        for place, share in busy.items():
            if roll < share:
                return place
            roll -= share
    return rng.randint(1, locations)


def _bad_row(_n: int, rng: random.Random) -> list[str]:
    return [
        ["12345", location_code(1), "2021-10-07 09:00:00", "", "qr"],
        ["0905123456", "NO-SUCH-PLACE", "2021-10-07 09:00:00", "", "qr"],
        ["0905123456", location_code(1), "hôm qua", "", "qr"],
        ["0905123456", location_code(1), "2021-10-07 09:00:00", "2021-10-07 08:00:00", "qr"],
    ][rng.randrange(4)]

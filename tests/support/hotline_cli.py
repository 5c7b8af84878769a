"""Running `hotline` in-process on a given database, as a supervisor would type it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main

LOCATIONS = (
    "code,name,address,ward,district\n"
    + "\n".join(f"DN-{i:04d},Chợ số {i},{i} Bạch Đằng,Thạch Thang,Hải Châu" for i in range(1, 6))
    + "\n"
)


def hotline(url: str, *args: str):
    return CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)


def ready_db(url: str, tmp_path: Path) -> None:
    """A database with the schema and five locations DN-0001..DN-0005."""
    assert hotline(url, "db", "init").exit_code == 0
    path = tmp_path / "locations.csv"
    path.write_text(LOCATIONS, encoding="utf-8")
    result = hotline(url, "locations", "import", str(path))
    assert result.output.splitlines()[0] == "imported 5, skipped 0 duplicates, rejected 0"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path

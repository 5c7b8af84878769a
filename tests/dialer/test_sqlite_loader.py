"""The SQLite loader process: if it dies mid-import, the supervisor gets one line, the rows
it committed stay, and the same import run again adds exactly the rest."""

import os
import re
import signal
import subprocess

import pytest
from hotline_cli import hotline, ready_db, write

from dialer import bulk
from dialer.checkins import import_checkins, import_locations
from store.db import make_engine
from store.errors import UserError
from store.migrate import upgrade

ROWS = 60_000  # 43 bytes each
# Bytes read, in the third block of about 24,000 rows (a million characters): the 45,000
# rows of the first two went out in chunks of 5,000, each sent once the one before was stored.
PAST_50_000_ROWS = 50_000 * 43


@pytest.fixture
def big_import(tmp_path, sqlite_url, monkeypatch):
    """A database, a file of ROWS visits, loaders recorded, a commit every 5,000 rows."""
    ready_db(sqlite_url, tmp_path)
    lines = [
        f"09{i:08d},DN-{i % 5 + 1:04d},2021-10-07 {i % 24:02d}:{i % 60:02d}:00,,qr"
        for i in range(ROWS)
    ]
    path = write(tmp_path, "c.csv", "phone,location_code,checked_in_at,checked_out_at,source\n")
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    loaders: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        loaders.append(real_popen(*args, **kwargs))
        return loaders[-1]

    monkeypatch.setattr(bulk.subprocess, "Popen", recording_popen)
    monkeypatch.setattr(bulk.SqliteCheckinWriter, "commit_rows", 5_000)
    return path, loaders


def interrupt_at(byte_count: int, act):
    """An on_read callback that calls `act` once, when the importer has read byte_count."""
    reads = []

    def on_read(count: int) -> None:
        reads.append(count)
        if sum(reads) >= byte_count > sum(reads[:-1]):
            act()

    return on_read


def import_again_adds_the_rest(url, path) -> None:
    again = hotline(url, "checkins", "import", str(path))
    summary = re.fullmatch(r"imported (\d+), skipped (\d+) duplicates, rejected 0\n", again.output)
    assert summary, again.output
    imported, kept = int(summary[1]), int(summary[2])
    assert kept >= 5 * 5_000 and imported > 0 and imported + kept == ROWS


def test_a_killed_loader_keeps_its_commits_and_a_second_import_adds_the_rest(
    big_import, sqlite_url
):
    path, loaders = big_import
    kill = interrupt_at(PAST_50_000_ROWS, lambda: os.kill(loaders[0].pid, signal.SIGKILL))
    engine = make_engine(sqlite_url)
    with pytest.raises(UserError) as stopped:
        import_checkins(engine, path, on_read=kill, chunk_rows=5_000)
    engine.dispose()
    assert str(stopped.value) == (
        f"the check-in loader process stopped (exit code {-signal.SIGKILL}); the rows stored "
        "before are kept: run the same import again to add the rest"
    )
    import_again_adds_the_rest(sqlite_url, path)


def test_ctrl_c_keeps_what_was_stored_and_the_loader_ends_cleanly(big_import, sqlite_url):
    path, loaders = big_import

    def ctrl_c() -> None:
        raise KeyboardInterrupt

    engine = make_engine(sqlite_url)
    with pytest.raises(KeyboardInterrupt):
        import_checkins(
            engine, path, on_read=interrupt_at(PAST_50_000_ROWS, ctrl_c), chunk_rows=5_000
        )
    engine.dispose()
    assert loaders[0].returncode == 0  # it committed and left, no traceback
    import_again_adds_the_rest(sqlite_url, path)


def test_a_database_in_memory_is_stored_without_a_loader_process(tmp_path, monkeypatch):
    # No file for another process to open: the importer stores the rows itself.
    monkeypatch.setattr(bulk.subprocess, "Popen", None)  # starting a process would fail
    engine = make_engine("sqlite://")
    upgrade(engine)
    import_locations(engine, write(tmp_path, "l.csv", "code,name\nDN-0001,Chợ Hàn\n"))
    text = "phone,location_code,checked_in_at\n0905123456,DN-0001,2021-10-07 09:00\n"
    summary = import_checkins(engine, write(tmp_path, "c.csv", text + text.split("\n")[1] + "\n"))
    assert summary.line() == "imported 1, skipped 1 duplicates, rejected 0"

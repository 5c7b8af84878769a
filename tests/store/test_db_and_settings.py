"""Schema lifecycle and where the database URL comes from."""

import sqlalchemy as sa
from hotline_cli import hotline

from cli.settings import Settings
from dialer.csvinput import excel_safe
from store.migrate import head_revision


def test_db_init_creates_then_reports_up_to_date(database_url):
    shown = sa.engine.make_url(database_url).render_as_string(hide_password=True)
    first = hotline(database_url, "db", "init")
    assert (first.exit_code, first.output) == (
        0,
        f"created database {shown} (revision {head_revision()})\n",
    )
    again = hotline(database_url, "db", "upgrade")
    assert again.output == f"database {shown} is up to date (revision {head_revision()})\n"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'h.db'}"
    assert hotline(url, "db", "init").exit_code == 0
    from store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_unreachable_server_is_one_line():
    result = hotline("postgresql+psycopg://nobody@127.0.0.1:1/none", "db", "init")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot connect to the database: ")
    assert result.output.count("\n") == 1


def test_url_precedence_option_env_file_default(tmp_path, monkeypatch):
    config = tmp_path / "hotline.toml"
    config.write_text('[database]\nurl = "sqlite:///from-file.db"\n', encoding="utf-8")
    env = {"HOTLINE_DATABASE_URL": "sqlite:///from-env.db"}
    assert Settings.load(str(config), "sqlite:///opt.db", environ=env).database_url == (
        "sqlite:///opt.db"
    )
    assert Settings.load(str(config), environ=env).database_url == "sqlite:///from-env.db"
    assert Settings.load(str(config), environ={}).database_url == "sqlite:///from-file.db"
    monkeypatch.chdir(tmp_path / "..")
    assert Settings.load(environ={}).database_url == "sqlite:///var/hotline.db"


def test_missing_or_broken_config_is_one_line(tmp_path):
    missing = hotline("sqlite://", "--config", str(tmp_path / "nope.toml"), "db", "init")
    assert (missing.exit_code, missing.output) == (
        1,
        (
            f"Error: config file {tmp_path / 'nope.toml'} not found "
            "(check --config or HOTLINE_CONFIG)\n"
        ),
    )
    broken = tmp_path / "bad.toml"
    broken.write_text("[database\n", encoding="utf-8")
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["--config", str(broken), "db", "init"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: config file {broken} is not valid TOML")


def test_excel_safe_keeps_phones_and_neutralises_formulas():
    assert excel_safe("+84905123456") == "+84905123456"
    assert excel_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert excel_safe("@SUM(A1)") == "'@SUM(A1)"
    assert excel_safe("-1+2") == "'-1+2"
    assert excel_safe("Chợ Hàn") == "Chợ Hàn"


def test_bulk_text_is_exactly_what_the_orm_stores_on_sqlite(tmp_path):
    """The importer writes timestamps as text without SQLAlchemy; the matcher compares them
    with ORM-bound values, so the two texts must be identical or ranges go wrong."""
    from datetime import UTC, datetime, timedelta, timezone

    from store.db import make_engine, session_factory
    from store.migrate import upgrade
    from store.models import OptOut
    from store.types import sqlite_text

    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(engine)
    moments = [
        datetime(2021, 10, 7, 2, 0, tzinfo=UTC),
        datetime(2021, 10, 7, 9, 0, 5, 123, tzinfo=timezone(timedelta(hours=7))),
    ]
    with session_factory(engine).begin() as s:
        s.add_all(OptOut(phone=f"+8490512345{i}", since=m) for i, m in enumerate(moments))
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT since FROM opt_out ORDER BY phone").scalars().all()
    engine.dispose()
    assert stored == [sqlite_text(m) for m in moments]

"""Shared fixtures: a fresh SQLite database per test, and PostgreSQL when CI provides one."""

from __future__ import annotations

import os
import uuid

import pytest

POSTGRES_ENV = "HOTLINE_TEST_POSTGRES_URL"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hotline.db'}"


@pytest.fixture
def postgres_url() -> str:
    """A throwaway schema-free database URL on the test server.

    Skips with a reason when HOTLINE_TEST_POSTGRES_URL is unset; when it is set (CI),
    an unreachable server is a failure, not a skip.
    """
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL tests need a server")
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"hotline_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{POSTGRES_ENV}={url} is set but the server is unreachable: {exc}")
    test_url = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    yield test_url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (skipped without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(autouse=True, scope="session")
def _masked_logs_and_a_known_secret():
    """As every `hotline` command does: phone numbers masked in every log record. And the
    signing secret set in the environment, so `db init` never writes a hotline.toml into
    the checkout (tests of that unset HOTLINE_SECRET in their own folder)."""
    from suite_secrets import SUITE_SIGNING_SECRET

    from store.logmask import hide_in_logs, install_log_masking

    install_log_masking(show_phones=False)
    hide_in_logs(SUITE_SIGNING_SECRET)
    previous = os.environ.get("HOTLINE_SECRET")
    os.environ["HOTLINE_SECRET"] = SUITE_SIGNING_SECRET
    yield
    if previous is None:
        os.environ.pop("HOTLINE_SECRET", None)
    else:
        os.environ["HOTLINE_SECRET"] = previous


@pytest.fixture(autouse=True, scope="session")
def _no_database_in_the_checkout(tmp_path_factory):
    """Commands run by tests without --database-url (subprocesses included) use a scratch
    SQLite file, never the checkout's var/hotline.db."""
    scratch = tmp_path_factory.mktemp("default-db") / "hotline.db"
    previous = os.environ.get("HOTLINE_DATABASE_URL")
    os.environ["HOTLINE_DATABASE_URL"] = f"sqlite:///{scratch}"
    yield
    if previous is None:
        os.environ.pop("HOTLINE_DATABASE_URL", None)
    else:
        os.environ["HOTLINE_DATABASE_URL"] = previous


@pytest.fixture(autouse=True, scope="session")
def _no_sounds_in_the_checkout(tmp_path_factory):
    """Commands run by tests without --sounds-dir (`locations import` builds place names)
    use a scratch folder that does not exist, never the checkout's prompts/sounds."""
    scratch = tmp_path_factory.mktemp("default-sounds") / "sounds"
    previous = os.environ.get("HOTLINE_SOUNDS_DIR")
    os.environ["HOTLINE_SOUNDS_DIR"] = str(scratch)
    yield
    if previous is None:
        os.environ.pop("HOTLINE_SOUNDS_DIR", None)
    else:
        os.environ["HOTLINE_SOUNDS_DIR"] = previous

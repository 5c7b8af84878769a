"""One database holding known_campaign's rows, on SQLite and on PostgreSQL, shared by the
report tests (they only read it, and add export_audit rows)."""

import os
import uuid

import pytest
import sqlalchemy as sa
from known_campaign import fill

from store.db import make_engine, session_factory
from store.migrate import upgrade

POSTGRES_ENV = "HOTLINE_TEST_POSTGRES_URL"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def known_db(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('known') / 'hotline.db'}"
        yield _filled(url)
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL tests need a server")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"hotline_reports_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    yield _filled(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _filled(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        fill(session)
    engine.dispose()
    return url

"""Migrations: head matches the models, and an old database upgrades with its data kept."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store.db import make_engine
from store.migrate import alembic_config, current_revision, head_revision, upgrade
from store.models import Base


def test_head_schema_is_exactly_the_models(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_a_first_revision_database_upgrades_with_its_check_ins(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0001")
    when = datetime(2021, 10, 7, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO location (code, name, address, ward, district, "
                "max_stay_s) VALUES ('DN-0001', 'Chợ Hàn', '', '', '', 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO checkin (phone, location_id, checked_in_at, source) "
                "VALUES ('+84905123456', 1, :t, 'qr')"
            ),
            {"t": when if engine.dialect.name == "postgresql" else "2021-10-07 02:00:00.000000"},
        )
    before, after = upgrade(engine)
    assert (before, after) == ("0001", head_revision()) and current_revision(engine) == after
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT phone FROM checkin")).scalars().all() == [
            "+84905123456"
        ]
    engine.dispose()

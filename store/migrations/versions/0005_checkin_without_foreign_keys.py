"""check-ins without foreign keys: the importer's merge no longer checks two per row

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00

PostgreSQL checks a foreign key with a query and a row lock per inserted row: on 300,000
check-ins the merge took 5.0 s with the two keys on checkin (location_id, batch_id) and
2.6 s without. The importer is the only writer of checkin; it takes every location_id from
the location table and batch_id from the batch it has just made, and nothing deletes
locations or batches, so the keys guarded nothing the code does. On SQLite the table is
rebuilt (its keys have no names there, hence the naming convention).
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Names the foreign keys get on each database: PostgreSQL's own, the convention on SQLite.
KEYS = [
    ("batch_id", "import_batch"),
    ("location_id", "location"),
]
SQLITE_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _name(column: str, table: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"checkin_{column}_fkey"
    return f"fk_checkin_{column}_{table}"


def upgrade() -> None:
    with op.batch_alter_table("checkin", naming_convention=SQLITE_NAMING) as batch_op:
        for column, table in KEYS:
            batch_op.drop_constraint(_name(column, table), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("checkin", naming_convention=SQLITE_NAMING) as batch_op:
        for column, table in KEYS:
            batch_op.create_foreign_key(_name(column, table), table, [column], ["id"])

"""one check-in index: unique (location, time, phone) also serves the matcher

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:20:00

The import benchmark showed index upkeep, not Python, bounding the import: two indexes on
checkin meant two random page writes per row. (location_id, checked_in_at, phone) is both
the uniqueness rule and the matcher's range scan, so the second index goes.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_location_time")
        batch_op.drop_constraint("uq_checkin_visit", type_="unique")
        batch_op.create_unique_constraint(
            "uq_checkin_visit", ["location_id", "checked_in_at", "phone"]
        )


def downgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_constraint("uq_checkin_visit", type_="unique")
        batch_op.create_unique_constraint(
            "uq_checkin_visit", ["phone", "location_id", "checked_in_at"]
        )
        batch_op.create_index(
            "ix_checkin_location_time", ["location_id", "checked_in_at"], unique=False
        )

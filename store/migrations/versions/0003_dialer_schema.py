"""the dialer, the rest of the menu tree, reports and feedback: the schema they need

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:47:33

One revision for the open issues' schema, so that work on them can go on side by side:
campaign policy (calling days, retries per outcome, ring timeout, deadline, suppression,
AMD, recording), the attempt's state and funnel, numbers the network called bad, the
scheduler's lease, dialer heartbeats, appointment replies, follow-up flags on declarations,
feedback length and the audit of unmasked exports. Existing rows get the defaults.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dialer_worker",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("started_at", store.types.UtcDateTime(), nullable=False),
        sa.Column("heartbeat_at", store.types.UtcDateTime(), nullable=False),
        sa.Column("channels_in_use", sa.Integer(), nullable=False),
        sa.Column("ami_connected", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "export_audit",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", store.types.UtcDateTime(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", store.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "bad_number",
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.Integer(), nullable=True),
        sa.Column("cause_txt", sa.String(length=64), nullable=False),
        sa.Column("since", store.types.UtcDateTime(), nullable=False),
        sa.Column("attempt_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["call_attempt.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("phone"),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="booked")
        )
        batch_op.add_column(sa.Column("responded_at", store.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_appointment_slot", ["slot_start"], unique=False)
        batch_op.create_unique_constraint("uq_appointment", ["phone", "slot_start", "site"])
        batch_op.create_foreign_key("fk_appointment_batch", "import_batch", ["batch_id"], ["id"])

    with op.batch_alter_table("call_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempt_no", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("worker", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("reason", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cause_txt", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("amd_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("notice_heard_at", store.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("key_pressed", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("declaration_id", BigId, nullable=True))
        batch_op.create_index(
            "ix_call_attempt_number_time", ["number", "originated_at"], unique=False
        )
        batch_op.create_index(
            "ix_call_attempt_live",
            ["contact_id"],
            unique=False,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.create_foreign_key(
            "fk_call_attempt_declaration",
            "declaration",
            ["declaration_id"],
            ["id"],
            ondelete="SET NULL",
        )

    defaults = [
        ("calling_days", sa.String(length=32), "mon-sun"),
        ("retry_busy_s", sa.Integer(), "600"),
        ("retry_no_answer_s", sa.Integer(), "1800"),
        ("retry_failed_s", sa.Integer(), "300"),
        ("retry_machine_s", sa.Integer(), "3600"),
        ("ring_timeout_s", sa.Integer(), "30"),
        ("suppress_s", sa.Integer(), "86400"),
        ("amd", sa.Boolean(), sa.false()),
        ("leave_message", sa.Boolean(), sa.false()),
        ("record", sa.Boolean(), sa.false()),
    ]
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", store.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("finished_at", store.types.UtcDateTime(), nullable=True))
        for name, type_, default in defaults:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch_op.add_column(sa.Column("deadline_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline_at", store.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("appointment_day", sa.Date(), nullable=True))

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("final_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reached_at", store.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("appointment_id", BigId, nullable=True))
        batch_op.drop_index("ix_contact_due")
        batch_op.create_index(
            "ix_contact_due",
            ["campaign_id", "status", "priority", "checked_in_at", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index("ix_contact_phone", ["phone"], unique=False)
        batch_op.create_foreign_key(
            "fk_contact_appointment",
            "appointment",
            ["appointment_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follow_up", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_s", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("duration_s")

    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.drop_column("follow_up")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contact_appointment", type_="foreignkey")
        batch_op.drop_index("ix_contact_phone")
        batch_op.drop_index("ix_contact_due")
        batch_op.create_index(
            "ix_contact_due", ["campaign_id", "status", "next_attempt_at"], unique=False
        )
        for name in ("appointment_id", "reached_at", "final_reason", "last_outcome"):
            batch_op.drop_column(name)

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        for name in (
            "appointment_day",
            "record",
            "leave_message",
            "amd",
            "suppress_s",
            "deadline_at",
            "deadline_s",
            "ring_timeout_s",
            "retry_machine_s",
            "retry_failed_s",
            "retry_no_answer_s",
            "retry_busy_s",
            "calling_days",
            "finished_at",
            "started_at",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("call_attempt", schema=None) as batch_op:
        batch_op.drop_constraint("fk_call_attempt_declaration", type_="foreignkey")
        batch_op.drop_index("ix_call_attempt_live")
        batch_op.drop_index("ix_call_attempt_number_time")
        for name in (
            "declaration_id",
            "key_pressed",
            "notice_heard_at",
            "amd_status",
            "cause_txt",
            "reason",
            "state",
            "worker",
            "attempt_no",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_appointment_batch", type_="foreignkey")
        batch_op.drop_constraint("uq_appointment", type_="unique")
        batch_op.drop_index("ix_appointment_slot")
        for name in ("batch_id", "responded_at", "status"):
            batch_op.drop_column(name)

    op.drop_table("bad_number")
    op.drop_table("lease")
    op.drop_table("export_audit")
    op.drop_table("dialer_worker")

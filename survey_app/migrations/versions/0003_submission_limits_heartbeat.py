"""Submission attempts (for the per-address and per-form limits) and the readiness heartbeat.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 07:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("form_key", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_attempts")),
    )
    with op.batch_alter_table("submission_attempts") as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_attempts_at"), ["at"], unique=False)
        batch_op.create_index("ix_submission_attempts_client", ["client_key", "at"], unique=False)
        batch_op.create_index("ix_submission_attempts_form", ["form_key", "at"], unique=False)
    op.create_table(
        "heartbeats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
    with op.batch_alter_table("submission_attempts") as batch_op:
        batch_op.drop_index("ix_submission_attempts_form")
        batch_op.drop_index("ix_submission_attempts_client")
        batch_op.drop_index(batch_op.f("ix_submission_attempts_at"))
    op.drop_table("submission_attempts")

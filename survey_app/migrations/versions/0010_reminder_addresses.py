"""Optional follow-up reminders: a switch per training and addresses kept apart from answers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.add_column(
            sa.Column("reminders", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "reminder_addresses",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["trainings.id"],
            name=op.f("fk_reminder_addresses_training_id_trainings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_addresses")),
        sa.UniqueConstraint("training_id", "email", name="one_per_address"),
    )
    op.create_index(
        op.f("ix_reminder_addresses_training_id"), "reminder_addresses", ["training_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reminder_addresses_training_id"), table_name="reminder_addresses")
    op.drop_table("reminder_addresses")
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.drop_column("reminders")

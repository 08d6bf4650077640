"""Group minimums per training (k, k_text), frozen when collection opens; near-miss tags of
participant codes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.add_column(
            sa.Column("min_group_size", sa.Integer(), server_default="5", nullable=False)
        )
        batch_op.add_column(
            sa.Column("min_text_group_size", sa.Integer(), server_default="10", nullable=False)
        )
        batch_op.add_column(
            sa.Column("group_minimums_frozen_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint("group_minimum_floor", "min_group_size >= 3")
        batch_op.create_check_constraint("text_minimum_floor", "min_text_group_size >= 3")
    # Trainings that have already opened collected answers under the old default: freeze
    # them now, so their minimums can no longer fall.
    op.execute(
        "UPDATE trainings SET group_minimums_frozen_at = CURRENT_TIMESTAMP WHERE status <> 'draft'"
    )
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(sa.Column("near_miss_tags", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_column("near_miss_tags")
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.drop_constraint(op.f("ck_trainings_text_minimum_floor"), type_="check")
        batch_op.drop_constraint(op.f("ck_trainings_group_minimum_floor"), type_="check")
        batch_op.drop_column("group_minimums_frozen_at")
        batch_op.drop_column("min_text_group_size")
        batch_op.drop_column("min_group_size")

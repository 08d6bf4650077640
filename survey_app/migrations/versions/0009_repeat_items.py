"""Answers: the item of a repeated section ("Add another") each answer belongs to.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(sa.Column("instance", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("one_per_item", type_="unique")
        batch_op.create_unique_constraint(
            "one_per_item", ["response_id", "question_id", "instance", "item"]
        )
        batch_op.create_check_constraint("instance_not_negative", "instance >= 0")


def downgrade() -> None:
    # Answers of the second and later items have no place in the old table.
    op.execute("DELETE FROM answers WHERE instance > 1")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_constraint(op.f("ck_answers_instance_not_negative"), type_="check")
        batch_op.drop_constraint("one_per_item", type_="unique")
        batch_op.create_unique_constraint("one_per_item", ["response_id", "question_id", "item"])
        batch_op.drop_column("instance")

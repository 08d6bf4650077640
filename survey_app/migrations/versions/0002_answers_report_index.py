"""Answers: one covering index for the report aggregates.

It replaces (question_id, option_value): every report query filters on a question, joins on
the response and reads only these columns, so with them all in the index the database
answers from the index alone (SQL time of the 10,000-response report: about -35%).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:02:23.284668
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["question_id", "response_id", "row", "option_value", "number_value", "rank"]


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_index("ix_answers_question_option")
        batch_op.create_index("ix_answers_report", COLUMNS)


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_index("ix_answers_report")
        batch_op.create_index("ix_answers_question_option", ["question_id", "option_value"])

"""A third phase, follow-up, answered weeks or months after a training; programmes that
group trainings.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FK_FOLLOWUP = "fk_trainings_followup_version_id_content_versions"
FK_PROGRAMME = "fk_trainings_programme_id_programmes"
THREE = "('pre', 'post', 'followup')"
TWO = "('pre', 'post')"


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_programmes_name")),
    )
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.add_column(
            sa.Column("followup_questionnaire_id", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("followup_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            FK_FOLLOWUP, "content_versions", ["followup_version_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            FK_PROGRAMME, "programmes", ["programme_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_trainings_programme_id", ["programme_id"], unique=False)
    _phases("responses", "phase IS NULL OR phase IN " + THREE, 16)
    _phases("participant_links", "phase IN " + THREE, 16)


def downgrade() -> None:
    op.execute("DELETE FROM participant_links WHERE phase = 'followup'")
    _phases("participant_links", "phase IN " + TWO, 4)
    # Follow-up answers cannot be kept in a schema without the phase: refuse rather than
    # silently delete participants' answers.
    _phases("responses", "phase IS NULL OR phase IN " + TWO, 4)
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.drop_index("ix_trainings_programme_id")
        batch_op.drop_constraint(FK_PROGRAMME, type_="foreignkey")
        batch_op.drop_constraint(FK_FOLLOWUP, type_="foreignkey")
        batch_op.drop_column("programme_id")
        batch_op.drop_column("followup_version_id")
        batch_op.drop_column("followup_questionnaire_id")
    op.drop_table("programmes")


def _phases(table: str, check: str, width: int) -> None:
    """Replace the table's phase CHECK and resize its phase column (batch: SQLite too)."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_phase_known"), type_="check")
        batch_op.alter_column("phase", type_=sa.String(length=width))
        batch_op.create_check_constraint("phase_known", check)

"""Content versions: published questionnaire/report definitions, drafts and the stamp workers
compare per request; responses and trainings point at the version answered; an editor role.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05 07:09:42.919081
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

FK_RESPONSE = "fk_responses_version_id_content_versions"
FK_PRE = "fk_trainings_pre_version_id_content_versions"
FK_POST = "fk_trainings_post_version_id_content_versions"


def upgrade() -> None:
    op.create_table(
        "content_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=254), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_drafts")),
    )
    stamp = op.create_table(
        "content_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_stamp")),
    )
    # The one row publishers increment: present from the start, so two first publishes on
    # PostgreSQL queue on its row lock instead of both inserting it.
    op.bulk_insert(stamp, [{"id": 1, "value": 0}])
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "format IN ('yaml', 'xlsform')", name=op.f("ck_content_versions_format_known")
        ),
        sa.CheckConstraint(
            "kind IN ('questionnaire', 'report')", name=op.f("ck_content_versions_kind_known")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_content_versions_number_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
        sa.UniqueConstraint("kind", "content_id", "number", name="one_number"),
    )
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_responses_version_id", ["version_id"], unique=False)
        batch_op.create_foreign_key(
            FK_RESPONSE, "content_versions", ["version_id"], ["id"], ondelete="RESTRICT"
        )
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.add_column(sa.Column("pre_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("post_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            FK_POST, "content_versions", ["post_version_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            FK_PRE, "content_versions", ["pre_version_id"], ["id"], ondelete="RESTRICT"
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", "role IN ('admin', 'editor', 'staff')")


def downgrade() -> None:
    # Editors become plain staff: the old constraint knows no other role.
    op.execute("UPDATE users SET role = 'staff' WHERE role = 'editor'")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", "role IN ('admin', 'staff')")
    with op.batch_alter_table("trainings") as batch_op:
        batch_op.drop_constraint(FK_PRE, type_="foreignkey")
        batch_op.drop_constraint(FK_POST, type_="foreignkey")
        batch_op.drop_column("post_version_id")
        batch_op.drop_column("pre_version_id")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_constraint(FK_RESPONSE, type_="foreignkey")
        batch_op.drop_index("ix_responses_version_id")
        batch_op.drop_column("version_id")
    op.drop_table("content_versions")
    op.drop_table("content_stamp")
    op.drop_table("content_drafts")

"""jobs (state, progress, leases), their inputs and per-row errors, and the keys of imported rows

Revision ID: 1110
Revises: 0001
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1110"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _account_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts"), ondelete="CASCADE"
    )


def _job_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["job_id"], ["jobs.id"], name=op.f(f"fk_{table}_job_id_jobs"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("input_digest", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_id", sa.String(length=36), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _account_key("jobs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_account_created", "jobs", ["account_id", "created_at"], unique=False)
    op.create_index("ix_jobs_account_digest", "jobs", ["account_id", "input_digest"], unique=False)
    op.create_index("ix_jobs_account_subject", "jobs", ["account_id", "subject"], unique=False)
    op.create_index("ix_jobs_queue", "jobs", ["state", "locked_until"], unique=False)
    op.create_table(
        "job_inputs",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _account_key("job_inputs"),
        _job_key("job_inputs"),
        sa.PrimaryKeyConstraint("account_id", "job_id", "part", name=op.f("pk_job_inputs")),
    )
    op.create_table(
        "job_errors",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=True),
        sa.Column("field", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        _account_key("job_errors"),
        _job_key("job_errors"),
        sa.PrimaryKeyConstraint("account_id", "job_id", "line", name=op.f("pk_job_errors")),
    )
    op.create_table(
        "import_keys",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _account_key("import_keys"),
        sa.PrimaryKeyConstraint("account_id", "kind", "key", name=op.f("pk_import_keys")),
    )


def downgrade() -> None:
    op.drop_table("import_keys")
    op.drop_table("job_errors")
    op.drop_table("job_inputs")
    op.drop_index("ix_jobs_queue", table_name="jobs")
    op.drop_index("ix_jobs_account_subject", table_name="jobs")
    op.drop_index("ix_jobs_account_digest", table_name="jobs")
    op.drop_index("ix_jobs_account_created", table_name="jobs")
    op.drop_table("jobs")

"""affiliate console: commission review, keyset indexes of the console's and the portal's lists

Revision ID: 0910
Revises: 0500
Create Date: 2026-12-02 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0910"
down_revision: str | Sequence[str] | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_commissions_account_affiliate_created",
            ["account_id", "affiliate_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_commissions_account_workspace_created",
            ["account_id", "workspace_id", "created_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliates_account_workspace_created",
            ["account_id", "workspace_id", "created_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("affiliate_payouts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliate_payouts_account_workspace",
            ["account_id", "workspace_id", "created_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("referred_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referred_users_account_affiliate_created",
            ["account_id", "affiliate_id", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("referred_users", schema=None) as batch_op:
        batch_op.drop_index("ix_referred_users_account_affiliate_created")
    with op.batch_alter_table("affiliate_payouts", schema=None) as batch_op:
        batch_op.drop_index("ix_affiliate_payouts_account_workspace")
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.drop_index("ix_affiliates_account_workspace_created")
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.drop_index("ix_commissions_account_workspace_created")
        batch_op.drop_index("ix_commissions_account_affiliate_created")
        batch_op.drop_column("approved_at")

"""affiliate portal: single-use sign-in links, workspace portal settings, payout details, self sign-up

Revision ID: 0900
Revises: 0200
Create Date: 2026-12-02 07:05:30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0900"
down_revision: str | Sequence[str] | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affiliate_portal_links",
        sa.Column("affiliate_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_portal_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["affiliate_id"],
            ["affiliates.id"],
            name=op.f("fk_affiliate_portal_links_affiliate_id_affiliates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliate_portal_links")),
    )
    with op.batch_alter_table("affiliate_portal_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliate_portal_links_account_affiliate",
            ["account_id", "affiliate_id", "created_at"],
            unique=False,
        )
        batch_op.create_index("uq_affiliate_portal_links_token_hash", ["token_hash"], unique=True)

    # Campaigns stay closed to self sign-up until a manager opens them.
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allows_self_signup", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payout_reference", sa.String(length=500), nullable=True))
    # No site may frame a portal until its workspace names one; amounts read in US dollars until set.
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("portal_frame_origins", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default=sa.text("'USD'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("portal_frame_origins")
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.drop_column("payout_reference")
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.drop_column("allows_self_signup")
    with op.batch_alter_table("affiliate_portal_links", schema=None) as batch_op:
        batch_op.drop_index("uq_affiliate_portal_links_token_hash")
        batch_op.drop_index("ix_affiliate_portal_links_account_affiliate")
    op.drop_table("affiliate_portal_links")

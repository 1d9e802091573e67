"""affiliate: campaigns, affiliates, links, referred users, commissions

Revision ID: 0200
Revises: 0001
Create Date: 2026-11-22 03:16:22.732386
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affiliate_campaigns",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_name", sa.String(length=200), nullable=False),
        sa.Column("commission_type", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("minimum_payout_amount", sa.BigInteger(), nullable=False),
        sa.Column("payout_id", sa.String(length=36), nullable=False),
        sa.Column("payout_term", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("requires_approval_to_join", sa.Boolean(), nullable=False),
        sa.Column("collect_additional_info", sa.Boolean(), nullable=False),
        sa.Column("hide_customer_email", sa.Boolean(), nullable=False),
        sa.Column("affiliate_portal_welcome_message", sa.Text(), nullable=False),
        sa.Column("affiliate_dashboard_text", sa.Text(), nullable=False),
        sa.Column("stripe_coupon_id", sa.String(length=255), nullable=False),
        sa.Column("allowed_url_parameters", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("cookie_duration_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_campaigns_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_affiliate_campaigns_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliate_campaigns")),
    )
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliate_campaigns_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_affiliate_campaigns_account_workspace",
            ["account_id", "workspace_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_affiliate_campaigns_default",
            ["account_id", "workspace_id"],
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )

    op.create_table(
        "affiliates",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payout_email", sa.String(length=320), nullable=True),
        sa.Column("payout_method", sa.String(length=16), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliates_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["affiliate_campaigns.id"],
            name=op.f("fk_affiliates_campaign_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_affiliates_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliates")),
    )
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.create_index("ix_affiliates_account_campaign", ["account_id", "campaign_id"], unique=False)
        batch_op.create_index("ix_affiliates_account_created", ["account_id", "created_at"], unique=False)
        batch_op.create_index(
            "uq_affiliates_account_workspace_email", ["account_id", "workspace_id", "email_key"], unique=True
        )

    op.create_table(
        "affiliate_links",
        sa.Column("affiliate_id", sa.String(length=36), nullable=False),
        sa.Column("referral_code", sa.String(length=64), nullable=False),
        sa.Column("code_key", sa.String(length=64), nullable=False),
        sa.Column("url_parameter", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["affiliate_id"],
            ["affiliates.id"],
            name=op.f("fk_affiliate_links_affiliate_id_affiliates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliate_links")),
    )
    with op.batch_alter_table("affiliate_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliate_links_account_affiliate", ["account_id", "affiliate_id", "created_at"], unique=False
        )
        batch_op.create_index("uq_affiliate_links_account_code", ["account_id", "code_key"], unique=True)

    op.create_table(
        "commissions",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("affiliate_id", sa.String(length=36), nullable=False),
        sa.Column("referred_user", sa.String(length=320), nullable=False),
        sa.Column("referred_key", sa.String(length=320), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("admin_earned_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("commission_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payout_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("invoice_id", sa.String(length=255), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_commissions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["affiliate_id"],
            ["affiliates.id"],
            name=op.f("fk_commissions_affiliate_id_affiliates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["affiliate_campaigns.id"],
            name=op.f("fk_commissions_campaign_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_commissions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissions")),
    )
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commissions_account_affiliate", ["account_id", "affiliate_id"], unique=False
        )
        batch_op.create_index("ix_commissions_account_campaign", ["account_id", "campaign_id"], unique=False)
        batch_op.create_index("ix_commissions_account_created", ["account_id", "created_at"], unique=False)
        batch_op.create_index("ix_commissions_account_referred", ["account_id", "referred_key"], unique=False)

    op.create_table(
        "referred_users",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("affiliate_id", sa.String(length=36), nullable=False),
        sa.Column("referred_to", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("admin_earned_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payout_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("is_self_referral", sa.Boolean(), nullable=False),
        sa.Column("invoice_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_referred_users_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["affiliate_id"],
            ["affiliates.id"],
            name=op.f("fk_referred_users_affiliate_id_affiliates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["affiliate_campaigns.id"],
            name=op.f("fk_referred_users_campaign_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_referred_users_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referred_users")),
    )
    with op.batch_alter_table("referred_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referred_users_account_affiliate", ["account_id", "affiliate_id"], unique=False
        )
        batch_op.create_index(
            "ix_referred_users_account_campaign", ["account_id", "campaign_id"], unique=False
        )
        batch_op.create_index("ix_referred_users_account_created", ["account_id", "created_at"], unique=False)
        batch_op.create_index("uq_referred_users_account_email", ["account_id", "email_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("referred_users", schema=None) as batch_op:
        batch_op.drop_index("uq_referred_users_account_email")
        batch_op.drop_index("ix_referred_users_account_created")
        batch_op.drop_index("ix_referred_users_account_campaign")
        batch_op.drop_index("ix_referred_users_account_affiliate")

    op.drop_table("referred_users")
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.drop_index("ix_commissions_account_referred")
        batch_op.drop_index("ix_commissions_account_created")
        batch_op.drop_index("ix_commissions_account_campaign")
        batch_op.drop_index("ix_commissions_account_affiliate")

    op.drop_table("commissions")
    with op.batch_alter_table("affiliate_links", schema=None) as batch_op:
        batch_op.drop_index("uq_affiliate_links_account_code")
        batch_op.drop_index("ix_affiliate_links_account_affiliate")

    op.drop_table("affiliate_links")
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.drop_index("uq_affiliates_account_workspace_email")
        batch_op.drop_index("ix_affiliates_account_created")
        batch_op.drop_index("ix_affiliates_account_campaign")

    op.drop_table("affiliates")
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_affiliate_campaigns_default",
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )
        batch_op.drop_index("ix_affiliate_campaigns_account_workspace")
        batch_op.drop_index("ix_affiliate_campaigns_account_created")

    op.drop_table("affiliate_campaigns")

"""coupon redemptions, referral codes, referrals, punch cards

Revision ID: 0700
Revises: 0100, 0400
Create Date: 2026-11-22 04:16:56.531632
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0700"
down_revision: str | Sequence[str] | None = ("0100", "0400")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_coupon_redemptions",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("platform", sa.String(length=100), nullable=True),
        sa.Column("store_id", sa.String(length=255), nullable=True),
        sa.Column("channel_id", sa.String(length=255), nullable=True),
        sa.Column("budget_spent", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_coupon_redemptions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_coupon_redemptions")),
    )
    with op.batch_alter_table("loyalty_coupon_redemptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_coupon_redemptions_customer", ["account_id", "customer_id"], unique=False
        )
        batch_op.create_index("uq_loyalty_coupon_redemptions_code", ["account_id", "code"], unique=True)

    op.create_table(
        "loyalty_punch_cards",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("punches", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_punch_cards_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_punch_cards")),
    )
    with op.batch_alter_table("loyalty_punch_cards", schema=None) as batch_op:
        batch_op.create_index(
            "uq_loyalty_punch_cards_card", ["account_id", "customer_id", "campaign_id", "number"], unique=True
        )

    op.create_table(
        "loyalty_referral_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("uses_count", sa.Integer(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_referral_codes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_referral_codes")),
    )
    with op.batch_alter_table("loyalty_referral_codes", schema=None) as batch_op:
        batch_op.create_index("uq_loyalty_referral_codes_code", ["account_id", "code"], unique=True)
        batch_op.create_index(
            "uq_loyalty_referral_codes_owner", ["account_id", "customer_id", "campaign_id"], unique=True
        )

    op.create_table(
        "loyalty_referrals",
        sa.Column("referral_code_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("referrer_id", sa.String(length=36), nullable=False),
        sa.Column("referee_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referrer_rewarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_referrals_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_referrals")),
    )
    with op.batch_alter_table("loyalty_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_referrals_code", ["account_id", "referral_code_id"], unique=False)
        batch_op.create_index("uq_loyalty_referrals_referee", ["account_id", "referee_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("loyalty_referrals", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_referrals_referee")
        batch_op.drop_index("ix_loyalty_referrals_code")

    op.drop_table("loyalty_referrals")
    with op.batch_alter_table("loyalty_referral_codes", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_referral_codes_owner")
        batch_op.drop_index("uq_loyalty_referral_codes_code")

    op.drop_table("loyalty_referral_codes")
    with op.batch_alter_table("loyalty_punch_cards", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_punch_cards_card")

    op.drop_table("loyalty_punch_cards")
    with op.batch_alter_table("loyalty_coupon_redemptions", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_coupon_redemptions_code")
        batch_op.drop_index("ix_loyalty_coupon_redemptions_customer")

    op.drop_table("loyalty_coupon_redemptions")

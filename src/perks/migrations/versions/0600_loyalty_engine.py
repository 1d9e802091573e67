"""loyalty engine: campaign budgets and behavior events

Revision ID: 0600
Revises: 0100, 0400
Create Date: 2026-11-22 04:16:49.737697
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
revision: str = "0600"
down_revision: str | Sequence[str] | None = ("0100", "0400")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_campaign_budgets",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_campaign_budgets_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "campaign_id", "period_start", name=op.f("pk_loyalty_campaign_budgets")
        ),
    )
    op.create_table(
        "loyalty_events",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("customer_external_id", sa.String(length=255), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("purchase_id", sa.String(length=255), nullable=True),
        sa.Column("data", JSON_DOCUMENT, nullable=False),
        sa.Column("fulfilled", sa.Boolean(), nullable=False),
        sa.Column("reserve", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rewarding_campaigns", JSON_DOCUMENT, nullable=False),
        sa.Column("result", JSON_DOCUMENT, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reservation_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_events")),
    )
    with op.batch_alter_table("loyalty_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_events_customer", ["account_id", "customer_id", "issued_at"], unique=False
        )
        batch_op.create_index(
            "ix_loyalty_events_reservation_due",
            ["account_id", "status", "reservation_expires_at"],
            unique=False,
        )
        batch_op.create_index("uq_loyalty_events_purchase", ["account_id", "purchase_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("loyalty_events", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_events_purchase")
        batch_op.drop_index("ix_loyalty_events_reservation_due")
        batch_op.drop_index("ix_loyalty_events_customer")

    op.drop_table("loyalty_events")
    op.drop_table("loyalty_campaign_budgets")

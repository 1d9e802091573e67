"""console overview: a date index per chart that had none (events, coupon redemptions, new customers), and
the saved figures of closed hours

Revision ID: 0970
Revises: 0600, 0700
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0970"
down_revision: str | Sequence[str] | None = ("0600", "0700")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (table, columns). The overview's charts count each table's rows of a few days per day: one range of
# one of these instead of every row the account ever had.
INDEXES = {
    "ix_loyalty_events_account_created": ("loyalty_events", ["account_id", "created_at"]),
    "ix_loyalty_coupon_redemptions_redeemed": ("loyalty_coupon_redemptions", ["account_id", "redeemed_at"]),
    "ix_customers_created": ("customers", ["account_id", "created_at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)
    op.create_table(
        "loyalty_overview_hours",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column(
            "figures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_overview_hours_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "hour", name=op.f("pk_loyalty_overview_hours")),
    )


def downgrade() -> None:
    op.drop_table("loyalty_overview_hours")
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)

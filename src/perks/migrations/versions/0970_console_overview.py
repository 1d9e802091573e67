"""console overview: a date index per chart that had none (events, coupon redemptions, new customers)

Revision ID: 0970
Revises: 0600, 0700
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0970"
down_revision: str | Sequence[str] | None = ("0600", "0700")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (table, columns). The overview's charts count each table's rows of the last 30 days per day: one
# range of one of these instead of every row the account ever had.
INDEXES = {
    "ix_loyalty_events_account_created": ("loyalty_events", ["account_id", "created_at"]),
    "ix_loyalty_coupon_redemptions_redeemed": ("loyalty_coupon_redemptions", ["account_id", "redeemed_at"]),
    "ix_customers_registered": ("customers", ["account_id", "registration_date"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)

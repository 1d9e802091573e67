"""customers, wallets, wallet lines and ledger transactions

Revision ID: 0400
Revises: 0001
Create Date: 2026-11-22 03:19:36.570778
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0400"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "customers",
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_status", sa.String(length=32), nullable=True),
        sa.Column("registration_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_anonymous", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("document_type", sa.String(length=50), nullable=True),
        sa.Column("document_number", sa.String(length=50), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("tier_id", sa.String(length=36), nullable=True),
        sa.Column("referral_code", sa.String(length=64), nullable=True),
        sa.Column(
            "platforms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "devices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "consent",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_customers_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("uq_customers_email", ["account_id", "email"], unique=True)
        batch_op.create_index("uq_customers_external_id", ["account_id", "external_id"], unique=True)

    op.create_table(
        "wallets",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_wallets_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_wallets_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallets")),
    )
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.create_index("uq_wallets_customer", ["account_id", "customer_id"], unique=True)

    op.create_table(
        "ledger_transactions",
        sa.Column("wallet_id", sa.String(length=36), nullable=False),
        sa.Column("line_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reward_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=True),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=255), nullable=True),
        sa.Column("store_id", sa.String(length=255), nullable=True),
        sa.Column("funded_by", sa.String(length=64), nullable=True),
        sa.Column("reward_type", sa.String(length=32), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("sender_id", sa.String(length=255), nullable=True),
        sa.Column("receiver_id", sa.String(length=255), nullable=True),
        sa.Column("reverses_id", sa.String(length=36), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_ledger_transactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["wallets.id"],
            name=op.f("fk_ledger_transactions_wallet_id_wallets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_transactions_account_created", ["account_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_ledger_transactions_event", ["account_id", "event_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_transactions_wallet_created", ["account_id", "wallet_id", "created_at"], unique=False
        )
        batch_op.create_index("uq_ledger_transactions_reverses", ["account_id", "reverses_id"], unique=True)

    op.create_table(
        "wallet_lines",
        sa.Column("wallet_id", sa.String(length=36), nullable=False),
        sa.Column("reward_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=True),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expiration_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reservation_id", sa.String(length=64), nullable=True),
        sa.Column("reservation_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_line_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_wallet_lines_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"], ["wallets.id"], name=op.f("fk_wallet_lines_wallet_id_wallets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_lines")),
    )
    with op.batch_alter_table("wallet_lines", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_lines_due", ["account_id", "expiration_date"], unique=False)
        batch_op.create_index("ix_wallet_lines_reservation", ["account_id", "reservation_id"], unique=False)
        batch_op.create_index(
            "ix_wallet_lines_reservation_due", ["account_id", "reservation_expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_wallet_lines_wallet", ["account_id", "wallet_id", "reward_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("wallet_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_lines_wallet")
        batch_op.drop_index("ix_wallet_lines_reservation_due")
        batch_op.drop_index("ix_wallet_lines_reservation")
        batch_op.drop_index("ix_wallet_lines_due")

    op.drop_table("wallet_lines")
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_index("uq_ledger_transactions_reverses")
        batch_op.drop_index("ix_ledger_transactions_wallet_created")
        batch_op.drop_index("ix_ledger_transactions_event")
        batch_op.drop_index("ix_ledger_transactions_account_created")

    op.drop_table("ledger_transactions")
    with op.batch_alter_table("wallets", schema=None) as batch_op:
        batch_op.drop_index("uq_wallets_customer")

    op.drop_table("wallets")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("uq_customers_external_id")
        batch_op.drop_index("uq_customers_email")

    op.drop_table("customers")

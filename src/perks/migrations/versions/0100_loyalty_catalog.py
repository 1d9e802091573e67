"""loyalty catalog: brands, rewards, tiers, campaigns, campaign effects, coupon codes; a Base tier per account

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-22 03:17:58.624523
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0100"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_brands",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_brands_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_brands")),
        sa.UniqueConstraint("account_id", "id", name=op.f("uq_loyalty_brands_account_id_id")),
    )
    with op.batch_alter_table("loyalty_brands", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_brands_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "loyalty_tiers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "entry_conditions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "exit_conditions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("is_base", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_tiers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tiers")),
        sa.UniqueConstraint("account_id", "id", name=op.f("uq_loyalty_tiers_account_id_id")),
        sa.UniqueConstraint("account_id", "level", name=op.f("uq_loyalty_tiers_account_id_level")),
    )
    with op.batch_alter_table("loyalty_tiers", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_tiers_account_created", ["account_id", "created_at"], unique=False)

    op.create_table(
        "loyalty_campaigns",
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("platforms", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("labels", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("label_index", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("referee_rules", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("attributes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("funded_by", sa.String(length=200), nullable=True),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("divide_budget_in", sa.String(length=10), nullable=True),
        sa.Column("metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("use_custom_codes", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "brand_id"],
            ["loyalty_brands.account_id", "loyalty_brands.id"],
            name=op.f("fk_loyalty_campaigns_account_id_loyalty_brands"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_campaigns_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_campaigns")),
        sa.UniqueConstraint("account_id", "id", name=op.f("uq_loyalty_campaigns_account_id_id")),
    )
    with op.batch_alter_table("loyalty_campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_campaigns_account_brand", ["account_id", "brand_id"], unique=False)
        batch_op.create_index(
            "ix_loyalty_campaigns_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_loyalty_campaigns_account_type", ["account_id", "type"], unique=False)

    op.create_table(
        "loyalty_rewards",
        sa.Column("brand_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("platforms", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("conditions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("attributes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "brand_id"],
            ["loyalty_brands.account_id", "loyalty_brands.id"],
            name=op.f("fk_loyalty_rewards_account_id_loyalty_brands"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_loyalty_rewards_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_rewards")),
        sa.UniqueConstraint("account_id", "id", name=op.f("uq_loyalty_rewards_account_id_id")),
    )
    with op.batch_alter_table("loyalty_rewards", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_rewards_account_brand", ["account_id", "brand_id"], unique=False)
        batch_op.create_index(
            "ix_loyalty_rewards_account_created", ["account_id", "created_at"], unique=False
        )

    op.create_table(
        "loyalty_campaign_effects",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("reward_id", sa.String(length=36), nullable=False),
        sa.Column("tier_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "campaign_id"],
            ["loyalty_campaigns.account_id", "loyalty_campaigns.id"],
            name=op.f("fk_loyalty_campaign_effects_account_id_loyalty_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "reward_id"],
            ["loyalty_rewards.account_id", "loyalty_rewards.id"],
            name=op.f("fk_loyalty_campaign_effects_account_id_loyalty_rewards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "tier_id"],
            ["loyalty_tiers.account_id", "loyalty_tiers.id"],
            name=op.f("fk_loyalty_campaign_effects_account_id_loyalty_tiers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_campaign_effects")),
    )
    with op.batch_alter_table("loyalty_campaign_effects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_campaign_effects_campaign", ["account_id", "campaign_id"], unique=False
        )
        batch_op.create_index("ix_loyalty_campaign_effects_reward", ["account_id", "reward_id"], unique=False)
        batch_op.create_index("ix_loyalty_campaign_effects_tier", ["account_id", "tier_id"], unique=False)

    op.create_table(
        "loyalty_coupon_codes",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redeemed_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "code", name=op.f("pk_loyalty_coupon_codes")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("loyalty_coupon_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_coupon_codes_campaign",
            ["account_id", "campaign_id", "redeemed_at", "code"],
            unique=False,
        )

    _give_every_account_a_base_tier()


def _give_every_account_a_base_tier() -> None:
    """Accounts created before this revision get the undeletable Base tier (new ones get it on creation)."""
    from perks.kit.clock import now
    from perks.kit.ids import new_id

    connection = op.get_bind()
    accounts = [row[0] for row in connection.execute(sa.text("SELECT id FROM accounts"))]
    tiers = sa.table(
        "loyalty_tiers",
        *(sa.column(name) for name in ("id", "account_id", "name", "description", "status", "level")),
        sa.column("entry_conditions", sa.JSON()),
        sa.column("exit_conditions", sa.JSON()),
        *(sa.column(name) for name in ("is_base", "created_at", "updated_at")),
    )
    # SQLite keeps naive UTC (as UTCDateTime writes it); PostgreSQL takes the aware moment.
    moment = now() if connection.dialect.name == "postgresql" else now().replace(tzinfo=None)
    rows = [
        {
            "id": new_id(),
            "account_id": account_id,
            "name": "Base",
            "description": "The tier every customer starts in",
            "status": "ACTIVE",
            "level": 1,
            "entry_conditions": [],
            "exit_conditions": [],
            "is_base": True,
            "created_at": moment,
            "updated_at": moment,
        }
        for account_id in accounts
    ]
    if rows:
        op.bulk_insert(tiers, rows)


def downgrade() -> None:
    with op.batch_alter_table("loyalty_coupon_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_coupon_codes_campaign")

    op.drop_table("loyalty_coupon_codes")
    with op.batch_alter_table("loyalty_campaign_effects", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_campaign_effects_tier")
        batch_op.drop_index("ix_loyalty_campaign_effects_reward")
        batch_op.drop_index("ix_loyalty_campaign_effects_campaign")

    op.drop_table("loyalty_campaign_effects")
    with op.batch_alter_table("loyalty_rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_rewards_account_created")
        batch_op.drop_index("ix_loyalty_rewards_account_brand")

    op.drop_table("loyalty_rewards")
    with op.batch_alter_table("loyalty_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_campaigns_account_type")
        batch_op.drop_index("ix_loyalty_campaigns_account_created")
        batch_op.drop_index("ix_loyalty_campaigns_account_brand")

    op.drop_table("loyalty_campaigns")
    with op.batch_alter_table("loyalty_tiers", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_tiers_account_created")

    op.drop_table("loyalty_tiers")
    with op.batch_alter_table("loyalty_brands", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_brands_account_created")

    op.drop_table("loyalty_brands")

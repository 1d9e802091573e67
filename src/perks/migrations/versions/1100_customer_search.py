"""customer list and search: customer_tags, and the search indexes

Revision ID: 1100
Revises: 0400
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1100"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAG_MAX_LENGTH = 255
# name: (table, text keys after account_id, in sort order). On PostgreSQL every text key is in the "C"
# collation, so that a prefix is one range of the index whatever collation the database was created
# with; SQLite compares bytes already.
SEARCH_INDEXES = {
    "ix_customers_search_id": ("customers", ["external_id"]),
    "ix_customers_search_email": ("customers", ["email"]),
    "ix_customers_search_name": ("customers", ["lower(name)", "external_id"]),
    "ix_customers_search_tier": ("customers", ["tier_id", "external_id"]),
    "ix_customer_tags_search": ("customer_tags", ["tag", "external_id"]),
}
# Covered by the unique indexes on SQLite.
SQLITE_SKIPS = {"ix_customers_search_id", "ix_customers_search_email"}
# Equality-only keys stay in the column's collation.
PLAIN_KEYS = {"tier_id", "tag"}


def upgrade() -> None:
    op.create_table(
        "customer_tags",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("tag", sa.String(length=TAG_MAX_LENGTH), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_customer_tags_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_tags_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "tag", "customer_id", name=op.f("pk_customer_tags")),
    )
    op.create_index("ix_customer_tags_customer", "customer_tags", ["account_id", "customer_id"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (table, columns) in SEARCH_INDEXES.items():
        if postgres:
            keys = ", ".join(key if key in PLAIN_KEYS else f'({key}) COLLATE "C"' for key in columns)
            op.execute(f"CREATE INDEX {name} ON {table} (account_id, {keys})")
        elif name not in SQLITE_SKIPS:
            op.execute(f"CREATE INDEX {name} ON {table} (account_id, {', '.join(columns)})")
    _fill_tags()


def _fill_tags() -> None:
    """The tags of the customers registered before this revision."""
    connection = op.get_bind()
    tags = sa.table("customer_tags", sa.column("account_id"), sa.column("tag"), sa.column("customer_id"))
    rows = connection.execute(sa.text("SELECT account_id, id, tags FROM customers"))
    batch: list[dict[str, str]] = []
    for account_id, customer_id, raw in rows:
        stored = json.loads(raw) if isinstance(raw, str) else raw
        for tag in _tag_strings(stored if isinstance(stored, dict) else {}):
            batch.append({"account_id": account_id, "tag": tag, "customer_id": customer_id})
        if len(batch) >= 1000:
            connection.execute(tags.insert(), batch)
            batch = []
    if batch:
        connection.execute(tags.insert(), batch)


def _tag_strings(stored: dict[str, object]) -> set[str]:
    # As perks.loyalty.customers.repository.tag_strings wrote it when this revision was made.
    found: set[str] = set()
    for key, value in stored.items():
        found.add(str(key))
        if value is not None:
            found.add(f"{key}:{value if isinstance(value, str) else json.dumps(value)}")
    return {tag for tag in found if len(tag) <= TAG_MAX_LENGTH}


def downgrade() -> None:
    for name in SEARCH_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_customer_tags_customer", table_name="customer_tags")
    op.drop_table("customer_tags")

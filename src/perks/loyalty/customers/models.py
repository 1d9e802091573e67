from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import JSONDocument, UTCDateTime

# Longer tags are kept on the customer but cannot be searched.
TAG_MAX_LENGTH = 255
# The customer list's indexes, which only migration 1100 creates: they hold expressions and, on PostgreSQL,
# the "C" collation, which the models cannot declare portably. The drift check leaves them out.
MIGRATION_ONLY_INDEXES = frozenset(
    {
        "ix_customers_search_id",
        "ix_customers_search_email",
        "ix_customers_search_name",
        "ix_customers_search_tier",
        "ix_customer_tags_search",
    }
)


class CustomerStatus(StrEnum):
    ACTIVE = "ACTIVE"


class Customer(IdMixin, TenantMixin, TimestampMixin, Base):
    """`id` is ours (UUIDv7); `external_id` is the caller's customer id, unique per account."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("uq_customers_external_id", "account_id", "external_id", unique=True),
        Index("uq_customers_email", "account_id", "email", unique=True),
        Index("ix_customers_created", "account_id", "created_at"),  # the overview's chart
        # The customer list (loyalty/customers/search.py) has indexes of its own, created by migration 1100
        # because they are expressions: on PostgreSQL in the "C" collation, so that a prefix is one range
        # of the index whatever the database's collation. ix_customers_search_id (account_id, external_id),
        # ix_customers_search_email (account_id, email), ix_customers_search_name (account_id, lower(name)),
        # ix_customers_search_tier (account_id, tier_id, external_id).
    )

    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    # Stored lowercased; NULL for anonymous customers (so they never collide).
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    email_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    registration_date: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=CustomerStatus.ACTIVE)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    document_type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(50), nullable=True)
    country: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tier_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    referral_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    platforms: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    devices: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    tags: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # NULL until consent is recorded: then every purpose defaults to allowed.
    consent: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)


class CustomerTag(Base):
    """One searchable tag of a customer: every tag key, and `key:value` for each value (strings as they
    are, other JSON values encoded), kept in step with `customers.tags` by the repository. A side table
    because neither database can index "has this key" of a JSON object portably, and a tag search must not
    read every customer."""

    __tablename__ = "customer_tags"
    # Migration 1100 also indexes (account_id, tag, external_id), in the "C" collation on PostgreSQL: a tag
    # search walks it in the order of the customers' ids.
    __table_args__ = (Index("ix_customer_tags_customer", "account_id", "customer_id"),)

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    external_id: Mapped[str] = mapped_column(String(255))  # the customer's, kept in step on identify

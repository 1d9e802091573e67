"""Wallets, their lines (batches) and the append-only transactions that explain every change.

Invariant kept by every service operation: for each wallet and reward, the sum of `remaining` over all
lines equals the sum of the signed transaction amounts. Reservations move amounts between lines and write
no transaction; expirations, redemptions and reversals always do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit import clock
from perks.kit.money import Amount


class TransactionType(StrEnum):
    ACCUMULATION = "ACCUMULATION"
    REDEMPTION = "REDEMPTION"
    EXPIRATION = "EXPIRATION"
    MIGRATION = "MIGRATION"
    TRANSFER = "TRANSFER"
    REVERSAL = "REVERSAL"
    IMPORT = "IMPORT"  # a balance brought from another system (perks import balances)


class Wallet(IdMixin, TenantMixin, Base):
    __tablename__ = "wallets"
    __table_args__ = (Index("uq_wallets_customer", "account_id", "customer_id", unique=True),)

    customer_id: Mapped[str] = mapped_column(String(36), ForeignKey("customers.id", ondelete="CASCADE"))
    # Bumped by every change: the conditional UPDATE that bumps it is the wallet's lock (PostgreSQL row
    # lock until commit; SQLite writers are already serialized by BEGIN IMMEDIATE).
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WalletLine(IdMixin, TenantMixin, Base):
    """A batch of one reward. `amount` is what the batch was issued with; `remaining` what is left of it.
    A reserved line (reservation_id set) holds an amount taken from its source line until the
    reservation is fulfilled (spent) or released (given back to the source)."""

    __tablename__ = "wallet_lines"
    __table_args__ = (
        Index("ix_wallet_lines_wallet", "account_id", "wallet_id", "reward_id"),
        Index("ix_wallet_lines_reservation", "account_id", "reservation_id"),
        Index("ix_wallet_lines_due", "account_id", "expiration_date"),
        Index("ix_wallet_lines_reservation_due", "account_id", "reservation_expires_at"),
    )

    wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("wallets.id", ondelete="CASCADE"))
    reward_id: Mapped[str] = mapped_column(String(36))
    campaign_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    remaining: Mapped[Decimal] = mapped_column(Amount)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expiration_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reservation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reservation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source_line_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class LedgerTransaction(IdMixin, TenantMixin, Base):
    """One signed movement of one line. Never updated, never deleted: a correction is a REVERSAL row
    pointing at the row it reverses (at most one, by the unique index)."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        Index("ix_ledger_transactions_account_created", "account_id", "created_at", "id"),
        Index("ix_ledger_transactions_wallet_created", "account_id", "wallet_id", "created_at"),
        Index("ix_ledger_transactions_event", "account_id", "event_id"),
        Index("uq_ledger_transactions_reverses", "account_id", "reverses_id", unique=True),
    )

    wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("wallets.id", ondelete="CASCADE"))
    line_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    reward_id: Mapped[str] = mapped_column(String(36))
    campaign_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    event_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    store_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    funded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reward_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cost: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    details: Mapped[str | None] = mapped_column(Text, nullable=True)
    sender_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    receiver_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reverses_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


@dataclass(slots=True)
class LineRow:
    """A wallet line as the hot paths read it (perks.sql) to show a wallet, or a new line they write: the
    columns as plain attributes, without the ORM's instrumentation, which a wallet of 30 lines paid for."""

    id: str
    wallet_id: str
    reward_id: str
    campaign_id: str | None
    brand_id: str | None
    amount: Decimal
    remaining: Decimal
    issued_at: datetime
    expiration_date: datetime | None
    reservation_id: str | None
    reservation_expires_at: datetime | None
    source_line_id: str | None
    # Read only when the line is new and written (LockedWallets): a view does not select them.
    account_id: str | None = None
    event_id: str | None = None
    created_at: datetime | None = None


@dataclass(slots=True)
class TransactionRow:
    """A new ledger transaction of a hot path, written with Core (perks.sql): plain attributes, as the
    LedgerTransaction columns are named."""

    id: str
    account_id: str
    wallet_id: str
    line_id: str
    type: str
    amount: Decimal
    reward_id: str
    campaign_id: str | None
    brand_id: str | None
    event_id: str | None
    event_type: str | None
    channel_id: str | None
    store_id: str | None
    funded_by: str | None
    reward_type: str | None
    cost: Decimal | None
    details: str | None
    attributes: dict[str, Any]
    metadata_: dict[str, Any]
    issued_at: datetime
    created_at: datetime
    sender_id: str | None = None
    receiver_id: str | None = None
    reverses_id: str | None = None


@dataclass(slots=True)
class OriginalRow:
    """What a reversal reads of the transaction it reverses (perks.sql)."""

    id: str
    wallet_id: str
    line_id: str
    type: str
    amount: Decimal
    campaign_id: str | None
    brand_id: str | None
    event_id: str | None
    event_type: str | None
    funded_by: str | None
    reward_type: str | None


Line = WalletLine | LineRow
Transaction = LedgerTransaction | TransactionRow

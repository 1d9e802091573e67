"""The declarative base, the column mixins shared by every domain's models, and helpers on mapped classes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ForeignKey, ForeignKeyConstraint, MetaData, String, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from perks.db.types import UTCDateTime
from perks.kit import clock
from perks.kit.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


ModelT = TypeVar("ModelT", bound=Base)


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed for Core statements (update(), insert() with executemany)."""
    return cast(Table, model.__table__)


def transient(model: type[ModelT], **values: Any) -> ModelT:
    """A new instance filled without the ORM's attribute events (several times cheaper than the
    constructor): for rows written with Core (executemany) and only read afterwards, never added to a
    session."""
    instance = cast(ModelT, sa_inspect(model).class_manager.new_instance())
    instance.__dict__.update(values)
    return instance


# Column mixins shared by every domain's models.


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class TenantMixin:
    """Every tenant-owned row carries its account; repositories filter on it (DESIGN rule 2)."""

    @declared_attr
    def account_id(cls) -> Mapped[str]:
        return mapped_column(String(36), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


def same_account_reference(column: str, table: str, ondelete: str) -> ForeignKeyConstraint:
    """A foreign key (account_id, column) -> table(account_id, id): a row can only point at a row of its
    own account, and the index that leads with account_id serves the key."""
    return ForeignKeyConstraint(
        ["account_id", column], [f"{table}.account_id", f"{table}.id"], ondelete=ondelete
    )

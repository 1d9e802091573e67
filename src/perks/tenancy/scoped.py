"""Tenant scoping, written once: every repository query of a tenant's rows starts from `select`, `update`
or `delete` here (as Polar's `get_readable_statement`), or adds `owned()` to a join it builds, so no query
reaches another account's rows by forgetting a condition. `tests/test_architecture.py` fails on an
`account_id` condition written anywhere else.

The tenant is the caller's `AuthContext`, an account id, or a bound parameter (`bound()`) for the hot
paths' statements that are compiled once and run with the account id among their parameters."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar, overload

import sqlalchemy
from sqlalchemy import BindParameter, ColumnElement, Delete, Select, Update, bindparam

from perks.tenancy.context import AuthContext

M = TypeVar("M")
Tenant = AuthContext | str | BindParameter[Any]


def bound(key: str = "account_id") -> BindParameter[Any]:
    """The account id as a parameter named `key`, for statements compiled once (perks.sql)."""
    return bindparam(key)


def _account_column(entity: Any) -> ColumnElement[str]:
    """The account_id column of a mapped class, an alias or a table."""
    columns = getattr(entity, "c", None)
    column: ColumnElement[str] = columns.account_id if columns is not None else entity.account_id
    return column


def owned(entity: Any, tenant: Tenant) -> ColumnElement[bool]:
    """`entity.account_id = <the tenant's account>`, for a table joined to a scoped statement."""
    account: Any = tenant.account_id if isinstance(tenant, AuthContext) else tenant
    condition: ColumnElement[bool] = _account_column(entity) == account
    return condition


def among(entity: Any, account_ids: Collection[str]) -> ColumnElement[bool]:
    """`entity.account_id IN (...)`: the workers' reads that serve several accounts' rows at once."""
    return _account_column(entity).in_(account_ids)


@overload
def select(tenant: Tenant, entity: type[M]) -> Select[M]: ...
@overload
def select(tenant: Tenant, entity: Any, *columns: Any) -> Select[Any]: ...
def select(tenant: Tenant, entity: Any, *columns: Any) -> Select[Any]:
    """SELECT `columns` (the entity itself by default) FROM the tenant's rows of `entity`."""
    return sqlalchemy.select(*(columns or (entity,))).where(owned(entity, tenant))


def update(tenant: Tenant, entity: Any) -> Update:
    """UPDATE the tenant's rows of `entity` (add the rest of the WHERE and the values)."""
    return sqlalchemy.update(entity).where(owned(entity, tenant))


def delete(tenant: Tenant, entity: Any) -> Delete:
    """DELETE the tenant's rows of `entity` (add the rest of the WHERE)."""
    return sqlalchemy.delete(entity).where(owned(entity, tenant))

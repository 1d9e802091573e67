"""Routers for a face's pages: each request in one transaction (the API's UnitOfWorkRoute: GET reads,
POST writes, anything answered >= 400 is rolled back), CSRF checked on every state-changing request, and
none of it in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from perks.ui import csrf
from perks.web.unit_of_work import Endpoint, UnitOfWorkRoute, group_committed, session_dependency

Session = Annotated[AsyncSession, Depends(session_dependency)]


def page_router(**kwargs: Any) -> APIRouter:
    dependencies = [Depends(csrf.verify), *kwargs.pop("dependencies", [])]
    return APIRouter(
        route_class=UnitOfWorkRoute, include_in_schema=False, dependencies=dependencies, **kwargs
    )


def own_transactions(endpoint: Endpoint) -> Endpoint:
    """The handler opens its transactions itself (`request.app.state.db.transaction()`), e.g. to hash a
    password between a read and a write instead of inside SQLite's one write slot."""
    return group_committed(endpoint)


class SignInRequired(Exception):
    """Raised by a face's auth dependency: the page answers with a redirect to its sign-in form."""

    def __init__(self, return_to: str) -> None:
        super().__init__(return_to)
        self.return_to = return_to

"""Authentication before the body: a face route checks its caller's credentials before it reads a byte
of the request body, so a client without valid credentials cannot make the server read (or hold) a large
body. FastAPI reads a route's body before it solves the route's dependencies; UnitOfWorkRoute therefore
runs the checks of the route's `authentication` dependencies first, and the dependencies then return what
those checks found."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.security.base import SecurityBase

T = TypeVar("T")
Check = Callable[[Request], Awaitable[Any]]


def authentication(
    check: Callable[[Request], Awaitable[T]], scheme: SecurityBase
) -> Callable[..., Coroutine[Any, Any, T]]:
    """A dependency that authenticates with `check` once per attempt at a request. It is the face's
    security scheme (`scheme`, copied into a subclass whose call is the check), so OpenAPI shows how to
    authenticate exactly as for the scheme itself, and FastAPI solves one dependency per request where a
    dependency on the scheme was a second level."""

    class Authentication(type(scheme)):  # type: ignore[misc]
        perks_auth_check = staticmethod(check)

        async def __call__(self, request: Request) -> T:
            found: T = await _once(request, check)
            return found

    dependency = Authentication.__new__(Authentication)
    dependency.__dict__.update(vars(scheme))  # its OpenAPI model and name, and its settings
    return cast(Callable[..., Coroutine[Any, Any, T]], dependency)


def auth_checks(dependant: Any) -> list[Check]:
    """The checks of the `authentication` dependencies a route depends on, in the order FastAPI runs them."""
    found: list[Check] = []
    for sub in dependant.dependencies:
        check = getattr(sub.call, "perks_auth_check", None)
        if check is not None:
            found.append(check)
        found.extend(auth_checks(sub))
    return found


async def authenticate_first(request: Request, checks: list[Check]) -> None:
    """Run a route's checks at the start of an attempt (a deadlock's victim runs again from here, in a
    new transaction, so nothing is remembered from the previous attempt)."""
    request.state.auth_checks = {}
    for check in checks:
        await _once(request, check)


async def _once(request: Request, check: Check) -> Any:
    done: dict[Check, Any] | None = getattr(request.state, "auth_checks", None)
    if done is None:
        done = request.state.auth_checks = {}
    if check not in done:
        done[check] = await check(request)
    return done[check]

"""Route dispatch by path, in constant time.

FastAPI tries routes one by one and, for an included router, walks its routes twice (once to match, once
to handle): a route late in the list paid ~0.15 ms before its handler ran. `PathDispatch` sits where the
app's router runs its routes: it indexes every route by its path's segments once (a static segment is a
dict key, a `{parameter}` segment a wildcard), so a request looks only at the routes its path can match,
in their original order, and the first one that matches fully is handled exactly as the router would.
Anything else (no full match: a 404, a 405, a trailing-slash redirect) goes to the router itself, so the
answers never differ from a scan's. Routes whose paths cannot be indexed (mounts, `{x:path}` parameters,
hosts) are tried for every request, in their place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import routing as fastapi_routing
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

_EFFECTIVE_KEY = getattr(fastapi_routing, "_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY", "effective_route_context")
_INCLUDED_KEY = getattr(fastapi_routing, "_FASTAPI_INCLUDED_ROUTER_KEY", "included_router")
_IncludedRouter: Any = getattr(fastapi_routing, "_IncludedRouter", None)
_EffectiveRouteContext: Any = getattr(fastapi_routing, "_EffectiveRouteContext", None)
_route_selected: Any = getattr(fastapi_routing, "_route_selected", None)
MAX_CACHED_PATHS = 2048


@dataclass(frozen=True, slots=True)
class Leaf:
    """One route in the app's order: a plain route, or an API route as an included router presents it."""

    order: int
    route: BaseRoute
    context: Any = None  # the included route's effective context
    included: Any = None  # the included router it came through


@dataclass
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    wildcard: _Node | None = None
    leaves: list[Leaf] = field(default_factory=list)


class PathDispatch:
    """The app router's dispatch, by an index of path segments (see the module's docstring)."""

    def __init__(self, router: Any) -> None:
        self.router = router
        self._fallback: ASGIApp = router.app
        self._root: _Node | None = None
        self._everywhere: list[Leaf] = []
        self._by_path: dict[str, list[Leaf]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._fallback(scope, receive, send)
            return
        if self._root is None:
            self._build()
        path = get_route_path(scope)
        candidates = self._by_path.get(path)
        if candidates is None:
            candidates, static = self._candidates(path)
            if static and len(self._by_path) < MAX_CACHED_PATHS:
                # A path that matched only fixed segments repeats (the hot routes with fixed paths).
                self._by_path[path] = candidates
        for leaf in candidates:
            if leaf.context is not None:
                match, child_scope = leaf.context.matches(scope)
            else:
                match, child_scope = leaf.route.matches(scope)
            if match is Match.FULL:
                await self._handle(leaf, child_scope, scope, receive, send)
                return
        await self._fallback(scope, receive, send)

    async def _handle(
        self, leaf: Leaf, child_scope: Scope, scope: Scope, receive: Receive, send: Send
    ) -> None:
        scope.setdefault("router", self.router)
        scope.update(child_scope)
        if leaf.context is None:
            scope["route"] = leaf.route
            if _route_selected is not None:
                _route_selected(scope=scope, path=getattr(leaf.route, "path_format", None))
            await leaf.route.handle(scope, receive, send)
            return
        # As an included router hands a selected API route its request (FastAPI's _handle_selected).
        fastapi_scope = scope.setdefault("fastapi", {})
        fastapi_scope[_INCLUDED_KEY] = leaf.included
        if _route_selected is not None:
            _route_selected(scope=scope, path=leaf.context.path_format)
        fastapi_scope[_EFFECTIVE_KEY] = leaf.context
        scope["route"] = leaf.route
        await leaf.route.handle(scope, receive, send)

    def _candidates(self, path: str) -> tuple[list[Leaf], bool]:
        """The routes `path` may match, in order, and whether it reached them by fixed segments only."""
        assert self._root is not None
        nodes = [self._root]
        static = True
        for segment in path.split("/")[1:]:
            following: list[_Node] = []
            for node in nodes:
                child = node.static.get(segment)
                if child is not None:
                    following.append(child)
                if node.wildcard is not None and segment:
                    following.append(node.wildcard)
                    static = False
            nodes = following
            if not nodes:
                break
        found = [leaf for node in nodes for leaf in node.leaves]
        found.extend(self._everywhere)
        return sorted(found, key=lambda leaf: leaf.order), static

    def _build(self) -> None:
        root = _Node()
        for leaf in _leaves(self.router.routes):
            segments = _segments(leaf)
            if segments is None:
                self._everywhere.append(leaf)
                continue
            node = root
            for segment in segments:
                if segment is None:
                    node.wildcard = node.wildcard or _Node()
                    node = node.wildcard
                else:
                    node = node.static.setdefault(segment, _Node())
            node.leaves.append(leaf)
        self._root = root


def api_routes(routes: list[BaseRoute]) -> list[Any]:
    """Every API route with its full path, methods and endpoint, as the included routers present them."""
    return [
        leaf.context or leaf.route
        for leaf in _leaves(routes)
        if isinstance(leaf.route, fastapi_routing.APIRoute)
    ]


def _leaves(routes: list[BaseRoute]) -> list[Leaf]:
    """Every route in the order the router tries them, included routers' API routes in their place."""
    leaves: list[Leaf] = []

    def visit(route: Any, included: Any) -> None:
        if _IncludedRouter is not None and isinstance(route, _IncludedRouter):
            for candidate in route.effective_candidates():
                visit(candidate, route)
            return
        if _EffectiveRouteContext is not None and isinstance(route, _EffectiveRouteContext):
            if isinstance(route.original_route, fastapi_routing.APIRoute) and included is not None:
                leaves.append(Leaf(len(leaves), route.original_route, route, included))
            else:  # an included plain route, mount or host: matched and handled by its included router
                leaves.append(Leaf(len(leaves), included))
            return
        leaves.append(Leaf(len(leaves), route))

    for route in routes:
        visit(route, None)
    return _deduplicated(leaves)


def _deduplicated(leaves: list[Leaf]) -> list[Leaf]:
    """An included router stands for several leaves that are not API routes: trying it once is enough."""
    seen: set[int] = set()
    kept: list[Leaf] = []
    for leaf in leaves:
        if leaf.context is None and _IncludedRouter is not None and isinstance(leaf.route, _IncludedRouter):
            if id(leaf.route) in seen:
                continue
            seen.add(id(leaf.route))
        kept.append(Leaf(len(kept), leaf.route, leaf.context, leaf.included))
    return kept


def _segments(leaf: Leaf) -> list[str | None] | None:
    """The path's segments, None for a parameter; None when the path cannot be indexed by segments."""
    if leaf.context is not None:
        path_format, convertors = leaf.context.path_format, leaf.context.param_convertors
    elif isinstance(leaf.route, Route):
        path_format, convertors = leaf.route.path_format, leaf.route.param_convertors
    else:
        return None
    if any(type(convertor).__name__ == "PathConvertor" for convertor in convertors.values()):
        return None
    if not path_format.startswith("/"):
        return None
    return [None if "{" in segment else segment for segment in path_format.split("/")[1:]]

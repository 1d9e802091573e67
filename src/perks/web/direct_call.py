"""A hot route's endpoint called directly when its request is well-formed.

FastAPI's request handler is general: for every request it parses the content type again, builds a
sub-response and a dependency cache, walks each dependency's path, query, header and cookie parameters and
wraps the work in telemetry operations. For the routes that answer with a `Response` they build themselves
(the group-committed writes and the hot reads) that cost ~30 µs per request, more than their own parsing.

`direct_handler` builds the same arguments with FastAPI's own validation functions
(`request_params_to_args`, `request_body_to_args`) and calls the endpoint. Anything that is not the plain
case goes to FastAPI's handler, which answers exactly as before: a parameter or body that does not
validate (FastAPI then raises its validation error), a body that the guard did not parse as JSON,
dependency overrides (tests), FastAPI's telemetry in use. A route qualifies only if all its dependencies
are `authentication` dependencies (perks.web.auth_first, whose checks have already run) and it takes no
headers, cookies, background tasks or sub-response.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.telemetry import get_telemetry_data

from perks.web.guard import UNPARSED, GuardedRequest

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def direct_handler(dependant: Dependant, embed_body_fields: bool, standard: Handler) -> Handler:
    """`standard` (FastAPI's handler of the route), with the plain case done directly when the route
    qualifies (see the module's docstring)."""
    if not _qualifies(dependant):
        return standard
    endpoint = dependant.call
    assert endpoint is not None
    request_name, body_fields = dependant.request_param_name, dependant.body_params
    checks = [(sub.name, sub.call) for sub in dependant.dependencies]

    async def handle(request: Request) -> Response:
        assert isinstance(request, GuardedRequest)
        body = request.checked_json
        if (body_fields and body is UNPARSED) or request.app.dependency_overrides or get_telemetry_data():
            return await standard(request)
        values: dict[str, Any] = {}
        for name, check in checks:  # FastAPI solves dependencies first; their errors are raised as is
            values[str(name)] = await check(request)  # type: ignore[misc]
        path, path_errors = request_params_to_args(dependant.path_params, request.path_params)
        query, query_errors = request_params_to_args(dependant.query_params, request.query_params)
        if path_errors or query_errors:
            return await standard(request)
        values.update(path)
        values.update(query)
        if body_fields:
            fields, body_errors = await request_body_to_args(body_fields, body, embed_body_fields)
            if body_errors:
                return await standard(request)
            values.update(fields)
        if request_name:
            values[request_name] = request
        response: Response = await endpoint(**values)
        return response

    return handle


def _qualifies(dependant: Dependant) -> bool:
    endpoint = dependant.call
    if endpoint is None or not inspect.iscoroutinefunction(endpoint):
        return False
    try:
        returns = inspect.signature(endpoint, eval_str=True).return_annotation
    except NameError:  # an annotation only a type checker sees: FastAPI's handler, which needs none
        return False
    if not (inspect.isclass(returns) and issubclass(returns, Response)):
        return False
    unsupported = (
        dependant.header_params,
        dependant.cookie_params,
        dependant.websocket_param_name,
        dependant.http_connection_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    return not any(unsupported) and all(_is_authentication(sub) for sub in dependant.dependencies)


def _is_authentication(sub: Dependant) -> bool:
    """An `authentication` dependency: it takes the request only, and its check ran before the body."""
    own = (sub.path_params, sub.query_params, sub.header_params, sub.cookie_params, sub.body_params)
    return (
        getattr(sub.call, "perks_auth_check", None) is not None
        and sub.name is not None
        and not sub.dependencies
        and not any(own)
    )

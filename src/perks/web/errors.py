"""Turn every failure into the calling face's envelope: AppError, validation errors, unknown routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from perks.errors import AppError
from perks.idempotency.service import Replay, unseal

# (status, title, details, extra) -> JSON body
Renderer = Callable[[int, str, str, dict[str, Any]], dict[str, Any]]


def plain_renderer(status: int, title: str, details: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"error": title, "details": details, **extra}


class FaceRenderers:
    """Which envelope a path gets: the face whose prefix it starts with, else the plain one."""

    def __init__(self, faces: dict[str, Renderer]) -> None:
        self.faces = sorted(faces.items(), key=lambda item: -len(item[0]))

    def for_path(self, path: str) -> Renderer:
        for prefix, renderer in self.faces:
            if path == prefix or path.startswith(prefix + "/"):
                return renderer
        return plain_renderer

    def response(
        self,
        path: str,
        status: int,
        title: str,
        details: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSONResponse:
        body = self.for_path(path)(status, title, details, extra or {})
        return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def describe_validation(errors: Sequence[Any]) -> tuple[str, str]:
    """(first field, sentence naming every failing field) from Pydantic's error list."""
    parts: list[str] = []
    first_field = "body"
    for index, error in enumerate(errors):
        location = [str(part) for part in error.get("loc", ())]
        field = ".".join(location[1:]) if len(location) > 1 else (location[0] if location else "body")
        if index == 0:
            first_field = field
        message = "Invalid JSON" if error.get("type") == "json_invalid" else error.get("msg", "Invalid value")
        parts.append(f"{field}: {message}")
    return first_field, "; ".join(parts)


def install_error_handlers(app: FastAPI, renderers: FaceRenderers) -> None:
    async def on_app_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, AppError)
        return renderers.response(
            request.url.path,
            error.status_code,
            error.title,
            error.details,
            extra=error.extra,
            headers=error.headers,
        )

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        _field, details = describe_validation(error.errors())
        return renderers.response(request.url.path, 400, "Invalid request", details)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == 404:
            details = f"Route {request.method} {request.url.path} not found"
            return renderers.response(request.url.path, 404, "Not found", details)
        if error.status_code == 405:
            details = f"Method {request.method} is not allowed on {request.url.path}"
            # The router names the allowed methods in `Allow`, which RFC 9110 requires on a 405.
            return renderers.response(
                request.url.path, 405, "Method not allowed", details, headers=error.headers
            )
        if error.status_code == 413:
            return renderers.response(request.url.path, 413, "Payload too large", str(error.detail))
        title = str(error.detail) if error.detail else "Error"
        return renderers.response(request.url.path, error.status_code, title, title, headers=error.headers)

    async def on_replay(request: Request, error: Exception) -> Response:
        assert isinstance(error, Replay)
        try:
            body = unseal(error.stored.body, request.app.state.settings.signing_secret)
        except AppError as unreadable:
            return await on_app_error(request, unreadable)
        return Response(
            content=body,
            status_code=error.stored.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )

    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Replay, on_replay)

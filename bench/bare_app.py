"""The one-route FastAPI app that hot-path figures are measured against: `GET /healthz` answering the same
JSON as Perks' own, served by uvicorn with the settings `perks serve` uses (bench.support.bare_server)."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app

"""create_app(): both faces, health and metrics, on one database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from fastapi import FastAPI, Response

from perks import __version__, worker
from perks.affiliate import face as affiliate_face
from perks.affiliate.routes import ROUTERS as AFFILIATE_ROUTERS
from perks.affiliate.tracking.redirect import RedirectMiddleware
from perks.config import Settings
from perks.console.app import mount_console
from perks.db.database import Database
from perks.kit import clock, collector
from perks.loyalty import face as loyalty_face
from perks.loyalty.routes import ROUTERS as LOYALTY_ROUTERS
from perks.models import Base
from perks.portal.app import mount_portal
from perks.ui.assets import mount_assets
from perks.web import openapi
from perks.web.body_limit import BodyLimitMiddleware
from perks.web.dispatch import PathDispatch
from perks.web.errors import FaceRenderers, install_error_handlers
from perks.web.observability import ObservabilityMiddleware, configure_logging, metrics_body
from perks.web.ratelimit import AttemptGuard, RateLimiter


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    # Every model known (perks.models) and its mapper configured before the first request: the hot paths
    # build ORM objects without querying through the ORM, which is what would otherwise configure them.
    Base.registry.configure()
    clock.use_offset_file(settings.clock_offset_file)
    database = Database(settings.database_url, pool_size=settings.database_pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.gc_tuning:
            collector.tune()
        async with worker.in_background(database, settings) if settings.with_worker else nullcontext():
            yield
        await database.dispose()

    app = FastAPI(
        title="Perks",
        version=__version__,
        description="Self-hosted loyalty, referral and affiliate engine. Loyalty face under "
        f"`{loyalty_face.PREFIX}` (Masivo storefront API), affiliate face under `{affiliate_face.PREFIX}` "
        "(ReferralStack API).",
        lifespan=lifespan,
        docs_url=None,  # served by perks.ui.assets from local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.limiter = RateLimiter(settings.rate_limit, settings.redis_url, settings.rate_limit_enabled)
    app.state.code_guard = AttemptGuard(settings.one_time_code_failures, settings.redis_url)

    renderers = FaceRenderers(
        {loyalty_face.PREFIX: loyalty_face.render_error, affiliate_face.PREFIX: affiliate_face.render_error}
    )
    install_error_handlers(app, renderers)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(ObservabilityMiddleware, renderers=renderers)
    app.add_middleware(RedirectMiddleware)  # outermost: affiliate link clicks skip the stack

    for router in [*LOYALTY_ROUTERS, *AFFILIATE_ROUTERS]:
        app.include_router(router)
    _add_operations_routes(app, database)
    openapi.install(app, {loyalty_face.PREFIX: "ErrorBody", affiliate_face.PREFIX: "Message"})
    mount_assets(app)  # /static, /docs, /redoc
    mount_console(app)  # /console
    mount_portal(app)  # /portal
    app.router.middleware_stack = PathDispatch(app.router)  # routes found by path, not by scan
    return app


def _add_operations_routes(app: FastAPI, database: Database) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz(response: Response) -> dict[str, str]:
        if await database.reachable():
            return {"status": "ok"}
        response.status_code = 503
        return {"status": "database unreachable"}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = metrics_body()
        return Response(body, media_type=content_type)

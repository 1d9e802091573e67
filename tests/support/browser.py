"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser) against a real
`perks serve`. A journey fails on any JavaScript error, console error or request to another host; every
page it visits is saved as a screenshot (in $PERKS_SCREENSHOTS when set, e.g. docs/screenshots)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Playwright, Request, Route, async_playwright

from tests.support.tenants import Tenant

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS_ENV = "PERKS_SCREENSHOTS"
REQUIRE_BROWSER_ENV = "PERKS_TEST_REQUIRE_BROWSER"
VIEWPORT = {"width": 1280, "height": 800}
HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"chromium is not on PATH but {REQUIRE_BROWSER_ENV}=1 (apt-get install -y chromium)")
        pytest.skip("chromium is not on PATH (apt-get install -y chromium)")
    return path


@asynccontextmanager
async def launched_browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    playwright: Playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


@dataclass
class Journey:
    """One user's browser tab, with what went wrong in it."""

    page: Page
    base_url: str
    shots: Path
    problems: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    # Other hosts of this machine a journey visits on purpose (a shop's page that frames the portal).
    allowed_hosts: set[str] = field(default_factory=set)
    # Console messages a step causes on purpose (a browser refusing a frame), and those seen.
    tolerated: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    async def goto(self, path: str, shot: str | None = None) -> None:
        await self.page.goto(self.url(path))
        await self.settle(shot)

    async def settle(self, shot: str | None, *, full_page: bool = True) -> None:
        """Wait for the page to have loaded, then save its screenshot (what appears later, such as an
        htmx swap, is waited for with expect())."""
        await self.page.wait_for_load_state("load")
        if shot:
            await self.page.screenshot(path=self.shots / f"{shot}.png", full_page=full_page)

    async def submit(self, button: str, shot: str | None = None) -> None:
        """Click a submit button and wait for the page it leads to."""
        async with self.page.expect_navigation():
            await self.page.get_by_role("button", name=button, exact=True).click()
        await self.settle(shot)

    @contextmanager
    def expecting(self, *statuses: int) -> Iterator[None]:
        """Within the block, pages answering these HTTP statuses are expected (a form's 400, a 403):
        Chromium logs them as console errors, which otherwise fail the journey."""
        self.allowed_statuses.update(statuses)
        try:
            yield
        finally:
            self.allowed_statuses.difference_update(statuses)

    @contextmanager
    def tolerating(self, text: str) -> Iterator[None]:
        """Within the block, a console message containing `text` is expected (and kept in `seen`)."""
        self.tolerated.append(text)
        try:
            yield
        finally:
            self.tolerated.remove(text)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "warning"):
            return
        if any(text in message.text for text in self.tolerated):
            self.seen.append(message.text)
            return
        status = HTTP_ERROR.search(message.text)
        if status and int(status.group(1)) in self.allowed_statuses:
            return
        self.problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")

    async def guard_request(self, route: Route, request: Request) -> None:
        """Nothing may be loaded from another host: the console works without internet."""
        hosts = {urlsplit(self.base_url).netloc, *self.allowed_hosts}
        if urlsplit(request.url).netloc not in hosts and not request.url.startswith("data:"):
            self.problems.append(f"request to another host: {request.url}")
            await route.abort()
            return
        await route.continue_()


def shop_email(name: str, shop: Tenant) -> str:
    """A readable email for a journey's user, unique to its account."""
    return f"{name}@acme-{shop.account_id[-4:]}.example"


def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get(SCREENSHOTS_ENV)
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@asynccontextmanager
async def journey(browser: Browser, base_url: str, shots: Path) -> AsyncIterator[Journey]:
    """A fresh browser context (no cookies) and tab; fails the test on any problem seen in it."""
    context = await browser.new_context(viewport=VIEWPORT, base_url=base_url)  # type: ignore[arg-type]
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = await context.new_page()
    tab = Journey(page, base_url, shots)
    page.on("console", tab.on_console)
    page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    await context.route("**/*", tab.guard_request)
    try:
        yield tab
    finally:
        await context.close()
    assert tab.problems == [], "\n".join(tab.problems)

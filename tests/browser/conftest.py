"""Headless Chromium (Debian's ``chromium``) driven by Playwright; never Playwright's own
browser download. Tests here skip only when the ``playwright`` package is absent (the ``ci``
extra installs it, and ``.ci/run`` installs chromium)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an asyncio loop running in this
    # thread while it is open, and later tests' asyncio.run() would refuse to start.
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page recording every request it makes (``page.requests``)."""
    context = browser.new_context()
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    try:
        yield page
    finally:
        context.close()

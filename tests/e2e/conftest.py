"""The browser every end-to-end test drives: Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import need_real

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium_page(monkeypatch: pytest.MonkeyPatch, **context: Any) -> Iterator[Any]:
    """A fresh page in a fresh browser; `context` goes to Playwright's new_context (viewport, ...)."""
    if shutil.which("chromium") is None and not shutil.which(CHROMIUM):
        need_real("Chromium", "install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls after it are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **context}).new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with chromium_page(monkeypatch) as page:
        yield page

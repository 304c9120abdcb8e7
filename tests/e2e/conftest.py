"""Shared fixtures of the real-browser journeys (make test-e2e).

Debian's chromium (``.ci/system-deps --with-browser``) is driven headless by Playwright's sync
API against pytest-django's ``live_server``; Playwright's own browser download is not used.
Every journey saves a screenshot of each step under ``var/e2e/<test name>/``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from supervision.models import Role

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS_DIR = Path(settings.BASE_DIR) / "var" / "e2e"
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory's password


def journey_marks():
    """The marks every journey module sets as ``pytestmark``."""
    return [
        pytest.mark.e2e,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            CHROMIUM is None, reason="Debian's chromium is not installed (.ci/system-deps --with-browser)"
        ),
    ]


@pytest.fixture(scope="package")
def browser():
    """One chromium for the journeys of this package; closed when the package is done, so that other
    e2e tests (tests/surveys, tests/inspections) can start their own Playwright afterwards."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # plain synchronous reads and writes between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def roles_groups(transactional_db):
    for role in Role.values:
        Group.objects.get_or_create(name=role)


class Shots:
    """shots(page, "step name") saves var/e2e/<test>/<nn>-<step>.png (full page)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{re.sub(r'[^0-9A-Za-z_-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request):
    return Shots(SHOTS_DIR / re.sub(r"[^0-9A-Za-z_-]+", "-", request.node.name))


@pytest.fixture
def session_for(browser, live_server):
    """session_for(user, **context options) → a page in a fresh browser context, logged in
    through the real log-in form (``user`` None: an anonymous visitor)."""
    contexts = []

    def open_page(user=None, **options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("accept_downloads", True)
        context = browser.new_context(base_url=live_server.url, **options)
        # 30 s: a new context that opens an inspection round installs the service worker (/sw.js), which
        # fetches the static files from the one live server; on a loaded 2-core machine a form's navigation then waited past 15 s.
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form button.btn-primary")
            assert "/accounts/login/" not in page.url, f"log-in of {user.username} failed"
        return page

    yield open_page
    for context in contexts:
        context.close()


def photo_jpeg() -> bytes:
    """A small real JPEG, as a phone camera would upload."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, format="JPEG")
    return out.getvalue()

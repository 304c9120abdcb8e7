"""The installable app: the web manifest and the service worker (supervision/infra/offline.py,
templates/sw.js; docs/security.md → "Offline pages")."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from supervision.infra import offline


def test_the_manifest_makes_the_app_installable_without_logging_in(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("web_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "督察" and data["short_name"] == "督察"
    assert (data["start_url"], data["scope"], data["display"]) == ("/", "/", "standalone")
    assert {icon["purpose"] for icon in data["icons"]} == {"any", "maskable"}


def test_the_manifest_is_worded_in_english_for_an_english_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = json.loads(client.get(reverse("web_manifest")).content)
    assert data["name"] == "Ducha" and data["lang"] == "en"


def test_the_manifest_colour_is_the_stylesheets(client):
    css = Path(finders.find("css/ducha.css")).read_text(encoding="utf-8")
    assert re.search(r"--ducha:\s*([#0-9a-fA-F]+)", css).group(1) == offline.THEME_COLOR
    assert json.loads(client.get(reverse("web_manifest")).content)["theme_color"] == offline.THEME_COLOR


def test_the_manifest_icons_are_pngs_of_the_stated_size():
    for path, sizes, _purpose in (*offline.ICONS, offline.MASKABLE_ICON):
        with Image.open(finders.find(path)) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == sizes


def test_the_service_worker_is_served_at_the_root_as_javascript(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # a new release's worker is found at once
    body = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", body).group(1))
    assert config["header"] == offline.OFFLINE_HEADER and config["static"] == settings.STATIC_URL
    for asset in config["precache"]:
        assert asset.startswith(settings.STATIC_URL) and finders.find(asset.removeprefix(settings.STATIC_URL))
    # Only the pages that may be kept pass through the worker: the inspection rounds.
    assert config["pages"] == settings.DUCHA_OFFLINE_PAGES
    assert "/inspections/rounds/12/".startswith(tuple(config["pages"])) and not "/".startswith(
        tuple(config["pages"])
    )
    # The same script for everyone: nothing of the reader's in it.
    assert "{{" not in body and "{%" not in body


def test_the_service_worker_is_the_same_for_every_reader(client, supervisor):
    anonymous = client.get("/sw.js").content
    client.force_login(supervisor)
    assert client.get("/sw.js").content == anonymous


def test_the_service_worker_and_the_manifest_refuse_a_post(client):
    assert client.post("/sw.js").status_code == 405
    assert client.post(reverse("web_manifest")).status_code == 405


def test_pages_link_the_manifest_and_only_the_offline_pages_register_the_worker(client, supervisor):
    login_page = client.get(reverse("login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("web_manifest")}">' in login_page
    assert "data-sw=" not in login_page  # the log-in page only tells a worker to drop every page
    client.force_login(supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    key = offline.session_key(client.get(reverse("dashboard")).wsgi_request)
    # Every logged-in page tells an installed worker the session; only the pages the worker keeps
    # (the inspection round, DUCHA_OFFLINE_PAGES) install it (it used to be every logged-in page).
    assert f'data-session="{key}"' in page and key
    assert "data-sw=" not in page
    round_page = client.get(reverse("inspections:round_create")).content.decode()
    assert 'data-sw="/sw.js"' in round_page and f'data-session="{key}"' in round_page
    assert '<form method="post" action="/accounts/logout/" data-logout>' in page

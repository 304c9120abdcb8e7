"""The OpenAPI schema validates (also run as `spectacular --validate --fail-on-warn` in make test),
and its browsable docs are served by the app itself: no CDN, within the CSP."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert {"/api/v1/discharges/", "/api/v1/findings/", "/api/v1/figures/followups/"} <= set(schema["paths"])
    rows = schema["components"]["schemas"]["DischargeRow"]
    assert {"admission_no", "discharged_on", "department"} <= set(rows["required"])
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_files_from_this_site(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in html and "<script>" not in html  # the CSP allows neither
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_the_schema_is_served_to_anyone(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200

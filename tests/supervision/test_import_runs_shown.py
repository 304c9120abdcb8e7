"""A refused import run opens its row-level errors on the import page it was run from (the recent
imports list), worded in the reader's language — until now they were visible only in the admin."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supervision.infra.imports import texts
from supervision.infra.imports.texts import stored
from supervision.models import ImportRun


def refused_run(kind: str, actor, *, error_count: int | None = None) -> ImportRun:
    errors = [
        {"row": 3, "column": "入院日期", **stored(texts.NOT_A_DATE(value="2026-13-01"))},
        {"row": 4, "column": "姓名", **stored(texts.REQUIRED())},
    ]
    return ImportRun.objects.create(
        kind=kind, file_name="bad.csv", actor=actor, errors=errors, error_count=error_count or len(errors)
    )


PAGES = [
    ("import_page", ["departments"], "departments", "administrator"),
    ("followups:import_page", ["discharges"], "discharges", "supervisor"),
    ("followups:import_page", ["history"], "followup_history", "administrator"),
    ("servicedesk:kb_import", [], "knowledge", "supervisor"),
]


@pytest.mark.parametrize(("url_name", "args", "kind", "persona"), PAGES)
def test_a_refused_run_shows_its_row_errors_in_the_readers_language(
    db, client_for, request, url_name, args, kind, persona
):
    # ``db`` named here, not only through the persona fetched below: pytest-django orders tests by the
    # database fixtures they name, and without it this test ran after the transactional tests, whose
    # flush had emptied the roles' groups (the persona had no role: 403 in the full suite only).
    user = request.getfixturevalue(persona)
    refused_run(kind, user)
    client = client_for(user)
    page = client.get(reverse(url_name, args=args)).content.decode()
    assert "import-run-errors" in page
    assert "“2026-13-01”不是有效日期（格式如 2026-03-01）。" in page
    assert "此列必填。" in page
    user.language = "en"
    user.save(update_fields=["language"])
    page = client.get(reverse(url_name, args=args)).content.decode()
    assert "“2026-13-01” is not a date (use 2026-03-01)." in page
    assert "This column is required." in page


def test_a_run_keeping_only_part_of_its_errors_says_so(client_for, administrator):
    refused_run("departments", administrator, error_count=1234)
    page = client_for(administrator).get(reverse("import_page", args=["departments"])).content.decode()
    assert "仅保留了 1234 处错误中的前 2 处。" in page


def test_the_recent_imports_cost_the_same_queries_with_more_refused_runs(client_for, supervisor):
    client = client_for(supervisor)
    url = reverse("followups:import_page", args=["discharges"])
    refused_run("discharges", supervisor)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(6):
        refused_run("discharges", supervisor)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(url).content.decode()
    assert page.count('<details class="import-run-errors"') == 7
    assert len(seven) == len(one)


def test_another_kinds_runs_are_not_listed(client_for, supervisor, administrator):
    refused_run("departments", administrator)
    page = client_for(supervisor).get(reverse("followups:import_page", args=["discharges"])).content.decode()
    assert "import-run-errors" not in page and "暂无。" in page

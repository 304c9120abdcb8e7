"""The benchmark's reference pages and its one-request-at-a-time measurement (benchmarks/)."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import worker
from benchmarks.run import CALIBRATION, CALIBRATION_LISTS, PAGES, REFERENCES
from tests.factories import StaffFactory, make_finding

pytestmark = pytest.mark.urls("benchmarks.urls")


def test_calibration_page_spends_the_named_python_time_then_draws_the_frame(client_for, supervisor):
    client = client_for(supervisor)
    start = time.thread_time()
    response = client.get("/__bench__/empty+10ms")
    assert time.thread_time() - start >= 0.010
    assert response.status_code == 200
    assert response.templates[0].name == "base.html"


@pytest.mark.parametrize("path", ["/__bench__/empty+0ms", "/__bench__/empty+51ms"])
def test_calibration_page_refuses_a_cost_outside_its_range(client_for, supervisor, path):
    assert client_for(supervisor).get(path).status_code == 404


def test_calibration_page_asks_for_a_login_like_every_page(client):
    response = client.get("/__bench__/empty+5ms")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_calibration_rows_are_references_never_judged_against_the_targets():
    paths = {name: path for name, _role, path in PAGES}
    for ms, name in CALIBRATION.items():
        assert name in REFERENCES
        assert paths[name] == f"/__bench__/empty+{ms}ms"


@pytest.mark.parametrize("kind", ["plain", "drawn"])
def test_calibration_list_shows_the_latest_25_findings_in_one_query(
    client_for, supervisor, neike, django_assert_num_queries, kind
):
    start = timezone.now() - dt.timedelta(days=30)
    findings = [
        make_finding(department=neike, found_by=supervisor, found_at=start + dt.timedelta(days=d))
        for d in (
            3,
            1,
            4,
            15,
            9,
            2,
            6,
            5,
            26,
            25,
            27,
            18,
            28,
            8,
            12,
            7,
            19,
            20,
            21,
            22,
            23,
            24,
            11,
            10,
            13,
            14,
            16,
        )
    ]
    client = client_for(supervisor)
    client.get("/__bench__/empty")  # the session's first read
    with CaptureQueriesContext(connection) as frame:
        client.get("/__bench__/empty")
    with django_assert_num_queries(len(frame) + 1):  # the frame's, then the rows: one query
        response = client.get(f"/__bench__/list-{kind}")
    assert response.status_code == 200
    html = response.content.decode()
    shown = [f for f in findings if f.number in html]
    assert len(shown) == 25
    newest = sorted(findings, key=lambda f: f.found_at, reverse=True)[:25]
    assert {f.pk for f in shown} == {f.pk for f in newest}
    if kind == "drawn":
        assert f'href="/findings/{newest[0].pk}/"' in html
        assert newest[0].found_at.astimezone().strftime("%Y-%m-%d") in html


def test_calibration_list_of_an_unknown_kind_is_a_404(client_for, supervisor):
    assert client_for(supervisor).get("/__bench__/list-fancy").status_code == 404


def test_calibration_lists_are_references_never_judged_against_the_targets():
    paths = {name: path for name, _role, path in PAGES}
    for kind, name in CALIBRATION_LISTS.items():
        assert name in REFERENCES
        assert paths[name] == f"/__bench__/list-{kind}"


def test_inprocess_measures_every_bench_page_as_its_role(
    monkeypatch, supervisor, caller, head_neike, administrator
):
    monkeypatch.setattr(
        worker,
        "ROLE_USERS",
        {"supervisor": "supervisor", "caller": "caller", "head": "head-neike", "admin": "admin"},
    )
    StaffFactory()  # the per-person record's row opens a roster member
    logins = worker.sessions()
    result = worker.inprocess(repeats=2, logins=logins)
    assert set(result) == {name for name, _role, _path in PAGES}
    for name, measured in result.items():
        assert measured["status"] == 200, name
        assert measured["ms"] > 0 and measured["min_ms"] <= measured["ms"], name
        assert measured["cpu_ms"] > 0, name
    assert result["trivial view (baseline)"]["queries"] < result["finding list"]["queries"]


def test_the_pages_the_later_issues_added_are_measured_as_the_persona_that_sees_them():
    rows = {path: role for _name, role, path in PAGES}
    assert rows["/needs-me/"] in {"supervisor", "head", "caller"}
    assert {role for _n, role, path in PAGES if path == "/needs-me/"} == {"supervisor", "head", "caller"}
    assert rows["/people/{person}/"] == "supervisor" and rows["/reports/summaries/{summary}/"] == "supervisor"
    assert rows["/servicedesk/"] == "supervisor"
    figures = [path for _n, role, path in PAGES if role == "api"]
    assert len(figures) == 5 and all(path.startswith("/api/v1/figures/") for path in figures)


def test_sessions_give_the_api_persona_a_key_that_reads_figures_and_a_rerun_revokes_the_last(
    monkeypatch, client, supervisor
):
    monkeypatch.setattr(worker, "ROLE_USERS", {"supervisor": "supervisor"})
    first = worker.sessions()
    second = worker.sessions()
    params = second["params"]
    path = f"/api/v1/figures/complaints/?start={params['year_start']}&end={params['today']}"
    for logins, status in ((first, 401), (second, 200)):
        header = logins["personas"][worker.API_PERSONA]["header"]
        assert header.startswith("Authorization: Bearer ")
        response = client.get(path, HTTP_AUTHORIZATION=header.split(": ", 1)[1])
        assert response.status_code == status
    assert second["params"]["summary"] == first["params"]["summary"]  # the summary is made once


def test_frame_breakdown_times_the_parts_of_the_empty_page(monkeypatch, supervisor):
    monkeypatch.setattr(worker, "ROLE_USERS", {"supervisor": "supervisor"})
    result = worker.frame(repeats=3)
    assert result["empty"]["queries"] > result["trivial"]["queries"]
    parts = result["parts"]
    assert parts["session load (1 query)"]["wall"] > 0
    assert parts["template render (with the context processors)"]["wall"] > 0
    assert parts["context processor: supervision.context_processors.ducha"]["wall"] > 0
    # The timers are the measurement's own: the product's functions are back afterwards.
    from django.contrib.sessions.backends.db import SessionStore

    assert SessionStore.load.__qualname__ == "SessionStore.load"


def test_pages_against_a_running_server_need_its_secret_key(monkeypatch):
    from benchmarks import run

    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = run.bench_pages("postgresql://bench@db/ducha_bench", 1, 1, server="http://web:8000")
    assert "SECRET_KEY" in result["error"]


def _pages_result(server: str, inprocess: dict) -> dict:
    wrk = {"p50_ms": 10.0, "p95_ms": 20.0, "rps": 100.0, "non_2xx": 0, "socket_errors": 0}
    return {
        "status": {name: 200 for name, _role, _path in PAGES},
        "runs": {name: [wrk] for name, _role, _path in PAGES},
        "inprocess": inprocess,
        "server": server,
        "users": {},
    }


def test_pages_section_says_when_the_server_was_elsewhere_and_leaves_alone_unmeasured():
    from benchmarks.run import _pages_section

    text = "\n".join(
        _pages_section(_pages_result("http://web:8000", {"skipped": "remote"}), "large", "PostgreSQL (x)")
    )
    assert "Against `http://web:8000` (`--server`)" in text
    assert "| finding list | 200 | — |" in text


def test_pages_section_of_a_local_run_shows_each_page_alone():
    from benchmarks.run import _pages_section

    alone = {name: {"ms": 12.34} for name, _role, _path in PAGES}
    text = "\n".join(_pages_section(_pages_result("http://127.0.0.1:8765", alone), "large", "PostgreSQL (x)"))
    assert "--server" not in text
    assert "| finding list | 200 | 12.3 |" in text


def test_pages_alone_are_kept_and_shown_when_the_load_is_not_run(monkeypatch):
    from benchmarks import run

    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    calls = []

    def fake_run_json(args, env, timeout):
        calls.append(args[2])
        if args[2] == "sessions":
            return {
                "personas": {"supervisor": {"header": "Cookie: s=1", "username": "supervisor"}},
                "params": {},
            }
        return {
            name: {"ms": 4.0, "min_ms": 3.0, "cpu_ms": 2.0, "queries": 4, "status": 200}
            for name, _r, _p in PAGES
        }

    monkeypatch.setattr(run, "run_json", fake_run_json)
    monkeypatch.setattr(run.subprocess, "run", lambda *a, **k: None)  # collectstatic
    result = run.bench_pages("postgresql://bench@db/ducha_bench", 1, 1)
    assert calls == ["sessions", "inprocess"]
    assert result["load"] == "not run: wrk is not installed on this machine" and result["runs"] == {}
    text = "\n".join(run._pages_section(result, "small", "PostgreSQL (x)"))
    assert "wrk is not installed" in text
    assert "| finding list | 200 | 4.0 | 3.0 | 1.0× | 2.0 | 1.0× | 4 |" in text
    assert "The frame alone (empty page) costs 4.0 ms, 1.0× the trivial view alone" in text


@pytest.mark.parametrize(("setting", "threshold"), [("server", "50000"), ("default", "700")])
def test_pages_alone_are_measured_in_a_process_set_up_as_the_web_server_unless_asked_not_to(
    setting, threshold
):
    import os
    import subprocess
    import sys

    code = "from benchmarks import worker; import gc; worker._as_web_process(); print(gc.get_threshold()[0])"
    env = {**os.environ, "BENCH_GC": setting, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "supervision.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == threshold

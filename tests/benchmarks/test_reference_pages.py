"""The benchmark's reference pages and its one-request-at-a-time measurement (benchmarks/)."""

import time

import pytest

from benchmarks import worker
from benchmarks.run import CALIBRATION, PAGES, REFERENCES

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


def test_inprocess_measures_every_bench_page_as_its_role(
    monkeypatch, supervisor, caller, head_neike, administrator
):
    monkeypatch.setattr(
        worker,
        "ROLE_USERS",
        {"supervisor": "supervisor", "caller": "caller", "head": "head-neike", "admin": "admin"},
    )
    result = worker.inprocess(repeats=2)
    assert set(result) == {name for name, _role, _path in PAGES}
    for name, measured in result.items():
        assert measured["status"] == 200, name
        assert measured["ms"] > 0 and measured["min_ms"] <= measured["ms"], name
    assert result["trivial view (baseline)"]["queries"] < result["finding list"]["queries"]


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

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

"""Fuzzed calls to every endpoint: any JSON body, any row values, any query string get an answer
(200, 400, 404, 413, 422), never a server error; a refused push writes nothing."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups.importing import DischargeImport
from supervision.models import DischargeStay

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# As tests/fuzz/conftest.py's profile: no example database (no .hypothesis/ left in the checkout),
# the same inputs on every CI run (HYPOTHESIS_DERANDOMIZE=1), new ones on a developer's machine.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("HYPOTHESIS_DERANDOMIZE") == "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["2026-03-08", "2099-01-01", "内科", "NK", "男", "56岁", "13800138000", "", " ", "\x00"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELDS = [c.attr for c in DischargeImport.columns]
rows = st.lists(
    st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=len(FIELDS)), min_size=1, max_size=4
)
bodies = st.one_of(st.fixed_dictionaries({"rows": rows}), json_values)
raw_bodies = st.one_of(st.binary(max_size=60), st.text(max_size=60).map(str.encode))
PUSHES = ["/api/v1/discharges/", "/api/v1/departments/", "/api/v1/staff/"]
READS = [
    "/api/v1/findings/",
    "/api/v1/orders/",
    "/api/v1/figures/followups/",
    "/api/v1/figures/satisfaction/",
    "/api/v1/figures/rectification/",
    "/api/v1/figures/complaints/",
    "/api/v1/figures/window-waiting/",
]
params = st.dictionaries(
    st.sampled_from(
        ["start", "end", "department", "status", "overdue", "page", "page_size", "source", "severity", "x"]
    ),
    st.one_of(
        st.text(max_size=12), st.sampled_from(["2026-01-01", "2026-02-30", "NK", "true", "0", "-1", "closed"])
    ),
    max_size=5,
)


@FUZZ
@given(url=st.sampled_from(PUSHES), body=bodies)
def test_any_json_pushed_gets_an_answer_never_a_500(api, neike, url, body):
    before = DischargeStay.objects.count()
    response = api.post(url, body, format="json")
    assert response.status_code in (200, 400, 413, 422), (response.status_code, response.content[:300])
    assert response.json()
    if response.status_code != 200:
        assert DischargeStay.objects.count() == before


@FUZZ
@given(url=st.sampled_from(PUSHES), raw=raw_bodies)
def test_any_bytes_pushed_get_an_answer_never_a_500(api, url, raw):
    response = api.generic("POST", url, raw, content_type="application/json")
    assert response.status_code in (200, 400, 422), (response.status_code, response.content[:300])


@FUZZ
@given(url=st.sampled_from(READS), query=params)
def test_any_query_gets_an_answer_never_a_500(api, neike, url, query):
    response = api.get(url, query)
    assert response.status_code in (200, 400, 404), (response.status_code, response.content[:300])
    json.loads(response.content)

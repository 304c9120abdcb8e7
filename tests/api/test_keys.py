"""API keys: issued by an administrator, shown once, stored hashed; wrong, revoked or expired keys
are a 401, a missing scope a 403, a key over its rate a 429; every call is recorded."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiCall, ApiKey, ApiScope, hash_key

from .conftest import issue

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _get(raw: str | None, url: str = ORDERS, **headers):
    client = APIClient()
    if raw is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get(url, **headers)


def test_only_the_hash_of_a_key_is_stored():
    key, raw = issue()
    key.refresh_from_db()
    assert raw.startswith(f"dk_{key.prefix}.")
    assert key.hashed_key == hash_key(raw)
    stored = " ".join(
        str(v) for v in ApiKey.objects.values_list(*[f.attname for f in ApiKey._meta.concrete_fields]).get()
    )
    assert raw not in stored
    assert raw.split(".", 1)[1] not in stored


def test_the_admin_shows_a_new_key_once_and_never_again(client, administrator, settings):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:api_apikey_add"),
        {"name": "HIS 东软", "scopes": [ApiScope.DISCHARGES_WRITE], "rate_limit": 60, "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="HIS 东软")
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith("dk_"))
    assert hash_key(raw) == key.hashed_key
    assert key.scopes == [ApiScope.DISCHARGES_WRITE]
    change = client.get(reverse("admin:api_apikey_change", args=[key.pk]))
    assert raw not in change.content.decode()
    listing = client.get(reverse("admin:api_apikey_changelist"))
    assert raw not in listing.content.decode()
    assert _get(raw).status_code == 403  # the key works, without the findings scope


def test_a_valid_key_with_the_scope_is_answered():
    _key, raw = issue(scopes=[ApiScope.FINDINGS_READ])
    assert _get(raw).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [None, "", "dk_", "dk_abcd.efgh", "something-else", "dk_zzzz.zz.zz", "Bearer"],
)
def test_no_key_or_an_unknown_key_is_a_401(raw):
    response = _get(raw)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_with_a_changed_secret_is_a_401():
    _key, raw = issue()
    prefix, secret = raw.split(".", 1)
    assert _get(f"{prefix}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}").status_code == 401


def test_an_expired_key_is_a_401_that_says_so():
    _key, raw = issue(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = _get(raw, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_expiry_is_read_in_chinese_by_default():
    _key, raw = issue(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert "过期" in _get(raw).json()["detail"]


def test_a_revoked_key_is_a_401():
    key, raw = issue()
    key.active = False
    key.save()
    assert _get(raw).status_code == 401


def test_a_key_without_the_scope_is_a_403_naming_the_scope():
    _key, raw = issue(scopes=[ApiScope.DISCHARGES_WRITE])
    response = _get(raw, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "findings:read" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("/api/v1/discharges/", ApiScope.DISCHARGES_WRITE),
        ("/api/v1/departments/", ApiScope.ORG_WRITE),
        ("/api/v1/staff/", ApiScope.ORG_WRITE),
        ("/api/v1/figures/followups/?start=2026-01-01&end=2026-01-31", ApiScope.FIGURES_READ),
        ("/api/v1/findings/", ApiScope.FINDINGS_READ),
    ],
)
def test_each_endpoint_asks_for_its_own_scope(url, scope):
    others = [s for s in ApiScope.values if s != scope]
    _key, without = issue(name="without", scopes=others)
    _key, with_it = issue(name="with", scopes=[scope])
    method = (
        "post"
        if "figures" not in url and url.split("/")[3] in ("discharges", "departments", "staff")
        else "get"
    )
    for raw, expected in ((without, 403), (with_it, None)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = getattr(client, method)(url, {"rows": []} if method == "post" else None, format="json")
        if expected:
            assert response.status_code == expected, url
        else:
            assert response.status_code not in (401, 403), (url, response.content)


def test_a_key_over_its_rate_is_refused_with_429():
    _key, raw = issue(rate_limit=3)
    statuses = [_get(raw).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_each_key_counts_its_own_rate():
    _a, first = issue(name="a", rate_limit=1)
    _b, second = issue(name="b", rate_limit=1)
    assert _get(first).status_code == 200
    assert _get(second).status_code == 200
    assert _get(first).status_code == 429


def test_every_call_is_recorded_with_its_key_endpoint_and_result():
    key, raw = issue(scopes=[ApiScope.FINDINGS_READ])
    _get(raw)
    _get(raw, "/api/v1/figures/followups/?start=2026-01-01&end=2026-01-31")
    _get("dk_nothere.x")
    calls = list(ApiCall.objects.order_by("id").values_list("key_id", "key_prefix", "endpoint", "status"))
    assert calls == [
        (key.pk, key.prefix, ORDERS, 200),
        (key.pk, key.prefix, "/api/v1/figures/followups/", 403),
        (None, "nothere", ORDERS, 401),
    ]
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_key_and_its_departments_are_one_query_and_its_last_use_is_written_once_a_minute(
    neike, waike, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key, raw = issue(departments=[waike, neike])
    _whole, whole_raw = issue(name="BI")
    with django_assert_num_queries(1):
        found = ApiKey.objects.find(raw)
        assert found.department_ids == sorted([neike.pk, waike.pk])
    with django_assert_num_queries(1):
        assert ApiKey.objects.find(whole_raw).department_ids is None  # the whole hospital
    assert ApiKey.objects.find(raw[:-1] + ("x" if raw[-1] != "x" else "y")) is None

    def writes_of_the_key():
        with CaptureQueriesContext(connection) as queries:
            assert _get(raw).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "api_apikey" in q["sql"]]

    assert len(writes_of_the_key()) == 1  # the first call
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    assert writes_of_the_key() == []  # within the minute: the call's record says it
    assert ApiCall.objects.filter(key=key).count() == 2
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - dt.timedelta(seconds=61))
    assert len(writes_of_the_key()) == 1
    key.refresh_from_db()
    assert key.last_used_at >= first

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey, ApiScope
from api.services import api_key_issue


def issue(name="HIS", scopes=tuple(ApiScope.values), departments=(), **fields) -> tuple[ApiKey, str]:
    key = ApiKey(name=name, scopes=list(scopes), **fields)
    raw = api_key_issue(key=key)
    key.departments.set(departments)
    return key, raw


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    # The per-key rate counts live in the cache; a key id reused by the next test starts at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    """A client holding a key with every scope (``api.key``; ``api.use(raw)`` to change it)."""
    key, raw = issue(rate_limit=100_000)  # the fuzz tests call it hundreds of times a minute
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.key = key
    client.use = lambda raw: client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)

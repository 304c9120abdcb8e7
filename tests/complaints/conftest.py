"""Fixtures of the complaints tests."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache

from supervision.infra.public import SALT


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # django-ratelimit counts in the cache; every test starts with clean counters.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def form_token():
    """A honeypot timestamp token signed a minute ago (a person had time to type)."""
    with mock.patch("time.time", return_value=time.time() - 60):
        return signing.TimestampSigner(salt=SALT).sign("1")

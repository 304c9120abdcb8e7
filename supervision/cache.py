"""A Redis cache that degrades to "no cache" when Redis is unreachable, instead of a 500.

Django's ``RedisCache`` raises ``redis.exceptions.ConnectionError`` from every call when Redis
is down; django-ratelimit (public survey and complaint forms) does not catch it, so a Redis
outage turned every public form submission into an error page. Nothing Ducha keeps in the
cache is the only copy of anything (rate-limit counters, enqueue debounce keys), so on a
connection or timeout error each call answers as an empty cache would: ``get`` → default,
``add`` → False, ``incr`` → ValueError (missing key), writes are dropped. Rate limits therefore
fail open while Redis is down (the honeypot and the signed timestamp still stand).

After a failure the cache stays "down" for ``RETRY_SECONDS`` without trying Redis again, so a
hung Redis (2 s socket timeouts) costs one timeout per process every few seconds, not one per
call. Tested by tests/faults/test_redis_down.py; see docs/fault-drills.md.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DOWN = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, name, fallback, *args, **kwargs):
        return self._guarded(
            lambda: getattr(super(FailSoftRedisCache, self), name)(*args, **kwargs), fallback
        )

    def _guarded(self, work, fallback):
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return work()
        except DOWN as exc:
            self._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("Redis cache unavailable (%s); answering as an empty cache", exc)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version=version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._call("incr", missing, key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version=version)

    def clear(self):
        """Delete this cache's keys — and only those.

        Django's ``RedisCache.clear()`` is FLUSHDB. Ducha's broker and cache share one Redis
        database (``REDIS_URL``), so that would also delete the Celery queues: every task waiting
        to run. Here the keys under ``KEY_PREFIX`` are found with SCAN (never blocking Redis the
        way KEYS does) and deleted in batches.
        """

        def work():
            client = self._cache.get_client(None, write=True)
            pattern = _glob_escape(self.key_prefix) + ":*"
            batch: list = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
            return True

        return self._guarded(work, lambda: False)


def _glob_escape(text: str) -> str:
    """``text`` matched literally in a Redis SCAN/KEYS pattern."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)

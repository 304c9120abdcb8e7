"""Fault fixtures: Redis (cache and broker) pointing at a loopback port where nothing listens."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """Cache and Celery broker on a dead Redis (connection refused), Celery not eager: exactly what
    a web process sees when Redis stops. Yields the dead URL; restores everything afterwards."""
    from supervision.celery import app
    from supervision.settings import redis_cache

    url = f"redis://127.0.0.1:{free_port()}/0"
    # What settings choose with REDIS_URL: django-redis, fail-soft, on the next database.
    cache_url = url.removesuffix("/0") + "/1"
    settings.CACHES = {
        "default": redis_cache(cache_url, "ducha"),
        "fragments": redis_cache(cache_url, "ducha-fragments"),
    }
    saved = {
        key: app.conf.get(key)
        for key in (
            "broker_url",
            "broker_transport_options",
            "task_always_eager",
            "broker_connection_timeout",
        )
    }
    app.conf.update(
        broker_url=url,
        broker_transport_options={"socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 1},
        task_always_eager=False,
        broker_connection_timeout=2,
    )
    _reset_pools(app)
    yield url
    app.conf.update(saved)
    _reset_pools(app)


def _reset_pools(app) -> None:
    """Forget the connection and producer pools so that the next publish uses the current conf."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None

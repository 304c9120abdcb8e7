"""Settings come from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "supervision.settings",
}
GOOD = {
    "SECRET_KEY": "Tq8vLm2Zp9Xr4Wn7Ys1Kd6Hf3Jb5Gc0Va8Ue2Ro4Ii9Pl7Mk3Nj6Bh1Cg5Df0Es",
    "ALLOWED_HOSTS": "ducha.hospital.cn",
    "DUCHA_VAR_DIR": "/tmp/ducha-settings-test",
}


def load_settings(**env):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://u:p@db/ducha"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://redis:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://redis:6379/15"}, "REDIS_URL"),  # no database left for the cache
        ({"REDIS_URL": "redis://redis:6379/0", "CACHE_URL": "redis://redis:6379/0"}, "CACHE_URL"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL"),
        ({"SESSION_COOKIE_AGE": "eight hours"}, "SESSION_COOKIE_AGE"),
        ({"CSRF_TRUSTED_ORIGINS": "ducha.hospital.cn"}, "CSRF_TRUSTED_ORIGINS"),
        ({"DUCHA_BASE_URL": "ducha.hospital.cn"}, "DUCHA_BASE_URL"),
        ({"DUCHA_BASE_URL": "ftp://ducha.hospital.cn"}, "DUCHA_BASE_URL"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(env, variable):
    result = load_settings(**{**GOOD, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_no_environment_means_the_embedded_default_in_debug():
    result = load_settings(DEBUG="1", DUCHA_VAR_DIR="/tmp/ducha-settings-test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_production_variables_select_postgresql_and_redis():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['socket_timeout'], s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {
        **BASE_ENV,
        **GOOD,
        "DATABASE_URL": "postgresql://u:p@db:5432/ducha",
        "REDIS_URL": "redis://redis:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    engine, broker, cache, timeout, secure, hsts = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://redis:6379/0"
    assert cache.endswith("RedisCache")
    assert timeout == "2"
    assert secure == "True" and int(hsts) > 0


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings, db):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL run")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_check_deploy_passes_with_production_variables():
    env = {
        **BASE_ENV,
        **GOOD,
        "DATABASE_URL": "postgresql://u:p@db:5432/ducha",
        "REDIS_URL": "redis://redis:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_makemigrations_check_runs_on_a_fresh_clone_without_production_variables():
    result = _manage("makemigrations", "--check", "--dry-run", DUCHA_VAR_DIR="/tmp/ducha-settings-test")
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("env", "variable", "check_id"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY", "ducha.E001"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY", "ducha.E002"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS", "ducha.E003"),
    ],
)
def test_check_deploy_fails_naming_a_missing_or_weak_production_variable(env, variable, check_id):
    result = _manage("check", "--deploy", **{**GOOD, **env})
    assert result.returncode != 0
    assert check_id in result.stderr and variable in result.stderr


@pytest.mark.parametrize(
    "command", [["showmigrations"], ["sqlmigrate", "supervision", "0001"], ["compilemessages", "--help"]]
)
def test_source_tree_commands_run_without_production_variables(command):
    result = _manage(*command, DUCHA_VAR_DIR="/tmp/ducha-settings-test")
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_web_server_without_production_variables_stops_at_start_naming_secret_key():
    """gunicorn runs no system checks: supervision/wsgi.py runs the production-variable check."""
    result = subprocess.run(
        [sys.executable, "-c", "import supervision.wsgi"],
        cwd=ROOT,
        env={**BASE_ENV, "DUCHA_VAR_DIR": "/tmp/ducha-settings-test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    last = result.stderr.splitlines()[-1]
    assert "ImproperlyConfigured" in last and "SECRET_KEY" in last and "ALLOWED_HOSTS" in last


def test_the_web_server_starts_with_the_production_variables():
    result = subprocess.run(
        [sys.executable, "-c", "import supervision.wsgi"],
        cwd=ROOT,
        env={**BASE_ENV, **GOOD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("redis_url", ["", "redis://redis:6379/0"])
def test_media_root_does_not_depend_on_redis(redis_url):
    code = "from django.conf import settings; print(settings.MEDIA_ROOT)"
    for module in ("supervision.settings", "supervision.settings_test"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**BASE_ENV, **GOOD, "DJANGO_SETTINGS_MODULE": module, "REDIS_URL": redis_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        expected = (
            "/tmp/ducha-settings-test/media"
            if module.endswith("settings")
            else "/tmp/ducha-settings-test/test/media"
        )
        assert result.stdout.strip() == expected

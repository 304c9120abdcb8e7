"""The pull of discharged stays from the hospital information system's database.

The HIS vendor provides a view; an administrator puts a read-only account's URL in the environment
(``HIS_DATABASE_URL``: ``postgresql://…``, ``mysql://…`` / ``mariadb://…`` with PyMySQL installed,
``sqlite:///path``) and the query in the admin (``HisPull``). The pull runs the query on a
read-only connection and hands its rows to the discharge import (``run_rows`` on the one
pipeline): the same checks and messages as a file, all-or-nothing, idempotent, one ``ImportRun``
(file name "HIS") per run. An unreachable database, a failing query or columns that are not the
template's are a clear message on that run, and nothing is written.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import unquote, urlparse

from django.conf import settings

from followups.importing import DischargeImport
from supervision.infra.imports import ImportReport, record_failure, run_rows

from . import texts
from .models import HisPull

SOURCE = "HIS"
CONNECT_TIMEOUT = 10  # seconds
QUERY_TIMEOUT = 600  # seconds, where the database lets the session say so
FETCH = 2000


class HisError(Exception):
    """The HIS cannot be read; the message (a ``Worded``, worded when shown) says why."""


def connect(url: str):
    """A read-only DB-API connection to ``url``."""
    parts = urlparse(url)
    scheme = parts.scheme.split("+")[0].lower()
    if scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("//") else parts.path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT)
    if scheme in ("postgres", "postgresql"):
        import psycopg

        return psycopg.connect(
            url,
            connect_timeout=CONNECT_TIMEOUT,
            options=f"-c default_transaction_read_only=on -c statement_timeout={QUERY_TIMEOUT * 1000}",
        )
    if scheme in ("mysql", "mariadb"):
        try:
            import pymysql
        except ImportError:
            raise HisError(texts.HIS_NO_DRIVER()) from None
        connection = pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/"),
            charset="utf8mb4",
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=QUERY_TIMEOUT,
        )
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
        return connection
    raise HisError(texts.HIS_BAD_SCHEME(scheme=scheme))


def _rows(cursor):
    while batch := cursor.fetchmany(FETCH):
        yield from batch


def discharges_pull(*, actor=None) -> ImportReport:
    """Run the configured query on the HIS and import its rows as discharged stays."""
    config = HisPull.get()
    url = settings.HIS_DATABASE_URL
    try:
        if not url:
            raise HisError(texts.HIS_NO_DATABASE())
        if not config.query.strip():
            raise HisError(texts.HIS_NO_QUERY())
        try:
            connection = connect(url)
        except HisError:
            raise
        except Exception as exc:
            raise HisError(texts.HIS_UNREACHABLE(reason=_reason(exc))) from None
    except HisError as exc:
        return record_failure(DischargeImport, source_name=SOURCE, message=exc.args[0], actor=actor)
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(config.query)
        except Exception as exc:
            return record_failure(
                DischargeImport,
                source_name=SOURCE,
                message=texts.HIS_QUERY_FAILED(reason=_reason(exc)),
                actor=actor,
            )
        by_field = {c.attr: c.header for c in DischargeImport.columns}
        headers = [by_field.get(d[0], str(d[0]).strip()) for d in cursor.description or ()]
        return run_rows(DischargeImport, headers=headers, rows=_rows(cursor), source_name=SOURCE, actor=actor)
    finally:
        connection.close()


def _reason(exc: Exception) -> str:
    # The driver's first line (e.g. "connection refused", "relation … does not exist"); never the URL.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]

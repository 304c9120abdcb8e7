"""One rule against spreadsheet formula injection (CSV/Excel "formula injection", OWASP).

A cell whose text a spreadsheet would read as a formula — starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return — is written with a leading apostrophe, so Excel and WPS
show it as text and never evaluate it (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0`` …). Numbers,
dates, booleans and ``None`` are left alone: a negative number stays a number.

Every Excel or CSV file the project writes from data a user typed or imported goes through
``safe_cell`` (surveys exports, the report workbooks) or ``SafeExportResourceMixin`` (the
django-import-export resources of the admin's export).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet may store it: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


class SafeExportResourceMixin:
    """For django-import-export resources: every exported value passes through ``safe_cell``.

    ``class StaffResource(SafeExportResourceMixin, resources.ModelResource): ...``
    (the mixin must come first so that its ``export_field`` wraps the library's).
    """

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))

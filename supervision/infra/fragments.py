"""Rows of long lists, rendered once per content and cached (collection caching).

A list page spent most of its time in Django's template engine drawing the same 25 rows on every
view (≈0.5 ms a row: links, dates, labels, badges). Rows change far less often than they are
looked at, so each row is now drawn from a small dict of plain values (the *row*) by its own
template, and the HTML is cached under a digest of exactly that dict — the technique of Rails'
``render collection: …, cached: true``, with the key taken from the content instead of an
``updated_at`` stamp:

- the key holds the row template's name and source digest, the active language and time zone,
  and a digest of every value the row shows, so a cached row can only ever be served where the
  very same HTML would be drawn — there is nothing to invalidate, a changed value is a new key;
- the row template is rendered with the row alone (no request, no user, no context
  processors), so it cannot show anything the key does not hold; what depends on the viewer or on
  today (an "overdue" flag, "someone else has it") is computed into the row by the view;
- one ``get_many`` per page fetches every row (one MGET on Redis), from the ``fragments`` cache alias.

Rows must therefore never hold a CSRF token or anything secret: a row is shared by every viewer
who would see the same values. Links are part of the row (``url_maker``), so a changed URL
layout is a new key too. See docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

DEFAULT_SECONDS = 600
# Its own cache alias (settings.CACHES): rows are many small entries, kept apart from the figures and
# the rate-limit counters so that they never push those out.
CACHE_ALIAS = "fragments"
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, Decimal)  # datetime is a date
# The same types exactly (not their subclasses): the values of nearly every row, told plain by one
# look-up instead of a call to ``_check`` each (a head's twenty open orders: ~2,000 calls a view).
_PLAIN_EXACT = frozenset({*_PLAIN, dt.datetime})
_PLACEHOLDER = 987654321987
# Where a block drawn once per content puts its forms' CSRF token ({% csrf_slot %}); the page fills it
# with its own ({% with_csrf %}). No value can write it: values are escaped, and it begins with "<".
CSRF_SLOT = "<!--ducha:csrf-->"


def ttl() -> int:
    return int(getattr(settings, "DUCHA_ROW_CACHE_SECONDS", DEFAULT_SECONDS))


def url_maker(viewname: str) -> Callable[[int], str]:
    """``pk -> reverse(viewname, args=[pk])`` with one ``reverse()`` per page instead of one per row."""
    head, sep, tail = reverse(viewname, args=[_PLACEHOLDER]).rpartition(str(_PLACEHOLDER))
    if not sep:  # pragma: no cover - a URL that does not show its argument
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"


def _check(value, path: str) -> None:
    if isinstance(value, _PLAIN):
        return
    # Items of the exact plain types are passed over without a call (and without wording their path).
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if type(item) not in _PLAIN_EXACT:
                _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):  # a stored text's parameters (JSON): plain keys and values
        for name, item in value.items():
            if type(name) not in _PLAIN_EXACT:
                _check(name, f"{path} key")
            if type(item) not in _PLAIN_EXACT:
                _check(item, f"{path}[{name!r}]")
        return
    # Model instances, lazy translations and querysets have no stable repr: the digest would miss
    # changes (or never hit). Rows hold plain values only.
    raise TypeError(f"row value {path} is a {type(value).__name__}; rows hold plain values only")


def row_digest(row: Mapping) -> str:
    for name, value in row.items():
        if type(value) not in _PLAIN_EXACT:
            _check(value, name)
    return hashlib.blake2b(repr(tuple(row.items())).encode(), digest_size=16).hexdigest()


def cached_rows(
    template_name: str, rows: Iterable[Mapping], *, draw: Callable[[Mapping], Mapping] | None = None
) -> list[SafeString]:
    """The HTML of each row (``{{ row }}`` in ``template_name``), from the cache where it is there.

    ``draw`` turns a row into what its template is given, for the rows not in the cache only: the
    wording of a stored text or a choice's label, which take longer to work out than the row's
    HTML takes to fetch, is then done only when the row is drawn. It must be a function of the row's
    values, the active language and the time zone alone (all in the key), like the template itself.
    """
    rows = list(rows)
    if not rows:
        return []
    template = get_template(template_name)
    source = getattr(getattr(template, "template", None), "source", template_name)
    parts = (
        template_name,
        translation.get_language() or settings.LANGUAGE_CODE,
        timezone.get_current_timezone_name(),
        hashlib.blake2b(source.encode(), digest_size=8).hexdigest(),
    )
    prefix = "ducha:row:" + ":".join(parts) + ":"
    keys = [prefix + row_digest(row) for row in rows]
    seconds = ttl()
    store = caches[CACHE_ALIAS]
    found = store.get_many(keys) if seconds > 0 else {}
    out: list[SafeString] = []
    missing: dict[str, str] = {}
    for key, row in zip(keys, rows, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = str(template.render({"row": draw(row) if draw else row}))
        out.append(mark_safe(html))  # noqa: S308 # nosec B308 B703 # our own template's output, cached as a plain str
    if missing and seconds > 0:
        store.set_many(missing, seconds)
    return out


def cached_fragment(
    template_name: str,
    content: Mapping,
    *,
    draw: Callable[[Mapping], Mapping] | None = None,
    includes: tuple[str, ...] = (),
) -> SafeString:
    """One block of a page (``template_name``), drawn once per content like a row of ``cached_rows``.

    ``content`` holds every value the block's HTML is a function of, plain values only (lists and
    dicts of them too: a section's rows); the key is its digest with the template's name and source,
    the language and the time zone, so a block is only ever served where the very same HTML would be
    drawn — a changed value is a new key, nothing to invalidate. ``draw(content)`` gives the
    template's context on a miss only (the rows' HTML through ``cached_rows``, a stored text worded);
    the sources of the templates it draws with (``includes``) enter the key too. Used where a block
    of 10–20 rows cost more in per-row look-ups and the template's loop than in drawing it: one key,
    one cache read. Never for a block holding a CSRF token or anything about the viewer beyond
    ``content`` (see ``csrf_slot``).
    """
    sources = []
    for name in (template_name, *includes):
        template = get_template(name)
        source = getattr(getattr(template, "template", None), "source", name)
        sources.append(hashlib.blake2b(source.encode(), digest_size=8).hexdigest())
    key = ":".join(
        (
            "ducha:block",
            template_name,
            translation.get_language() or settings.LANGUAGE_CODE,
            timezone.get_current_timezone_name(),
            *sources,
            row_digest(content),
        )
    )
    seconds = ttl()
    store = caches[CACHE_ALIAS]
    html = store.get(key) if seconds > 0 else None
    if html is None:
        html = str(get_template(template_name).render(dict(draw(content) if draw else content)))
        if seconds > 0:
            store.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 # our own template's output, cached as a plain str

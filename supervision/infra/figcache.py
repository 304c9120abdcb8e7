"""A short-lived cache for computed figures (dashboard panels, results pages).

Dashboard panels and results pages aggregate whole channels in SQL (order counts, follow-up
rates, satisfaction per dimension …). Those figures change slowly, yet every page view
recomputed them; on a large hospital that was most of the dashboards' time. They are now kept
in Django's cache (Redis in production, local memory on the embedded default) for
``settings.DUCHA_FIGURES_CACHE_SECONDS`` (90 s by default) and the pages say "as of HH:MM".

The key holds everything that scopes a figure, so a cached figure is only ever served to a user
who would compute the very same value:

- the user's scope, ``supervision.access.Scope.cache_key`` and nothing else: the roles, the
  departments (``all`` for supervisors and administrators, the sorted department ids for
  department heads) and the user id when the user sees rows they own (volunteers, follow-up staff);
  ``user=None`` is the public scope (figures computed for nobody in particular);
- the active language (cached values may hold translated labels);
- today's date (periods such as "this month" move at midnight);
- whatever else the caller passes in ``vary`` (period, filters).

Lists of the user's own actionable items (a head's open orders, a caller's tasks) are not cached
here: they stay live. See docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from ..access import scope_of

DEFAULT_SECONDS = 90
# How long one request may take to recompute a stale figure before another may try.
REFRESH_LOCK_SECONDS = 60


def ttl() -> int:
    return int(getattr(settings, "DUCHA_FIGURES_CACHE_SECONDS", DEFAULT_SECONDS))


def figures_key(name: str, *, user=None, vary: Iterable[Any] = ()) -> str:
    parts = [
        name,
        scope_of(user).cache_key,
        translation.get_language() or settings.LANGUAGE_CODE,
        timezone.localdate().isoformat(),
        *(_plain(v) for v in vary),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"ducha:fig2:{name}:{digest}"  # fig2: entries carry their freshness (value, as_of, fresh_until)


def _plain(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ",".join(sorted(_plain(v) for v in value)) + "]"
    return repr(value)


def cached_figures(
    name: str, compute: Callable[[], Any], *, user=None, vary: Iterable[Any] = (), timeout: int | None = None
) -> tuple[Any, dt.datetime]:
    """``(value, as_of)``: the cached value of ``compute()`` for this scope, or a fresh one.

    ``compute`` must return plain, picklable data (numbers, dicts, lists — evaluate querysets).
    ``as_of`` is when the value was computed; pages show it as "as of HH:MM".
    """
    seconds = ttl() if timeout is None else timeout
    if seconds <= 0:  # caching turned off (DUCHA_FIGURES_CACHE_SECONDS=0)
        return compute(), timezone.now()
    key = figures_key(name, user=user, vary=vary)
    now = timezone.now()
    hit = cache.get(key)
    if hit is not None:
        value, as_of, fresh_until = hit
        # Past its freshness, one request recomputes (it wins the refresh lock) while the others
        # keep serving the previous value — at most twice the TTL old, and "as of" says so — so an
        # expiring figure does not make every thread of every web worker recompute it at once.
        if now < fresh_until or not cache.add(f"{key}:refresh", 1, REFRESH_LOCK_SECONDS):
            return value, as_of
        try:
            return _store(key, compute, seconds)
        finally:
            cache.delete(f"{key}:refresh")
    return _store(key, compute, seconds)


def rendered_once(
    name: str, render: Callable[[], str], *, as_of: dt.datetime, user=None, vary: Iterable[Any] = ()
) -> str:
    """The HTML of a cached figure set, cached next to it.

    The same figures (the same ``as_of``) always render to the same HTML for the same scope,
    language and ``vary``, so a results page renders its tables and charts once per figure set
    instead of once per request. ``render`` must depend on nothing else (no user-specific links,
    no CSRF token).
    """
    seconds = ttl()
    if seconds <= 0:
        html = str(render())
    else:
        key = f"{figures_key(name, user=user, vary=vary)}:html:{as_of.timestamp():.6f}"
        html = cache.get(key)
        if html is None:
            html = str(render())
            cache.set(key, html, seconds * 2)
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 # our own template's output, cached as a plain str


def cached_html(
    name: str,
    compute: Callable[[], Any],
    render: Callable[[Any, dt.datetime], str],
    *,
    user=None,
    vary: Iterable[Any] = (),
) -> str:
    """``render(figures, as_of)`` of ``compute()``'s figures, cached as the figures would be
    (``cached_figures``: the same scope, language, day and ``vary`` in the key, the same freshness
    and refresh lock) but as one entry holding the HTML alone.

    For a dashboard panel that shows its figures and nothing else: a view reads one string instead
    of the figures (unpickled — rates, fractions — on every view) and then their HTML beside them.
    ``render`` must depend on the figures, ``as_of`` and what the key holds only (no request, no
    user-specific links, no CSRF token).
    """

    def draw() -> str:
        figures = compute()
        return str(render(figures, timezone.now()))

    html, _as_of = cached_figures(f"{name}:html", draw, user=user, vary=vary)
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 # our own template's output, cached as a plain str


def _store(key: str, compute: Callable[[], Any], seconds: int) -> tuple[Any, dt.datetime]:
    value = compute()
    as_of = timezone.now()
    cache.set(key, (value, as_of, as_of + dt.timedelta(seconds=seconds)), seconds * 2)
    return value, as_of


class CachedCountPaginator(Paginator):
    """A paginator whose total row count is a cached figure (the rows of the page stay live).

    For long office-wide lists (e.g. every follow-up task), where ``COUNT(*)`` over the whole
    table cost more than the page itself. The key is the list's name, the user's scope and the
    filters in ``vary``; a count up to ``DUCHA_FIGURES_CACHE_SECONDS`` old only moves the last
    page number.
    """

    def __init__(self, object_list, per_page, *, name: str, user, vary: Iterable[Any] = (), **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._figure = (name, user, tuple(vary))

    @cached_property
    def count(self) -> int:
        name, user, vary = self._figure
        return cached_figures(name, self._live_count, user=user, vary=vary)[0]

    def _live_count(self) -> int:
        """Django's own count (``COUNT(*)`` or ``len()``), through the parent's public property."""
        return super().count

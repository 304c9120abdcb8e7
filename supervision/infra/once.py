"""A figure read once per page view, when two parts of one page show it.

The dashboard is put together by hooks that do not know one another — the channels' panels and
their "needs me now" queues (``supervision.channels``) — and two of them may show the same figure:
a caller's calls panel and their queues both show today's list. Inside ``page_view()`` the first
``once(key, compute)`` computes the figure (or a part that read it in a wider query gave it with
``remember``) and the second gets the same value; outside it (any
other caller of the selectors, a test asking before and after a change, a task) every call computes
anew. The memo lives in a context variable for the duration of the ``with`` block only, so nothing
outlives the request that made it and no other request, user or thread ever reads it: it is not a
cache (nothing to invalidate) and the counts stay live — read at most once per view.

Use it for reads only, inside a view that writes nothing (the dashboard is a GET), and key every
figure by everything it depends on (the user, the day …).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("ducha_page_view_memo", default=None)


@contextmanager
def page_view() -> Iterator[None]:
    """While the block runs, ``once`` computes each key at most once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, value) -> None:
    """Inside ``page_view()``, ``value`` is what ``once(key, …)`` gives from now on (a part that read
    a figure in a wider query tells the parts after it); outside, nothing."""
    memo = _memo.get()
    if memo is not None:
        memo.setdefault(key, value)


def once(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or the value it gave for ``key`` earlier in the same ``page_view()``."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]

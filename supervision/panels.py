"""Dashboard panels contributed by the channel apps.

A channel that has something to show on the dashboard names a ``panels(request) -> list[Panel]``
function in its contract (``supervision.channels.Channel.dashboard_panels``); the core dashboard
renders them in app order. Each provider decides by role what to show and keeps its query count
constant.

A panel that shows cached figures only (``figures_panel``) is drawn once per figure set, scope,
language and ``vary``, its HTML cached in the figures' place (``figcache.cached_html``: one cache
read per panel and view), and the dashboard shows that HTML as it is. A panel of live numbers
(``live_panel``: a caller's own calls) is read on every view and drawn once per content; the latest
reports are drawn on every view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string

from .channels import channels
from .infra.figcache import cached_html
from .infra.fragments import cached_fragment


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    # The panel's HTML when it was drawn once for its figure set (``figures_panel``): the dashboard
    # shows it instead of including ``template``.
    html: str | None = None


def figures_panel(
    name: str, template: str, compute: Callable[[], dict], *, user, vary: Iterable[Any] = ()
) -> Panel:
    """A panel drawn from cached figures only: ``template`` sees ``panel``, the figures ``compute()``
    returns (plain data, nothing that the key does not hold: ``user``'s scope — roles, departments —,
    the language, the day and ``vary``) and their ``as_of``. Figures and HTML are cached together
    (``figcache.cached_html``): a view reads the panel's HTML alone, never its figures. The template
    is drawn without the request (no user, no CSRF token, no context processors), as when the
    dashboard includes it."""

    def render(figures: dict, as_of: dt.datetime) -> str:
        return render_to_string(template, {"panel": {**figures, "as_of": as_of}})

    return Panel(template, html=cached_html(name, compute, render, user=user, vary=(template, *vary)))


def live_panel(template: str, content: dict) -> Panel:
    """A panel of live numbers (a caller's own calls), read on every view but drawn once per content
    (``infra.fragments.cached_fragment``): ``content`` — plain values, links included — is its key and
    all ``template`` sees (as ``panel``), so the same numbers are always the same HTML. Drawing the
    calls panel in the template engine on every view cost ~550 Python calls."""
    return Panel(template, content, html=cached_fragment(template, {"panel": content}))


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for channel in channels():
        if channel.dashboard_panels is not None:
            panels.extend(channel.dashboard_panels(request))
    return panels

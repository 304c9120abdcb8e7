"""Dashboard panels contributed by the channel apps.

A channel that has something to show on the dashboard names a ``panels(request) -> list[Panel]``
function in its contract (``supervision.channels.Channel.dashboard_panels``); the core dashboard
renders them in app order. Each provider decides by role what to show and keeps its query count
constant.

A panel that shows cached figures only (``figures_panel``) is drawn once per figure set, scope,
language and ``vary`` — as the core's own office figures are (``figcache.rendered_once``) — and the
dashboard shows its HTML as it is; the other panels (a caller's own calls, the latest reports) are
drawn on every view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string

from .channels import channels
from .infra.figcache import rendered_once


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    # The panel's HTML when it was drawn once for its figure set (``figures_panel``): the dashboard
    # shows it instead of including ``template``.
    html: str | None = None


def figures_panel(
    name: str, template: str, context: dict, *, as_of: dt.datetime, user, vary: Iterable[Any] = ()
) -> Panel:
    """A panel drawn from cached figures only: ``context`` holds the figures of the set cached under
    ``name`` at ``as_of`` (``figcache.cached_figures``) and nothing that the key does not hold —
    ``user``'s scope (roles, departments), the language, the day and ``vary`` — so the same key
    always stands for the same HTML. The template is drawn without the request (no user, no CSRF
    token, no context processors): it sees ``panel`` only, as when the dashboard includes it."""
    html = rendered_once(
        name,
        lambda: render_to_string(template, {"panel": context}),
        as_of=as_of,
        user=user,
        vary=(template, *vary),
    )
    return Panel(template, context, html)


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for channel in channels():
        if channel.dashboard_panels is not None:
            panels.extend(channel.dashboard_panels(request))
    return panels

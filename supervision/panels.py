"""Dashboard panels contributed by the channel apps.

A channel that has something to show on the dashboard names a ``panels(request) -> list[Panel]``
function in its contract (``supervision.channels.Channel.dashboard_panels``); the core dashboard
renders them in app order. Each provider decides by role what to show and keeps its query count
constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .channels import channels


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for channel in channels():
        if channel.dashboard_panels is not None:
            panels.extend(channel.dashboard_panels(request))
    return panels

"""Dashboard panels contributed by the channel apps.

An app that has something to show on the dashboard defines ``<app>/dashboard.py`` with
``panels(request) -> list[Panel]``; the core dashboard renders them in app order. Each
provider decides by role what to show and keeps its query count constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for config in apps.get_app_configs():
        if config.name == "supervision":
            continue
        try:
            provider = import_string(f"{config.name}.dashboard.panels")
        except ImportError:
            continue
        panels.extend(provider(request))
    return panels

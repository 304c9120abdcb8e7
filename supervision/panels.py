"""Dashboard panels contributed by the channel apps.

An app that has something to show on the dashboard defines ``<app>/dashboard.py`` with
``panels(request) -> list[Panel]``; the core dashboard renders them in app order. Each
provider decides by role what to show and keeps its query count constant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


@functools.cache
def _providers() -> tuple:
    # Looked up once per process: a failed import is not cached by Python, so asking every app
    # (Django's own included) for a dashboard module on every request cost ~1 ms per dashboard.
    providers = []
    for config in apps.get_app_configs():
        if config.name == "supervision":
            continue
        try:
            providers.append(import_string(f"{config.name}.dashboard.panels"))
        except ImportError:
            continue
    return tuple(providers)


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for provider in _providers():
        panels.extend(provider(request))
    return panels

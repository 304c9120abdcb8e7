"""Walk the URL conf: every named URL as ``namespace:name`` with its route and parameter names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not covered by the matrix, on purpose:
# - ``admin:*``: the Django admin is for staff accounts only and is tested by tests/supervision/test_admin.py;
# - static and media files are served by whitenoise / the web server, not by named URLs.
EXCLUDED_NAMESPACES = ("admin",)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" (or "name" in the root conf)
    route: str  # the pattern text, for messages
    params: tuple[str, ...]


def _params(pattern) -> tuple[str, ...]:
    text = str(pattern)
    names = re.findall(r"<(?:\w+:)?(\w+)>", text)
    names += re.findall(r"\(\?P<(\w+)>", text)
    return tuple(names)


def walk(patterns=None, namespace: str = "", prefix: str = "") -> list[Route]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = ":".join(part for part in (namespace, ns) if part)
            if ns in EXCLUDED_NAMESPACES:
                continue
            routes += walk(entry.url_patterns, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(
                    f"URL {prefix}{entry.pattern} has no name: give it one and a matrix rule"
                )
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            routes.append(
                Route(
                    name=name, route=prefix + str(entry.pattern), params=_params(prefix + str(entry.pattern))
                )
            )
    return routes

"""The project's URLs plus the benchmark's reference views (never part of the product's URLs)."""

import time

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.urls import include, path

from supervision.models import Finding

# Calibration pages spin at most this long: they are references, not a way to load the server.
MAX_SPIN_MS = 50


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def empty_page(request):
    return render(request, "base.html", {})


@login_required
def empty_page_plus(request, ms):
    """The empty page after `ms` milliseconds of this thread's CPU in Python.

    A calibration reference: under the same load, it shows what a page costing the frame plus a
    known amount of Python (holding the GIL, as template rendering and the ORM do) achieves on this
    machine, so a page's in-process cost can be read against the targets. Thread CPU time, not wall
    time: under load the thread waits for the GIL, and the wait must not count as work done.
    """
    if not 0 < ms <= MAX_SPIN_MS:
        raise Http404
    end = time.thread_time() + ms / 1000
    while time.thread_time() < end:
        pass
    return render(request, "base.html", {})


def _list_template(cells: str):
    # Compiled once at import, as the cached template loader compiles a product template once.
    return engines["django"].from_string(
        '{% extends "base.html" %}{% load i18n %}{% block content %}<table class="table"><tbody>'
        "{% for f in rows %}<tr>" + cells + "</tr>{% endfor %}</tbody></table>{% endblock %}"
    )


# The two ways of drawing 25 findings (the finding list's page size) that the calibration lists
# compare: bare values in six cells, and the six cells drawn on every request as templates usually
# draw them.
LIST_TEMPLATES = {
    "plain": _list_template(
        "<td>{{ f.number }}</td><td>{{ f.found_at }}</td><td>{{ f.department__name }}</td>"
        "<td>{{ f.category__name }}</td><td>{{ f.severity }}</td><td>{{ f.location }}</td>"
    ),
    "drawn": _list_template(
        "<td><a href=\"{% url 'finding_detail' f.pk %}\">{{ f.number }}</a></td>"
        '<td>{{ f.found_at|date:"Y-m-d H:i" }}</td><td>{{ f.department.name }}</td>'
        "<td>{{ f.category.name }}</td><td>{{ f.get_severity_display }}</td><td>{{ f.location }}</td>"
    ),
}
LIST_ROWS = 25


@login_required
def list_page(request, kind):
    """The empty page plus one query for 25 findings (the finding list's page size), six columns.

    Calibration references for issue 23's "every page ≤ 2× the frame". ``plain`` reads the rows as
    values and prints them bare: the least a list page can show, without a filter, a page count, an
    action or a label. ``drawn`` reads them as model instances with their department and category
    (one joined query) and draws every row on every request as a template usually does — a link to
    the finding, its moment as a date, its severity's label: what the product's lists avoid by
    drawing each row once per content (``cached_rows``).
    """
    template = LIST_TEMPLATES.get(kind)
    if template is None:
        raise Http404
    findings = Finding.objects.order_by("-found_at")
    if kind == "plain":
        fields = ("pk", "number", "found_at", "department__name", "category__name", "severity", "location")
        rows = list(findings.values(*fields)[:LIST_ROWS])
    else:
        rows = list(findings.select_related("department", "category")[:LIST_ROWS])
    return HttpResponse(template.render({"rows": rows}, request))


urlpatterns = [
    path("__bench__/trivial", trivial, name="bench_trivial"),
    path("__bench__/empty", empty_page, name="bench_empty"),
    path("__bench__/empty+<int:ms>ms", empty_page_plus, name="bench_empty_plus"),
    path("__bench__/list-<str:kind>", list_page, name="bench_list"),
    path("", include("supervision.urls")),
]

"""The project's URLs plus the benchmark's reference views (never part of the product's URLs)."""

import time

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import include, path

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


urlpatterns = [
    path("__bench__/trivial", trivial, name="bench_trivial"),
    path("__bench__/empty", empty_page, name="bench_empty"),
    path("__bench__/empty+<int:ms>ms", empty_page_plus, name="bench_empty_plus"),
    path("", include("supervision.urls")),
]

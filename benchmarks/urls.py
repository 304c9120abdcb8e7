"""The project's URLs plus one trivial view, the baseline the page benchmarks are measured against."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def empty_page(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("__bench__/trivial", trivial, name="bench_trivial"),
    path("__bench__/empty", empty_page, name="bench_empty"),
    path("", include("supervision.urls")),
]

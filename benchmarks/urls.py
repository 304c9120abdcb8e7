"""The project's URLs plus one trivial view, the baseline the page benchmarks are measured against."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/trivial", trivial, name="bench_trivial"),
    path("", include("supervision.urls")),
]

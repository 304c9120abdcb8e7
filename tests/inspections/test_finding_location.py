"""A round's finding made where the round names no place is located by the round's area, shown
in the reader's language ("病房" / "Ward"), not the inspector's; a place typed by a person (or a
department's own name) is kept as written. Locations stored worded before are converted."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse
from django.utils import translation

from inspections import services
from supervision.models import Finding

from .factories import answer_all, make_template, start_round


def _finding(supervisor, neike, *, language, location="", code="t-test"):
    rnd = start_round(actor=supervisor, department=neike, template=make_template(code=code, area="ward"))
    if location:
        type(rnd).objects.filter(pk=rnd.pk).update(location=location)
        rnd.refresh_from_db()
    answer_all(rnd, supervisor, ["fail", "pass", "pass"])
    with translation.override(language):  # the inspector's language does not decide the words
        services.round_submit(rnd=rnd, actor=supervisor)
    return Finding.objects.latest("id")


def test_a_rounds_area_is_stored_as_a_key_and_shown_in_the_readers_language(client_for, supervisor, neike):
    finding = _finding(supervisor, neike, language="en")
    assert (finding.location_key, finding.location_params) == ("inspection.area", {"area": "ward"})
    assert finding.location == "病房"  # the site's wording, for searching
    client = client_for(supervisor)
    url = reverse("finding_detail", args=[finding.pk])
    assert " · 病房 · " in client.get(url).content.decode()
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    html = client.get(url).content.decode()
    assert " · Ward · " in html and "病房" not in html


def test_a_place_typed_for_the_round_is_kept_as_written(supervisor, neike):
    finding = _finding(supervisor, neike, language="zh-hans", location="内科三病区 12 床")
    assert finding.location == "内科三病区 12 床" and finding.location_key == ""
    with translation.override("en"):
        assert finding.location_text == "内科三病区 12 床"


def test_the_migration_converts_area_labels_in_either_language_and_keeps_other_places(supervisor, neike):
    migration = importlib.import_module("inspections.migrations.0017_finding_area_locations_to_keys")
    ward = _finding(supervisor, neike, language="zh-hans")
    typed = _finding(supervisor, neike, language="zh-hans", location="内科", code="t-two")
    Finding.objects.filter(pk=ward.pk).update(location="Ward", location_key="", location_params={})
    assert migration.area_locations(apps) == 1
    ward.refresh_from_db()
    typed.refresh_from_db()
    assert (ward.location_key, ward.location_params, ward.location) == (
        "inspection.area",
        {"area": "ward"},
        "Ward",
    )
    assert typed.location_key == "" and typed.location == "内科"  # a department's own name: a proper noun
    with translation.override("zh-hans"):
        assert ward.location_text == "病房"

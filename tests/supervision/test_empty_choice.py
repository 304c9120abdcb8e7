"""A select's empty choice is worded for a hospital user — "请选择" in a form, "全部" in a list's
filter, or what the empty value means (a follow-up policy's 默认策略) — never Django's "---------"
(supervision.forms.word_empty_choices, the settings' FILTERS_EMPTY_CHOICE_LABEL)."""

from __future__ import annotations

import django_filters as df
import pytest
from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils import translation

from supervision.forms import CHOOSE, WordedEmptyChoice, word_empty_choices
from supervision.models import Department
from tests.supervision.test_date_ymd import _classes

DASHES = "---------"


def _has_dashes(field: forms.Field) -> bool:
    if isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
        return False
    if isinstance(field, forms.ModelChoiceField):
        return field.empty_label == DASHES
    if isinstance(field, forms.ChoiceField):
        return any(value == "" and text == DASHES for value, text in field.choices)
    return False


def test_every_form_with_a_dashed_empty_choice_words_it():
    unworded = [
        f"{path}.{name}"
        for path, form_class in _classes("forms", forms.BaseForm)
        if not issubclass(form_class, WordedEmptyChoice)
        for name, field in form_class.base_fields.items()
        if _has_dashes(field)
    ]
    assert not unworded, (
        "Selects showing ---------: add WordedEmptyChoice to the form's bases:\n" + "\n".join(unworded)
    )


class _Form(WordedEmptyChoice, forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    kind = forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, ("a", "A")], required=False)
    everyone = forms.ModelChoiceField(queryset=Department.objects.none(), empty_label="All departments")
    centre = forms.ModelChoiceField(queryset=Department.objects.none(), empty_label=None)


def test_a_forms_empty_choices_are_worded_and_a_worded_or_absent_one_is_left_alone():
    form = _Form()
    assert form.fields["department"].empty_label == CHOOSE
    assert list(form.fields["kind"].choices) == [("", CHOOSE), ("a", "A")]
    assert list(form.fields["kind"].widget.choices) == [("", CHOOSE), ("a", "A")]
    assert form.fields["everyone"].empty_label == "All departments"
    assert form.fields["centre"].empty_label is None
    # The class's own fields are untouched (each form words its copies).
    assert _Form.base_fields["department"].empty_label == DASHES
    fields = {"kind": forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, ("a", "A")])}
    word_empty_choices(fields, label="x")
    assert next(iter(fields["kind"].choices)) == ("", "x")


def test_a_filter_without_its_own_empty_label_offers_all():
    class Filter(df.FilterSet):
        kind = df.ChoiceFilter(choices=[("a", "A")])

        class Meta:
            model = Department
            fields = []

    with translation.override("zh-hans"):
        assert str(Filter().form.fields["kind"].choices[0][1]) == "全部"


@pytest.mark.django_db
def test_the_new_finding_form_says_choose_in_chinese_not_dashes(client_for, supervisor, neike):
    html = client_for(supervisor).get(reverse("finding_create")).content.decode()
    assert ">请选择</option>" in html and DASHES not in html


@pytest.mark.django_db
def test_a_follow_up_policys_empty_department_is_the_default_policy(client_for, administrator, neike):
    html = client_for(administrator).get(reverse("followups:policy_create")).content.decode()
    assert ">默认策略</option>" in html and DASHES not in html


@pytest.mark.django_db
def test_the_finding_lists_filters_offer_all(client_for, supervisor, neike):
    html = client_for(supervisor).get(reverse("finding_list")).content.decode()
    assert ">全部</option>" in html and DASHES not in html

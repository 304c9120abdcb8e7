"""``{% form_fields %}`` (supervision/templatetags/ducha_forms.py) draws what ``{{ form|crispy }}`` draws:
the same elements, attributes and texts, with and without errors, for every kind of field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import engines


class _Elements(HTMLParser):
    """The document as a list of start tags (with their attributes), end tags and texts, whitespace
    folded: what a browser builds, not how the source is laid out."""

    def __init__(self):
        super().__init__()
        self.out = []

    def handle_starttag(self, tag, attrs):
        self.out.append(("<", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.out.append((">", tag))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.out.append(("text", text))


def elements(html: str) -> list:
    parser = _Elements()
    parser.feed(html)
    return parser.out


class EditForm(forms.Form):
    text = forms.CharField(
        label="正文 <b>", required=False, max_length=5, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label="备注", widget=forms.Textarea, help_text="最多 <i>5</i> 字")
    cases = forms.MultipleChoiceField(
        label="典型事例",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("finding:1", "发现 <一>\n第二行"), ("complaint:2", '投诉 "二"'), ("praise:3", "表扬 & 三")],
    )
    day = forms.DateField(label="日期", help_text="YYYY-MM-DD")
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲"), ("b", "乙")])
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        if self.cleaned_data.get("text") == "whole":
            raise forms.ValidationError("整张表的错误 <x>")
        return self.cleaned_data


def draw(form) -> tuple[list, list]:
    engine = engines["django"]
    crispy = engine.from_string("{% load crispy_forms_tags %}{{ form|crispy }}").render({"form": form})
    ours = engine.from_string("{% load ducha_forms %}{% form_fields form %}").render({"form": form})
    return elements(crispy), elements(ours)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": "ok",
            "notes": "n",
            "cases": ["complaint:2"],
            "day": "2026-12-01",
            "kind": "a",
            "token": "t",
        },
        {"text": "too long", "cases": ["finding:1", "nope:9"], "day": "not a day", "kind": "z"},
        {"text": "whole", "notes": "n", "day": "2026-12-01", "kind": "b"},
    ],
    ids=["unbound", "valid", "field-errors", "form-error"],
)
def test_form_fields_draws_what_crispy_draws(data):
    form = EditForm(data and {f"save-{name}": value for name, value in data.items()}, prefix="save")
    if data is not None:
        assert form.is_valid() is (data["text"] == "ok")
    crispy, ours = draw(form)
    assert ours == crispy


def test_form_fields_ticks_the_chosen_cases_and_escapes_every_label():
    form = EditForm(
        {
            "save-notes": "n",
            "save-cases": ["finding:1", "praise:3"],
            "save-day": "2026-12-01",
            "save-kind": "a",
        },
        prefix="save",
    )
    assert form.is_valid(), form.errors
    html = (
        engines["django"].from_string("{% load ducha_forms %}{% form_fields form %}").render({"form": form})
    )
    assert 'value="finding:1" id="id_save-cases_0" checked>' in html
    assert 'value="complaint:2" id="id_save-cases_1">' in html
    assert "发现 &lt;一&gt;" in html and "投诉 &quot;二&quot;" in html and "表扬 &amp; 三" in html
    assert "<b>" not in html and "<一>" not in html


class BoxForm(forms.Form):
    plain = forms.CharField(required=False, widget=forms.Textarea)
    sized = forms.CharField(max_length=20, widget=forms.Textarea(attrs={"rows": 2, "cols": 8}))
    off = forms.CharField(required=False, disabled=True, widget=forms.Textarea, help_text="说明")
    own = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"id": "mine", "aria-describedby": "x"})
    )


@pytest.mark.parametrize(
    ("data", "initial", "kwargs"),
    [
        (None, {}, {}),
        (None, {"plain": "第一行 <b>&\"'\n\n第二行", "sized": "\n开头空行", "off": "0"}, {}),
        ({"plain": "<script>x</script>", "sized": "", "own": "  空格  "}, {}, {}),  # bound, one error
        ({"sized": "太长" * 20}, {}, {"prefix": "save"}),
        (None, {}, {"auto_id": False}),
        (None, {}, {"use_required_attribute": False}),
    ],
)
def test_a_text_box_is_the_widget_s_own_markup_byte_for_byte(data, initial, kwargs):
    """The text boxes are written from Django's own attributes and context, not its two widget
    templates (ducha_forms._textarea_widget): the very markup ``as_widget`` renders."""
    from supervision.templatetags.ducha_forms import _textarea_widget

    form = BoxForm(data, initial=initial, **kwargs)
    if data is not None:
        form.is_valid()  # its errors: aria-invalid
    for field in form:
        for attrs in ({}, {"class": "textarea form-control is-invalid"}):
            assert _textarea_widget(field, attrs) == field.as_widget(attrs=attrs), (field.name, attrs)

"""A form's fields drawn in Python, as crispy-forms (bootstrap5) draws them.

crispy draws each field through its ``field.html`` and a widget template per checkbox: the written
summary's editor, four text boxes and some ninety typical cases to tick, spent about as much time
there as on everything else on its page (docs/performance.md → "Record, summary editor, API figures").
``{% form_fields form %}`` writes the same markup — ids, classes, labels, error blocks, help texts —
for the widgets it knows (text boxes, checkbox lists) and hands any other field to crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .ducha import _esc

register = template.Library()


def _errors(field) -> str:
    """crispy's error block of a field (``field_errors_block.html``)."""
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.auto_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((n, field.auto_id, e) for n, e in enumerate(field.errors, 1)),
        ),
    )


def _help(field) -> str:
    if not field.help_text:
        return ""
    # Help texts are HTML written in the code, never user input: Django and crispy draw them unescaped.
    help_text = mark_safe(field.help_text)  # noqa: S308 # nosec B308 B703
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, help_text)


def _required(field) -> str:
    return mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""  # nosec B308 B703


def _checkboxes(field) -> str:
    """A checkbox list: one ``form-check`` per choice, the errors after the last (crispy's
    ``radio_checkbox_select.html``). Values and labels are escaped in one join: a summary offers up
    to ninety cases, each a paragraph."""
    invalid, aria = (" is-invalid", ' aria-invalid="true"') if field.errors else ("", "")
    ticked = {str(v) for v in (field.value() or ())}
    name, base = _esc(field.html_name), _esc(field.auto_id)
    options = []
    for i, (value, text) in enumerate(field.field.choices):
        value = str(value)
        checked = " checked" if value in ticked else ""
        options.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input{invalid}" name="{name}"'
            f' value="{_esc(value)}" id="{base}_{i}"{aria}{checked}><label for="{base}_{i}" class="form-check-label">'
            f"{_esc(text)}</label></div>"
        )
    if options and field.errors:
        options[-1] = options[-1][: -len("</div>")] + _errors(field) + "</div>"
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label fs-6{}">{}{}</legend><div>{}</div>{}'
        "</fieldset></div>",
        field.auto_id,
        format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else "",
        " requiredField" if field.field.required else "",
        field.label,
        _required(field),
        mark_safe("".join(options)),  # noqa: S308 # nosec B308 B703 # every value and label is escaped above
        _help(field),
    )


def _textarea_widget(field, attrs: dict) -> str:
    """``field.as_widget(attrs=attrs)`` of a text box: the attributes and the widget's context are
    Django's own (``BoundField.build_widget_attrs``, ``Widget.get_context``), the markup written here
    as Django's ``textarea.html`` and ``attrs.html`` write it (``{{ }}`` escapes with
    ``conditional_escape``; ``stringformat:'s'`` keeps a safe value safe) and its form renderer gives
    it (stripped). The two widget templates cost ~870 Python calls a text box (the summary editor has
    four). A test holds it byte for byte to ``as_widget``; anything but a plain ``Textarea`` on
    Django's default renderer goes to ``as_widget``."""
    widget = field.field.widget
    if (
        type(widget) is not forms.Textarea
        or field.field.localize
        or type(field.form.renderer) is not DjangoTemplates
    ):
        return field.as_widget(attrs=attrs)
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    written = "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in context["attrs"].items()
        if value is not False
    )
    value = context["value"]
    text = conditional_escape(value) if value else ""
    markup = f'<textarea name="{conditional_escape(context["name"])}"{written}>\n{text}</textarea>'.strip()
    return mark_safe(markup)  # noqa: S308 # nosec B308 B703 # every name and value is escaped


def _textarea(field) -> str:
    """A text box: Django's own widget with crispy's classes, its label and error block."""
    invalid = " is-invalid" if field.errors else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label> {}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        " requiredField" if field.field.required else "",
        field.label,
        _required(field),
        _textarea_widget(field, {"class": f"textarea form-control{invalid}"}),
        _errors(field),
        _help(field),
    )


@register.simple_tag
def form_fields(form):
    """Every field of ``form`` as ``{{ form|crispy }}`` draws it (without the ``<form>``): the
    form's own errors first, hidden fields as they are, text boxes and checkbox lists here, any
    other field through crispy's ``as_crispy_field``."""
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
            )
        )
    for field in form:
        widget = field.field.widget
        if field.is_hidden:
            parts.append(str(field))
        elif isinstance(widget, forms.CheckboxSelectMultiple) and not any(
            isinstance(text, (list, tuple)) for _value, text in field.field.choices
        ):  # groups of choices: crispy's
            parts.append(_checkboxes(field))
        elif isinstance(widget, forms.Textarea):
            parts.append(_textarea(field))
        else:
            parts.append(as_crispy_field(field))
    return mark_safe("\n".join(parts))  # noqa: S308 # nosec B308 B703 # every part is escaped above

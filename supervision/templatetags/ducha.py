"""Template filters shared by every app: masking, percentages, Chinese number formats."""

from django import forms, template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext

from supervision import privacy

register = template.Library()


@register.filter
def mask_phone(value):
    return privacy.mask_phone(value)


@register.filter
def mask_id(value):
    return privacy.mask_id_number(value)


@register.filter
def mask_name(value):
    return privacy.mask_name(value)


@register.filter
def pct(value, digits=1):
    """A percentage figure (already ×100) as '92.3%'; '—' for None (no data, not zero)."""
    if value is None or value == "":
        return "—"
    return f"{number_format(value, int(digits))}%"


@register.filter
def pp(value, digits=1):
    """A change in percentage points with its sign: '+2.1 个百分点' is built by the template."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, int(digits))}"


@register.filter
def widget_value(bound_field):
    """The value an ``<input>`` shows for ``bound_field``, formatted as its widget would ('' for none).

    Used by templates/_filter_form.html, which writes the inputs of the list filter forms as plain
    markup instead of rendering a widget template per field (docs/performance.md).
    """
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else value


@register.filter
def select_options(bound_field):
    """``[(value, label, selected)]`` of a filter ``<select>``, values as strings.

    A model choice field is read with one plain query (its own iterator opens a server-side
    cursor on PostgreSQL: three round trips for a list of departments).
    """
    field = bound_field.field
    current = bound_field.value()
    current = "" if current is None else str(current)
    if isinstance(field, forms.ModelChoiceField) and not hasattr(field, "_choices"):
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        choices += [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
    else:
        choices = field.choices
    return [(str(value), label, str(value) == current) for value, label in choices]


@register.simple_tag
def order_badge(order, today):
    """The status badge of a rectification order, plus "Overdue" when it is past its deadline.

    A tag rather than an included template: it is drawn once per row of long lists.
    """
    if order is None:
        return ""
    html = format_html('<span class="badge status-{}">{}</span>', order.status, label(order, "status"))
    if today is not None and order.is_overdue(today):
        html += format_html('<span class="badge bg-danger">{}</span>', gettext("Overdue"))
    return html


_LABELS: dict[tuple[str, str], dict] = {}


@register.filter
def label(obj, field_name):
    """``obj.get_<field_name>_display()`` for the rows of long lists.

    Django's ``get_FOO_display`` rebuilds the field's choices with ``make_hashable`` on every call,
    which hashes — and so translates — every choice label each time (with ``pgettext_lazy`` labels
    that was the largest single cost of the complaint list). Here the value → label map is built once
    per field and process; the label stays lazy, so it is translated once, in the active language.
    """
    field = obj._meta.get_field(field_name)
    key = (obj._meta.label, field_name)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = dict(field.flatchoices)
    value = getattr(obj, field.attname)
    return labels.get(value, value)

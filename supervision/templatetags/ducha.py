"""Template filters shared by every app: masking, percentages, Chinese number formats."""

import datetime as dt
import functools
import html
import unicodedata

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import stringfilter
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import gettext

from supervision import access, privacy, rates
from supervision.forms import DateInputYMD, parse_date_ymd
from supervision.infra import wording
from supervision.infra.filtersets import Unfiltered
from supervision.infra.fragments import CSRF_SLOT

register = template.Library()


# The frame's links (base.html: its stylesheets and scripts, the navbar's fixed pages) are the same
# on every page of a running process, yet {% static %} and {% url %} work each out on every request
# (the manifest look-up, the URL resolver): ~0.6 ms of the frame (docs/performance.md → "The frame
# (issue 23)"). These tags ask Django's own static() and reverse() once per process and argument.


@functools.lru_cache(maxsize=256)
def _static(path: str) -> str:
    return static(path)


@functools.lru_cache(maxsize=256)
def _reverse(name: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def static_once(path: str) -> str:
    """``{% static path %}``, asked of the storage once per process (the manifest is fixed until
    the next deployment restarts the process)."""
    return _static(path)


@register.simple_tag
def url_once(name: str) -> str:
    """``{% url name %}`` for a page without arguments, reversed once per process, URL conf and
    script prefix."""
    return _reverse(name, get_urlconf(), get_script_prefix())


@receiver(setting_changed)
def _forget_links(*, setting, **kwargs):
    """Tests that change the static files' storage or the URLs get links worked out anew."""
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT", "ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _static.cache_clear()
        _reverse.cache_clear()


@register.simple_tag
def csrf_slot() -> str:
    """Where ``{% csrf_token %}`` would be, in a block drawn once per content (``cached_fragment``):
    the block holds no token; the page fills the slot with its own (``{% with_csrf %}``)."""
    return mark_safe(CSRF_SLOT)  # noqa: S308 # nosec B308 B703 # a constant


@register.simple_tag(takes_context=True)
def with_csrf(context, html) -> str:
    """``html`` (a block drawn once per content) with this request's CSRF input in each of its
    slots, drawn by Django's own ``{% csrf_token %}`` node once for the page."""
    token = CsrfTokenNode().render(context)
    return mark_safe(str(html).replace(CSRF_SLOT, token))  # noqa: S308 # nosec B308 B703 # our block, Django's input


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
def pct(value, digits=None):
    """A percentage figure (already ×100) as the hospital writes it, '92.26%' (``RATE_DECIMALS``
    decimals, rounded half up from the exact counts); '—' for None (no data, not zero)."""
    if value is None or value == "":
        return "—"
    return f"{rates.format_rate(value, None if digits is None else int(digits))}%"


@register.filter
def rate(value, digits=None):
    """A rate without its % sign (a column headed "%", a sentence that writes the sign): 92.26."""
    if value is None or value == "":
        return "—"
    return rates.format_rate(value, None if digits is None else int(digits))


@register.filter
def pp(value, digits=None):
    """A change in percentage points with its sign: '+2.10 个百分点' is built by the template."""
    if value is None or value == "":
        return "—"
    return rates.format_points(value, None if digits is None else int(digits))


def _esc(value) -> str:
    return html.escape(str(value))


_PLAIN_INPUTS = frozenset(
    {"text", "search", "date", "datetime-local", "number", "email", "tel", "url", "time"}
)


def _attrs(attrs) -> str:
    """A widget's own attributes but ``class`` (``(name, value)`` pairs), escaped."""
    return mark_safe(  # noqa: S308 # nosec B308 B703 # format_html escapes every name and value
        "".join(format_html(' {}="{}"', name, value) for name, value in attrs)
    )


# The filter forms' HTML, drawn once per process for each content (see ``filter_fields``): a few
# entries per list, scope and language. Forgotten whole when full, so it stays small.
_FILTER_HTML: dict[tuple, str] = {}
_FILTER_HTML_MAX = 512


@register.simple_tag
def filter_fields(form, col=""):
    """The fields of a list's filter form as Bootstrap 5 markup, one column per field.

    Written out here instead of through crispy-forms and the widget templates (one template per
    ``<option>``), which cost most of a list page's rendering time (docs/performance.md): selects
    and plain inputs are built in Python; any other widget renders as Django renders it.

    The markup of selects and plain inputs is drawn once per process for each *content* — every
    value the markup is made of (names, ids, labels, attributes, each select's options and choice,
    each input's value, errors and help texts) is the key, read from the form on every request — so
    a form is only ever given the very markup it would have drawn: another scope's department
    options, another language's labels or another value make another key.
    """
    col = col or "col-6 col-md-3"
    # A list's filter set (supervision.infra.filtersets) keys its form by what can differ between two
    # requests' forms — fewer reads than the markup's every part, and, for a list opened with no filter,
    # without the form (``Unfiltered``: built only to draw a markup not yet drawn).
    key_of = getattr(form, "filter_markup_key", None)
    key = key_of() if key_of is not None else None
    if key is not None:
        key = ("filter set", col, *key)
        if (html_ := _FILTER_HTML.get(key)) is not None:
            return mark_safe(html_)  # noqa: S308 # nosec B308 B703 # drawn (and escaped) below for this very key
    if isinstance(form, Unfiltered):
        form = form.build()
    html_, plain = _filter_fields(form, col)
    if key is not None and plain:
        _keep_filter_html(key, html_)
    return mark_safe(html_)  # noqa: S308 # nosec B308 B703 # every part is escaped in _filter_fields


def _keep_filter_html(key, html_):
    if len(_FILTER_HTML) >= _FILTER_HTML_MAX:
        _FILTER_HTML.clear()
    _FILTER_HTML[key] = html_


def _filter_fields(form, col) -> tuple[str, bool]:
    """``filter_fields``' markup of ``form`` and whether it is plain (selects and inputs only: kept)."""
    fields = []
    plain = not form.hidden_fields()
    for field in form.visible_fields():
        widget = field.field.widget
        attrs = tuple((name, str(value)) for name, value in widget.attrs.items() if name != "class")
        if field.widget_type == "select":
            # Labels as text: a lazy label would compare equal to itself in another language.
            control = ("select", tuple((value, str(text), on) for value, text, on in select_options(field)))
        elif getattr(widget, "input_type", None) in _PLAIN_INPUTS:
            control = ("input", widget.input_type, str(widget_value(field)))
        else:
            control, plain = ("other", field), False
        fields.append(
            (
                *(field.html_name, field.auto_id, field.id_for_label, str(field.label), attrs, control),
                tuple(str(error) for error in field.errors),
                str(field.help_text or ""),
            )
        )
    key = (col, *fields)
    if plain and (html_ := _FILTER_HTML.get(key)) is not None:
        return html_, plain
    parts = [str(field) for field in form.hidden_fields()]
    for name, auto_id, id_for_label, label_, attrs, control, errors, help_text in fields:
        invalid = " is-invalid" if errors else ""
        if control[0] == "select":
            # Plain html.escape (what django.utils.html.escape does) instead of format_html per
            # option: a department list is a hundred options on every list page.
            options = mark_safe(  # noqa: S308 # nosec B308 B703 # every value and label is escaped here
                "".join(
                    f'<option value="{_esc(value)}"{" selected" if selected else ""}>{_esc(text)}</option>'
                    for value, text, selected in control[1]
                )
            )
            html_control = format_html(
                '<select name="{}" id="{}" class="form-select{}"{}>{}</select>',
                name, auto_id, invalid, _attrs(attrs), options,
            )  # fmt: skip
        elif control[0] == "input":
            html_control = format_html(
                '<input type="{}" name="{}" id="{}" value="{}" class="form-control{}"{}>',
                control[1], name, auto_id, control[2], invalid, _attrs(attrs),
            )  # fmt: skip
        else:
            html_control = str(control[1])
        error_html = (
            format_html(
                '<div class="invalid-feedback d-block">{}</div>',
                format_html_join("", '<p class="mb-0"><strong>{}</strong></p>', ((e,) for e in errors)),
            )
            if errors
            else ""
        )
        help_html = format_html('<div class="form-text">{}</div>', help_text) if help_text else ""
        parts.append(
            format_html(
                '<div class="{}"><div id="div_{}" class="mb-3">\n'
                '  <label for="{}" class="form-label">{}</label>\n  {}\n  {}{}\n</div></div>',
                col,
                auto_id,
                id_for_label,
                label_,
                html_control,
                error_html,
                help_html,
            )
        )
    html_ = "\n".join(parts)
    if plain:
        _keep_filter_html(key, html_)
    return html_, plain


def widget_value(bound_field):
    """The value an ``<input>`` shows for ``bound_field``, formatted as its widget would ('' for none)."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else value


def select_options(bound_field):
    """``[(value, label, selected)]`` of a filter ``<select>``, values as strings.

    A model choice field is read with one plain query (its own iterator opens a server-side
    cursor on PostgreSQL: three round trips for a list of departments) — or, where the form gives
    its queryset's ``(pk, label)`` pairs as ``option_pairs`` (the lists' filter sets: a statement
    kept between views, ``supervision.selectors.filter_department_options``), from those.
    """
    field = bound_field.field
    current = bound_field.value()
    current = "" if current is None else str(current)
    if isinstance(field, forms.ModelChoiceField) and not hasattr(field, "_choices"):
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        label_field = getattr(field.queryset.model, "CHOICE_LABEL_FIELD", None)
        if label_field and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance:
            # The label is str(obj), which is this one column: read the two columns, build no instances.
            pairs = getattr(field, "option_pairs", None)
            choices += pairs() if pairs is not None else field.queryset.values_list("pk", label_field)
        else:
            choices += [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
    else:
        choices = field.choices
    return [(str(value), label, str(value) == current) for value, label in choices]


@register.simple_tag
def date_ymd_input(name, day, typed="", **attrs):
    """The ``<input>`` of a day in a form written by hand in a template (a figures page's period),
    drawn by the forms' own ``DateInputYMD``: typed and shown year-month-day in every language.
    ``typed`` is what the reader sent: shown again when it is not a day (the page says why), so
    that it can be corrected; otherwise the day the page used.

    The widget's context is Django's own (``get_context``: its value formatted, its attributes); the
    markup is written here as Django's ``date.html`` → ``input.html`` → ``attrs.html`` write it: three
    widget templates, one node per attribute, took ~1,600 Python calls an input (a figures page has
    two: 0.7 ms). A test holds it byte for byte to the widget's own ``render``."""
    value = day
    if typed:
        try:
            parse_date_ymd(typed)
        except ValueError:
            value = typed
    widget = DateInputYMD(attrs).get_context(name, value, None)["widget"]
    return mark_safe(_input_markup(widget))  # noqa: S308 # nosec B308 B703 # every name and value is escaped


def _input_markup(widget) -> str:
    """An input widget's markup from its context, as Django's ``input.html`` and ``attrs.html`` write
    it (``{{ }}`` escapes with ``html.escape``; ``stringformat:'s'`` is ``str``) and its form renderer
    gives it (stripped)."""
    value = "" if widget["value"] is None else f' value="{_esc(widget["value"])}"'
    attrs = "".join(
        f" {_esc(name)}" if value_ is True else f' {_esc(name)}="{_esc(value_)}"'
        for name, value_ in widget["attrs"].items()
        if value_ is not False
    )
    return f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{value}{attrs}>'


# The ``<option>`` markup of ``options``, drawn once per process for each content (the pairs and the
# choice are the key, labels as text). Forgotten whole when full, so it stays small.
_OPTIONS_HTML: dict[tuple, str] = {}
_OPTIONS_HTML_MAX = 512


@register.simple_tag
def options(choices, chosen=None):
    """The ``<option>`` elements of ``(value, label)`` pairs, the one whose value reads as ``chosen``
    selected: ``{% options departments department %}``, where a loop wrote
    ``<option value="{{ d.pk }}"{% if … %} selected{% endif %}>{{ d.name }}</option>`` per option.

    The same markup, escaped as ``{{ }}`` escapes (``html.escape``), in one join: a template loop over
    60 departments (as model instances) cost a list page about a millisecond. Drawn once per process
    for each content — the pairs themselves (labels as text: a lazy label would compare equal to
    itself in another language; values as text) and the choice are the key — so a page is only ever given the very
    markup it would have drawn: another scope's departments or another language's labels are another
    key (the pairs are read on every call, as before: a queryset is still sent on every view).
    """
    chosen = "" if chosen is None else str(chosen)
    # Values as text too: 1 and True are equal keys but not the same markup.
    pairs = tuple((str(value), text if type(text) is str else str(text)) for value, text in choices)
    key = (pairs, chosen)
    markup = _OPTIONS_HTML.get(key)
    if markup is None:
        markup = "".join(
            f'<option value="{_esc(value)}"{" selected" if value == chosen else ""}>{_esc(text)}</option>'
            for value, text in pairs
        )
        if len(_OPTIONS_HTML) >= _OPTIONS_HTML_MAX:
            _OPTIONS_HTML.clear()
        _OPTIONS_HTML[key] = markup
    return mark_safe(markup)  # noqa: S308 # nosec B308 B703 # every value and label is escaped here


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


# Two of Django's filters as the rows of a long page use them, with the same output for less work
# (docs/performance.md → "Record and summary editor (stop 21)"): a record's every row has a day and
# a text cut to a length.


@register.filter(expects_localtime=True)
def day(value):
    """``{{ value|date:"DATE_FORMAT" }}`` for a date or a moment (shown in the site's time zone, as
    ``date`` shows it): the day's text is kept per day, format and language
    (``wording.format_date``) instead of worked out by Django's formatter on every row (~20 µs)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()  # local already: the template engine converts for expects_localtime
    if not isinstance(value, dt.date):
        return ""  # as ``date`` answers a value that is neither
    return wording.format_date(value)


@register.filter(is_safe=True)
@stringfilter
def truncate(value, length):
    """``{{ value|truncatechars:length }}``, the same text for less work. Django's ``Truncator.chars``
    normalises the text (NFC), then walks it in Python, character by character, skipping combining
    marks (they count for nothing) until one more than ``length`` have been counted, wording the
    ellipsis twice on the way (~40 µs a row). When the text is already normal and its first
    ``length`` + 1 characters hold no combining mark (asked in C, ``map``), that walk counts one per
    character: the text itself if it is short enough, else its first ``length`` − the ellipsis's
    length characters and the ellipsis, exactly what the walk returns. Anything else: Django's."""
    try:
        length = int(length)
    except ValueError:
        return value
    if (
        length > 0
        and unicodedata.is_normalized("NFC", value)
        and not any(map(unicodedata.combining, value[: length + 1]))
    ):
        if len(value) <= length:
            return value
        return add_truncation_text(value[: calculate_truncate_chars_length(length, None)], None)
    return Truncator(value).chars(length)


_LABELS: dict[tuple[str, str], dict] = {}


@register.filter
def label(obj, field_name):
    """``obj.get_<field_name>_display()`` for the rows of long lists.

    Django's ``get_FOO_display`` rebuilds the field's choices with ``make_hashable`` on every call,
    which hashes — and so translates — every choice label each time (with ``pgettext_lazy`` labels
    that was the largest single cost of the complaint list). Here the value → label map is built once
    per field and process; the label stays lazy, so it is translated once, in the active language.
    """
    return choice_label(type(obj), field_name, getattr(obj, obj._meta.get_field(field_name).attname))


def choice_label(model, field_name, value):
    """The label of ``value`` among the choices of ``model``'s field (lazy), or ``value`` itself.

    ``label`` for the rows that lists read as plain values (``QuerySet.values``), with no instance.
    """
    key = (model._meta.label, field_name)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = dict(model._meta.get_field(field_name).flatchoices)
    return labels.get(value, value)


@register.simple_tag
def listsep() -> str:
    """Between the items of a list in running text: "、" in Chinese, ", " in English."""
    return wording.list_separator()


@register.simple_tag
def labelsep() -> str:
    """Between a label and its value in running text: "：" in Chinese, ": " in English."""
    return wording.label_separator()


@register.tag("brackets")
def do_brackets(parser, token):
    """``{{ name }}{% brackets %}{{ department }}{% endbrackets %}``: the aside in the language's
    brackets — "王芳（内科）", "Wang Fang (Internal medicine)" — with no space written before the tag
    (the English pattern has its own; ``wording.brackets``)."""
    nodelist = parser.parse(("endbrackets",))
    parser.delete_first_token()
    return _BracketsNode(nodelist)


class _BracketsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        opening, closing = wording.brackets()
        # The brackets are text (escaped); the aside is the template's own rendering, escaped there.
        return (
            html.escape(opening, quote=False)
            + self.nodelist.render(context)
            + html.escape(closing, quote=False)
        )


@register.filter
def join_list(items) -> str:
    """``{{ names|join_list }}``: the items joined with the language's list separator (escaped as text)."""
    return wording.join_list(items)


@register.simple_tag(takes_context=True)
def may(context, url_name, obj=None, **params):
    """May the signed-in user use the page ``url_name`` — the view's own rule (``supervision.access.may``).

    ``{% may "finding_create" as can_create %}``; may change something on it:
    ``{% may "followups:roster" method="POST" as can_edit %}``; on one object:
    ``{% may "order_action" order action="verify" as can_verify %}``. Templates never name roles.
    """
    return access.may(context.get("user"), url_name, obj, **params)


@register.simple_tag
def last_year(now, last, kind="pct"):
    """A headline figure beside the same period last year: '去年同期 90.00%，+2.26 个百分点' for a rate
    (the change in points from the exact fractions), '去年同期 12，+3' for a count, minutes with one
    decimal; '去年同期无数据' when last year had none — never a change from 0 %."""
    if last is None or last == "":
        return gettext("No data for the same period last year")
    if kind == "pct":
        shown = f"{rates.format_rate(last)}%"
        change = gettext("%(n)s percentage points") % {"n": rates.format_points(rates.points(now, last))}
    elif kind == "num":
        shown = f"{float(last):.1f}"
        change = "—" if now is None else f"{float(now) - float(last):+.1f}"
    else:
        shown = f"{int(last):,}"
        change = "—" if now is None else f"{int(now) - int(last):+,}"
    if now is None:
        return gettext("Same period last year %(last)s") % {"last": shown}
    return gettext("Same period last year %(last)s, %(change)s") % {"last": shown, "change": change}

"""The lists' filter sets (django-filter) with their form class built once per process.

django-filter builds a new form class on every request (``FilterSet.get_form_class``: a form field
per filter, then ``type()`` through Django's form metaclass) — about 0.3 ms of a list page's CPU,
the same class each time. Its documentation names ``get_form_class`` as the method to override when
the form class is to be made differently; here it is made once per filter set class.

What may differ between two requests is the queryset of a model choice filter: the departments in
the viewer's scope (each list's ``__init__`` sets it). The shared class holds the querysets of the
request that built it, so ``form`` gives every form — whose fields are its own copies, Django
deep-copies a form class's fields into each form — this request's querysets before anything reads
its options or validates a value. Nothing else of a filter may be set per request: a filter set
whose labels, choices or widgets depend on the request must not use this class.

A filter that was sent and refused (a day typed 2026-13-45, a choice that is not one) filters to
*no* rows, never to all of them (django-filter's own default skips the refused field and applies the
rest, which looks like a filtered answer and is not; its ``FilterView`` has the same rule, ``strict``):
the page shows the field's error and what was typed, the table says the filter must be corrected
(``templates/_filter_refused.html``), and an export refuses (docs/supervision.md → "List filters").
``filter_refused`` says the same of a list's plain form (a round's month, a period).

The filter form's markup is drawn once per process for each *markup key* (``filter_markup_key``,
read by ``supervision.templatetags.ducha.filter_fields``): what can make two requests' forms of one
filter set differ — the active language (labels, choices, messages), the options read per request
(``option_sources``: the departments in the viewer's scope …, their pairs themselves), and for a bound
form the values sent and the errors found. Everything else of the form (its filters' labels, choices,
widgets and attributes) is the class's, fixed per process by the rule above. A form with a model
choice field whose options are not ``option_pairs`` gets no markup key (its options would not be in it).

A list opened with no filter at all (``list_filter``: nothing in the query string) gets ``Unfiltered``
instead of the filter set: its rows are the list's queryset as the unbound filter set's ``qs`` gives
them, and its form is drawn from that key without building the filter set — django-filter deep-copies
its filters and Django the form's fields on every request (~4,700 Python calls a list); they are built
only when that markup is not yet drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters as df
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django_filters.filters import QuerySetRequestMixin

_FORM_CLASSES: dict[type, type] = {}


def filter_refused(form) -> bool:
    """True when a list's filter form was sent and refused: the list then shows no rows (and an
    export gives no file) rather than every row as if it were filtered."""
    return form.is_bound and not form.is_valid()


def _read_once(read: Callable[[], list]) -> Callable[[], list]:
    """``read`` called at the first call only, its answer kept: a list's options are read for the
    form's markup key and again for its markup when that is not yet drawn — one statement either way."""
    kept: list = []

    def pairs():
        if not kept:
            kept.append(read())
        return kept[0]

    pairs.read_once = True
    return pairs


def _markup_key(filterset_class: type, readers: dict, form=None) -> tuple | None:
    """The markup key of a filter set's form (the module's docstring). ``readers``: the option
    pairs' reader of each model choice filter, by name in the filters' order (None: its options are
    read from its queryset, which no key holds — no key then); ``form``: the form, if it is built."""
    if any(read is None for read in readers.values()):
        return None
    options = tuple((name, tuple(read())) for name, read in readers.items())
    key = (filterset_class, get_language(), getattr(form, "prefix", None), options)
    if form is None or not form.is_bound:
        return key
    data = form.data
    values = tuple(
        (name, tuple(data.getlist(name)) if hasattr(data, "getlist") else data.get(name))
        for name in form.fields
    )
    errors = tuple((name, tuple(str(error) for error in errors)) for name, errors in form.errors.items())
    return (*key, values, errors)


def _option_readers(filterset_class: type, readers: dict) -> dict:
    """``readers`` (option pair readers by filter name) for every model choice filter of the class."""
    return {
        name: readers.get(name)
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, QuerySetRequestMixin)
    }


class SharedFormFilterSet(df.FilterSet):
    @classmethod
    def option_sources(cls, user) -> dict[str, Callable[[], list]]:
        """The ``(pk, label)`` pairs of this filter set's model choice filters, where they are read
        another way than their querysets (a kept statement), by filter name: none unless a list says
        (its ``__init__`` sets each as the filter's ``option_pairs``)."""
        return {}

    def get_form_class(self):
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            form_class = _FORM_CLASSES[type(self)] = super().get_form_class()
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # This request's querysets (the viewer's scope), not those of the request that built the
            # shared class: set on this form's own fields.
            for name, filter_ in self.filters.items():
                if isinstance(filter_, QuerySetRequestMixin):
                    queryset = filter_.get_queryset(self.request)
                    if queryset is not None:
                        form.fields[name].queryset = queryset
                    # That queryset's options as (pk, label) pairs, where the filter set reads them
                    # another way (a kept statement): the filter form's markup (and its key) asks for them.
                    pairs = getattr(filter_, "option_pairs", None)
                    if pairs is not None and not getattr(pairs, "read_once", False):
                        pairs = _read_once(pairs)
                    form.fields[name].option_pairs = pairs
            readers = {name: getattr(field, "option_pairs", None) for name, field in form.fields.items()}
            form.filter_markup_key = lambda: _markup_key(
                type(self), _option_readers(type(self), readers), form
            )
        return self._form

    @property
    def refused(self) -> bool:
        """The filter was sent and refused: ``qs`` is then empty (the module's docstring)."""
        return filter_refused(self.form)

    def filter_queryset(self, queryset):
        # django-filter's documented hook for the filtering itself: a refused form filters to nothing.
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)


class Unfiltered:
    """What ``filterset_class`` gives a list opened with no filter, without building it (the
    module's docstring): ``qs`` is the list's queryset as the unbound filter set's (``queryset.all()``),
    nothing is bound or refused, and ``form`` is the unbound form's markup key, built into the form
    itself only when that markup is not yet drawn (``build``)."""

    is_bound = False
    refused = False

    def __init__(self, filterset_class, *, queryset, request, **kwargs):
        self.filterset_class = filterset_class
        self.queryset = queryset
        self.request = request
        self.kwargs = kwargs
        user = request.user if request else None
        self.option_pairs = {
            name: _read_once(read) for name, read in filterset_class.option_sources(user).items()
        }

    def is_valid(self) -> bool:
        return False

    @cached_property
    def qs(self):
        return self.queryset.all()

    @property
    def form(self):
        return self

    def filter_markup_key(self) -> tuple | None:
        return _markup_key(self.filterset_class, _option_readers(self.filterset_class, self.option_pairs))

    def build(self):
        """The unbound filter set's form, its options those already read for the key."""
        filterset = self.filterset_class(None, queryset=self.queryset, request=self.request, **self.kwargs)
        for name, pairs in self.option_pairs.items():
            filterset.filters[name].option_pairs = pairs
        return filterset.form


def list_filter(filterset_class, request, *, queryset, **kwargs):
    """``filterset_class(request.GET or None, queryset=queryset, request=request, **kwargs)`` as a
    list view uses it — or ``Unfiltered`` when the query string is empty (the module's docstring)."""
    if request.GET:
        return filterset_class(request.GET, queryset=queryset, request=request, **kwargs)
    return Unfiltered(filterset_class, queryset=queryset, request=request, **kwargs)

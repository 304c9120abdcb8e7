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


def _markup_key(filterset_class: type, readers: dict, prefix=None, bound: tuple = ()) -> tuple | None:
    """The markup key of a filter set's form (the module's docstring). ``readers``: the option
    pairs' reader of each model choice filter, by name in the filters' order (None: its options are
    read from its queryset, which no key holds — no key then); ``bound``: a bound form's values and
    errors (``_bound_part``)."""
    if any(read is None for read in readers.values()):
        return None
    options = tuple((name, tuple(read())) for name, read in readers.items())
    return (filterset_class, get_language(), prefix, options, *bound)


def _bound_part(names, data, errors) -> tuple:
    """A bound form's share of its markup key: what was sent for each field, and the errors found."""
    values = tuple(
        (name, tuple(data.getlist(name)) if hasattr(data, "getlist") else data.get(name)) for name in names
    )
    return (values, tuple((name, tuple(str(error) for error in errors)) for name, errors in errors.items()))


def _option_readers(filterset_class: type, readers: dict) -> dict:
    """``readers`` (option pair readers by filter name) for every model choice filter of the class."""
    return {
        name: readers.get(name)
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, QuerySetRequestMixin)
    }


class SharedFormFilterSet(df.FilterSet):
    # The filters a list is opened with alone from a "needs me now" card (``Narrowed``): each a choice
    # filter whose method calls ``narrow``.
    narrowing: tuple[str, ...] = ()

    @classmethod
    def narrow(cls, queryset, name: str, value: str, *, user, **kwargs):
        """What the ``narrowing`` filter ``name`` gives ``queryset`` for ``value`` (one of its choices):
        the filter's method and ``Narrowed`` both call this."""
        raise NotImplementedError(name)

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
                type(self),
                _option_readers(type(self), readers),
                form.prefix,
                _bound_part(form.fields, form.data, form.errors) if form.is_bound else (),
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


class Narrowed(Unfiltered):
    """What ``filterset_class`` gives a list opened from a "needs me now" card without building it:
    the query string holds one of the class's ``narrowing`` filters, once, with one of its choices,
    and nothing else but the page (``list_filter``). Such a form is valid, every other field empty,
    so the filter set's only filter is that one's method, which calls the class's ``narrow``: ``qs``
    calls it on the list's queryset. The form's markup key is the bound form's (what was sent, no
    error); the filter set is built only to draw a markup not yet drawn."""

    is_bound = True

    def __init__(self, filterset_class, name, value, *, data, queryset, request, **kwargs):
        super().__init__(filterset_class, queryset=queryset, request=request, **kwargs)
        self.name, self.value, self.data = name, value, data
        # What the form would clean that is not empty.
        self.cleaned_data = {name: value}

    def is_valid(self) -> bool:
        return True

    @cached_property
    def qs(self):
        user = self.request.user if self.request else None
        return self.filterset_class.narrow(
            self.queryset.all(), self.name, self.value, user=user, **self.kwargs
        )

    def filter_markup_key(self) -> tuple | None:
        cls = self.filterset_class
        return _markup_key(
            cls, _option_readers(cls, self.option_pairs), None, _bound_part(cls.base_filters, self.data, {})
        )

    def build(self):
        """The bound filter set's form, its options those already read for the key."""
        filterset = self.filterset_class(
            self.data, queryset=self.queryset, request=self.request, **self.kwargs
        )
        for name, pairs in self.option_pairs.items():
            filterset.filters[name].option_pairs = pairs
        return filterset.form


def _narrowing(filterset_class, data) -> tuple[str, str] | None:
    """``(name, value)`` when ``data`` holds nothing but one of the class's ``narrowing`` filters, once,
    with one of its choices (and perhaps the page): ``Narrowed``'s case."""
    names = [name for name in data if name != "page"]
    if len(names) != 1 or names[0] not in filterset_class.narrowing:
        return None
    name = names[0]
    values = data.getlist(name)
    choices = filterset_class.base_filters[name].extra["choices"]
    if len(values) != 1 or values[0] not in {str(key) for key, _label in choices}:
        return None
    return name, values[0]


def list_filter(filterset_class, request, *, queryset, **kwargs):
    """``filterset_class(request.GET or None, queryset=queryset, request=request, **kwargs)`` as a
    list view uses it — or what it would give, without building it, when the query string is empty
    (``Unfiltered``) or holds one "needs me now" filter alone (``Narrowed``): the module's docstring."""
    data = request.GET
    if not data:
        return Unfiltered(filterset_class, queryset=queryset, request=request, **kwargs)
    if (narrowing := _narrowing(filterset_class, data)) is not None:
        return Narrowed(filterset_class, *narrowing, data=data, queryset=queryset, request=request, **kwargs)
    return filterset_class(data, queryset=queryset, request=request, **kwargs)

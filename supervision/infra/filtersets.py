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
"""

from __future__ import annotations

import django_filters as df
from django_filters.filters import QuerySetRequestMixin

_FORM_CLASSES: dict[type, type] = {}


def filter_refused(form) -> bool:
    """True when a list's filter form was sent and refused: the list then shows no rows (and an
    export gives no file) rather than every row as if it were filtered."""
    return form.is_bound and not form.is_valid()


class SharedFormFilterSet(df.FilterSet):
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
                    # another way (a kept statement): the filter form's markup asks for them.
                    form.fields[name].option_pairs = getattr(filter_, "option_pairs", None)
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

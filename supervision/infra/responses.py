"""How views answer: a service's refusal becomes a message, htmx gets the partial, and a workflow
action is run from a table (action name → form → service) instead of an if/elif chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..errors import ActionNotAllowed


def partial_or_page(request, full: str, partial: str, context: dict, status: int = 200) -> HttpResponse:
    """htmx requests (django-htmx's ``request.htmx``) get the partial only; the full page otherwise."""
    return render(request, partial if request.htmx else full, context, status=status)


def refusal_message(request, exc: ActionNotAllowed) -> None:
    """Show a service's refusal to the user (the message is already in their language)."""
    messages.error(request, " ".join(exc.messages))


def refusals(request) -> Refusals:
    """``with refusals(request):`` turns a service's refusal into an error message (see Refusals)."""
    return Refusals(request)


class Refusals:
    """Turn a service's ``ActionNotAllowed`` inside the block into an error message and carry on.

    The services are atomic, so a refusal has changed nothing; ``outcome.refused`` tells the view
    whether the block ran to its end::

        with refusals(request):
            services.order_verify(order=order, actor=request.user)
            messages.success(request, ...)
        return redirect(order)
    """

    def __init__(self, request):
        self.request = request
        self.refused = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, ActionNotAllowed):
            refusal_message(self.request, exc)
            self.refused = True
            return True
        return False


@dataclass(frozen=True)
class Step:
    """How a page asks for one workflow action: its form and the service that does it.

    The service is called as ``service(<machine.subject>=obj, actor=user, **fixed, **cleaned_data)``,
    so the form's fields are named after the service's arguments. ``form_kwargs(obj, actor)`` gives
    the form what it needs besides data (a choice of departments, initial values).
    """

    form: type[forms.BaseForm]
    service: Callable[..., Any]
    fixed: dict = field(default_factory=dict)
    form_kwargs: Callable[[Any, Any], dict] = field(default=lambda obj, actor: {})
    multipart: bool = False  # the form uploads files
    # The success message from the service's result when the action did more than its name says
    # (a determination that issued an order); None keeps the generic "Done: …".
    done: Callable[[Any], str | None] | None = None

    def make_form(self, name: str, obj, actor, *, data=None, files=None) -> forms.BaseForm:
        kwargs = {"prefix": name, **self.form_kwargs(obj, actor)}
        if data is not None:
            kwargs.update(data=data, files=files)
        return self.form(**kwargs)

    def run(self, machine, obj, actor, data: dict):
        return self.service(**{machine.subject: obj}, actor=actor, **self.fixed, **data)


@dataclass
class ActionButton:
    """One allowed action on a page: the table's action, its form and where it posts."""

    action: Any  # workflow.Action
    form: forms.BaseForm
    url: str
    multipart: bool = False

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self):
        return self.action.label

    @property
    def style(self) -> str:
        return self.action.style

    @property
    def submit_style(self) -> str:
        # The form's own button is solid even when the button that opens it is an outline.
        return self.action.style.removeprefix("outline-")


def action_buttons(
    *, allowed, steps: dict[str, Step], obj, actor, url: Callable[[str], str], bound=None
) -> list[ActionButton]:
    """The buttons and forms of a detail page, one per allowed action, in the table's order.

    ``bound`` is ``(name, form)`` of a form posted with errors, shown again open.
    """
    buttons = []
    for action in allowed:
        step = steps[action.name]
        if bound is not None and bound[0] == action.name:
            form = bound[1]
        else:
            form = step.make_form(action.name, obj, actor)
        buttons.append(ActionButton(action, form, url(action.name), step.multipart))
    return buttons


def run_step(
    request,
    steps: dict[str, Step],
    machine,
    obj,
    action: str,
    *,
    redisplay: Callable[..., HttpResponse],  # called with bound_form=<the invalid form>
    back: str = "",
) -> HttpResponse:
    """The body of a table-driven action view: form → service → message → back to the page.

    An invalid form shows the page again with the form open and its errors (400), keeping what
    was typed; a refusal of the service becomes an error message. ``back`` defaults to the object's
    page.
    """
    step = steps[action]
    form = step.make_form(action, obj, request.user, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return redisplay(bound_form=form)
    with refusals(request):
        result = step.run(machine, obj, request.user, form.cleaned_data)
        done = _("Done: %(action)s.") % {"action": machine.action_label(action)}
        messages.success(request, (step.done and step.done(result)) or done)
    return redirect(back or obj.get_absolute_url())

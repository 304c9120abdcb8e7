"""Helpers for the state-machine tests of every app (``supervision.workflow``)."""

import re

import pytest
from django.utils import translation

from supervision.errors import ActionNotAllowed

BUTTON = re.compile(r'data-action="([^"]+)"')


def table_of(machine) -> dict[str, tuple[set[str], str | None, set[str], bool]]:
    """A machine's table as plain values, to compare with a specification written by hand."""
    return {
        a.name: ({str(s) for s in a.sources}, a.target and str(a.target), {str(r) for r in a.roles}, a.scoped)
        for a in machine.actions.values()
    }


def buttons_on(html: str) -> list[str]:
    """The workflow buttons a page shows (``templates/_workflow_actions.html``), in page order."""
    return BUTTON.findall(html)


def run_or_refused(machine, obj, actor, action: str, *, refusal: str | None, snapshot):
    """Run ``action`` through the machine. With ``refusal`` (a part of the English message) it must be
    refused with that reason and change nothing (``snapshot(obj)`` the same before and after)."""
    if refusal is None:
        return machine.transition(obj, actor=actor, action=action)
    before = snapshot(obj)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match=refusal):
        machine.transition(obj, actor=actor, action=action)
    assert snapshot(obj) == before
    return None

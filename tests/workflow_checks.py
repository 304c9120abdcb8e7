"""Helpers for the state-machine tests of every app (``supervision.workflow``)."""

import re

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

"""A department id in a query string that is not an id — a Unicode digit, 64-bit overflow — is
ignored, never a server error. Found by the fuzz suite in a form field; the same check guards the
list filters."""

from __future__ import annotations

import pytest

from supervision.access import id_param

BAD = ["²", "٣", "9223372036854775808", "-1", "0", "1e3", " ", "１"]


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("supervisor", "/followups/tasks/"),
        ("administrator", "/followups/stays/"),
        ("supervisor", "/surveys/"),
        ("supervisor", "/inspections/rounds/new/"),
    ],
)
def test_lists_ignore_a_department_parameter_that_is_not_an_id(request, client_for, neike, persona, url):
    client = client_for(request.getfixturevalue(persona))
    for value in BAD:
        assert client.get(url, {"department": value}).status_code == 200, value


def test_id_param_accepts_plain_ascii_ids_in_64_bits_only():
    assert id_param("42") == 42 and id_param(" 7 ") == 7
    assert id_param(str(2**63 - 1)) == 2**63 - 1
    for value in [*BAD, None, ""]:
        assert id_param(value) is None, value

"""One masking rule everywhere: no page shows a full phone number unless it was revealed.

Every GET page of the permission matrix is requested as every persona over the matrix world
(patients and complainants with phone numbers); none may contain a full number. Full numbers
appear only in the answer to a reveal POST, which writes RevealLog (checked below).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint
from supervision.models import DischargeStay, RevealLog
from tests.matrix.walk import walk
from tests.test_permission_matrix import RULES, _user

pytestmark = pytest.mark.django_db

REVEALS = {"followups:task_reveal", "followups:spotcheck_reveal", "complaints:reveal"}


@pytest.fixture
def world(neike, waike, supervisor, caller, head_neike, head_waike, administrator, volunteer, desk):
    from tests.matrix.world import build_world

    return build_world(
        neike=neike,
        waike=waike,
        supervisor=supervisor,
        caller=caller,
        head_neike=head_neike,
        head_waike=head_waike,
        administrator=administrator,
        volunteer=volunteer,
        desk=desk,
    )


def _phones() -> set[str]:
    numbers = set()
    for phone, alt in DischargeStay.objects.values_list("phone", "alt_phone"):
        numbers |= {phone, alt}
    numbers |= set(Complaint.objects.values_list("complainant_phone", flat=True))
    return {n for n in numbers if len(n) >= 7}


@pytest.mark.parametrize("persona", ["supervisor", "caller", "head_own", "admin", "desk"])
def test_no_page_shows_a_full_phone_number(
    persona, world, client, supervisor, caller, head_neike, administrator, desk
):
    people = {
        "supervisor": supervisor,
        "caller": caller,
        "head_neike": head_neike,
        "administrator": administrator,
        "desk": desk,
    }
    phones = _phones()
    assert phones
    client.force_login(_user(persona, people))
    from supervision.privacy import mask_phone

    masked = {mask_phone(p) for p in phones}
    leaks, masked_seen = [], 0
    for route in walk():
        rule = RULES[route.name]
        kwargs = rule.kw(world["NK"], world["shared"]) if rule.kw else {}
        url = reverse(route.name, kwargs=kwargs)
        response = client.get(url)
        body = (
            response.content.decode("utf-8", "replace")
            if response.get("Content-Type", "").startswith("text")
            else ""
        )
        leaks += [f"{url}: {p}" for p in phones if p in body]
        masked_seen += sum(m in body for m in masked)
    assert not leaks, "full phone numbers shown without a reveal:\n" + "\n".join(leaks)
    if persona in ("supervisor", "caller"):
        assert masked_seen, "no page showed a masked number: the check would prove nothing"


def test_a_reveal_shows_the_number_and_logs_it(world, client, supervisor):
    client.force_login(supervisor)
    for name, kwargs in (
        ("complaints:reveal", {"pk": world["NK"].complaint.pk}),
        ("followups:spotcheck_reveal", {"pk": world["shared"]["spotcheck"].pk}),
    ):
        before = RevealLog.objects.count()
        response = client.post(reverse(name, kwargs=kwargs))
        assert response.status_code == 200
        assert any(p in response.content.decode() for p in _phones()), name
        assert RevealLog.objects.count() > before, f"{name} showed a number without a RevealLog row"


def test_the_reveal_log_is_searchable_by_an_administrator_in_the_admin(world, client, supervisor):
    from tests.factories import UserFactory

    client.force_login(supervisor)
    client.post(reverse("complaints:reveal", kwargs={"pk": world["NK"].complaint.pk}))
    root = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:supervision_reveallog_changelist")
    found = client.get(url, {"q": supervisor.full_name})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    assert client.get(url, {"q": "无此人"}).context["cl"].result_count == 0
    log = RevealLog.objects.get()
    assert client.get(reverse("admin:supervision_reveallog_change", args=[log.pk])).status_code == 200
    assert (
        client.post(reverse("admin:supervision_reveallog_delete", args=[log.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert RevealLog.objects.count() == 1  # append-only

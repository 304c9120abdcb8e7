"""Issue 15 item 15: the lock-out also counts one address's failures across usernames.

Before, only a username at an address was counted: a client trying one or two passwords on each
of many accounts was never stopped.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from supervision.models import Role
from tests.factories import UserFactory

ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.5"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def limits(settings):
    settings.AXES_ENABLED = True
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.handler = None  # rebuild the handler with the new settings
    yield
    AxesProxyHandler.handler = None


def log_in(username, password, address):
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failures_on_many_usernames_from_one_address_lock_that_address(limits, supervisor):
    for n in range(5):
        assert log_in(f"guess{n}", "wrong-password", ATTACKER).status_code == 200  # the form again
    assert log_in("guess5", "wrong-password", ATTACKER).status_code == 429  # the address's 6th failure
    # Even a real account with its right password is refused from that address …
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 429
    # … and only from that address.
    assert log_in("supervisor", PASSWORD, ELSEWHERE).status_code == 302


def test_a_few_slips_of_different_people_at_one_computer_lock_nobody(limits, supervisor):
    for n in range(5):  # below the address's limit, one slip each
        log_in(f"nurse{n}", "wrong-password", ATTACKER)
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 302


def test_one_username_is_still_locked_at_its_own_lower_limit(limits, supervisor):
    for _ in range(3):
        log_in("supervisor", "wrong-password", ATTACKER)
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 429
    assert log_in("supervisor", PASSWORD, ELSEWHERE).status_code == 302


def test_a_success_clears_only_its_own_failures(limits, supervisor, db):
    UserFactory(username="other", roles=[Role.SUPERVISOR])
    for _ in range(3):
        log_in("supervisor", "wrong-password", ATTACKER)
    # Someone else's right password at the same address neither fails nor unlocks the supervisor.
    assert log_in("other", PASSWORD, ATTACKER).status_code == 302
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 429


def test_a_success_resets_the_own_count(limits, supervisor):
    for _ in range(2):
        log_in("supervisor", "wrong-password", ATTACKER)
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 302
    for _ in range(2):
        log_in("supervisor", "wrong-password", ATTACKER)
    assert log_in("supervisor", PASSWORD, ATTACKER).status_code == 302

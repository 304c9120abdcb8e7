"""Issue 15 item 1: behind the reverse proxy every client had the proxy's address.

One helper (supervision.infra.addresses.client_ip) gives the address to the public forms' rate
limits, the login lock-out and the reveal log; it reads X-Forwarded-For only as far as the
trusted proxies (TRUSTED_PROXY_COUNT) wrote it.
"""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from complaints.models import Complaint
from supervision.infra.addresses import client_ip
from supervision.infra.public import SALT
from supervision.models import RevealLog

PROXY = "10.0.0.2"  # the reverse proxy, as the app server sees the connection
PATIENT_A = "203.0.113.7"
PATIENT_B = "198.51.100.23"


def request_from(remote=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_without_a_proxy_configured_the_header_is_never_read(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # the default
    assert client_ip(request_from(remote=PATIENT_A, forwarded=PATIENT_B)) == PATIENT_A


def test_behind_one_proxy_the_client_is_the_entry_the_proxy_appended(one_proxy):
    assert client_ip(request_from(forwarded=PATIENT_A)) == PATIENT_A
    # nginx's $proxy_add_x_forwarded_for keeps what the client sent and appends the real address.
    assert client_ip(request_from(forwarded=f"{PATIENT_B}, {PATIENT_A}")) == PATIENT_A


def test_behind_two_proxies_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(forwarded=f"1.2.3.4, {PATIENT_A}, 10.0.0.9")) == PATIENT_A


@pytest.mark.parametrize("forwarded", ["", " , ", "not-an-address", "unknown, "])
def test_a_missing_or_malformed_header_falls_back_to_the_connection(one_proxy, forwarded):
    assert client_ip(request_from(forwarded=forwarded)) == PROXY


def test_ipv6_clients_are_read_in_canonical_form(one_proxy):
    assert client_ip(request_from(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"


# --- the public complaint form's rate limit (5 an hour per address) -------------------------------


def form_token():
    with mock.patch("time.time", return_value=time.time() - 60):
        return signing.TimestampSigner(salt=SALT).sign("1")


def complain(client, n, forwarded):
    data = {
        "complainant_name": "赵六",
        "complainant_phone": "13700001111",
        "content": f"挂号窗口排队一小时（第{n}次）",
        "website": "",
        "form_token": form_token(),
    }
    return client.post(
        reverse("complaints:public_form"), data, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=PROXY
    )


@pytest.mark.django_db
def test_behind_one_proxy_two_patients_are_limited_separately(one_proxy):
    client = Client()
    for n in range(5):
        assert complain(client, n, PATIENT_A).status_code == 302
    assert complain(client, 5, PATIENT_A).status_code == 429
    # Before: every patient was the proxy's address, so the next patient was refused too.
    assert complain(client, 6, PATIENT_B).status_code == 302
    assert Complaint.objects.count() == 6


@pytest.mark.django_db
def test_a_forged_forwarded_entry_does_not_choose_the_address(one_proxy):
    client = Client()
    for n in range(5):
        complain(client, n, PATIENT_A)
    # The limited client prepends another address; the proxy still appends the real one.
    assert complain(client, 5, f"{PATIENT_B}, {PATIENT_A}").status_code == 429
    assert complain(client, 6, PATIENT_B).status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_configured_a_forwarded_header_cannot_escape_the_limit():
    client = Client()
    for n in range(5):
        complain(client, n, PATIENT_A)
    assert complain(client, 5, PATIENT_B).status_code == 429


# --- the login lock-out ----------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.handler = None  # rebuild the handler with the new settings
    yield
    AxesProxyHandler.handler = None


def log_in(password, forwarded):
    return Client().post(
        reverse("login"),
        {"username": "supervisor", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=PROXY,
    )


def test_behind_one_proxy_wrong_passwords_elsewhere_do_not_lock_the_real_user_out(
    one_proxy, axes_on, supervisor
):
    for _ in range(3):
        log_in("wrong-password", PATIENT_B)
    assert log_in("correct-horse-battery", PATIENT_B).status_code == 429
    # Before: everyone was the proxy's address and the supervisor was locked out too.
    assert log_in("correct-horse-battery", PATIENT_A).status_code == 302

    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PATIENT_B}


# --- the reveal log --------------------------------------------------------------------------------


def test_behind_one_proxy_the_reveal_log_records_the_client(one_proxy, client_for, supervisor):
    from tests.complaints.factories import make_complaint

    complaint = make_complaint(received_by=supervisor, complainant_phone="13800138000")
    client = client_for(supervisor)
    response = client.post(
        reverse("complaints:reveal", args=[complaint.pk]), HTTP_X_FORWARDED_FOR=PATIENT_A, REMOTE_ADDR=PROXY
    )
    assert "13800138000" in response.content.decode()
    assert RevealLog.objects.get().ip_address == PATIENT_A

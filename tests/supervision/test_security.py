"""Security settings that apply to every page: throttled log-in, CSP, cookies, CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

# The policy as documented (docs/security.md) and as the hand-written middleware sent it before
# django-csp; compared directive by directive, since django-csp does not keep the order.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)


def directives(header: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.handler = None  # rebuild the handler with the new settings
    yield
    AxesProxyHandler.handler = None


def test_repeated_failed_logins_lock_the_account_for_that_address(axes_on, supervisor):
    client = Client()
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "supervisor", "password": "wrong-password"})
    assert response.status_code == 429
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "supervisor", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_correct_login_works_and_lands_on_the_dashboard(axes_on, supervisor):
    client = Client()
    response = client.post(reverse("login"), {"username": "supervisor", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_every_page_has_a_csp_without_inline_scripts(client_for, supervisor):
    response = client_for(supervisor).get(reverse("dashboard"))
    policy = response["Content-Security-Policy"]
    assert directives(policy) == directives(POLICY)
    assert "unsafe-inline" not in policy and "nonce" not in policy
    assert "<script>" not in response.content.decode()


def test_public_pages_and_errors_carry_the_same_policy(client_for, supervisor):
    for response in [client_for(None).get(reverse("login")), client_for(supervisor).get("/no-such-page/")]:
        assert directives(response["Content-Security-Policy"]) == directives(POLICY)


def test_only_the_staff_admin_allows_inline_scripts_and_styles(admin_client):
    expected = directives(POLICY)
    expected["script-src"] += ["'unsafe-inline'"]
    expected["style-src"] += ["'unsafe-inline'"]
    assert directives(admin_client.get("/admin/")["Content-Security-Policy"]) == expected


def test_pages_carry_no_inline_script_or_style_attributes(client_for, supervisor, neike):
    from tests.factories import make_finding

    finding = make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    for url in [reverse("dashboard"), reverse("finding_list"), reverse("finding_detail", args=[finding.pk])]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and 'style="' not in html and "onclick=" not in html, url


def test_csrf_is_enforced_on_state_changes(supervisor, neike):
    from tests.factories import make_finding

    finding = make_finding(department=neike, found_by=supervisor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    response = client.post(reverse("order_action", args=[finding.order.pk, "verify"]))
    assert response.status_code == 403


def test_password_validators_refuse_weak_passwords(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password", "ducha"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_sessions_expire_after_a_shift_of_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY
    assert "supervision.infra.middleware.SessionIdleRefreshMiddleware" in settings.MIDDLEWARE


def test_session_expiry_slides_with_use_but_is_written_at_most_once_a_minute(
    client_for, supervisor, monkeypatch
):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.infra import middleware

    clock = [1_800_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = client_for(supervisor)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    first_expiry = Session.objects.get(pk=key).expire_date

    def session_writes():
        with CaptureQueriesContext(connection) as q:
            assert client.get("/").status_code == 200
        return [s for s in q.captured_queries if "django_session" in s["sql"] and "UPDATE" in s["sql"]]

    clock[0] += 30  # within the minute: a read is not a write
    assert not session_writes()
    assert Session.objects.get(pk=key).expire_date == first_expiry
    clock[0] += 31  # past the minute: the expiry moves forward (idle timeout, not absolute)
    assert session_writes()
    assert Session.objects.get(pk=key).expire_date > first_expiry

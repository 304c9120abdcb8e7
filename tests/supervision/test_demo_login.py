"""The login page names the demo accounts in demo mode only (issue 15 item 19): `make run` sets
DUCHA_DEMO; a real installation never shows a login or the demo password."""

from __future__ import annotations

from django.urls import reverse


def test_in_demo_mode_the_login_page_names_the_demo_accounts_and_password(client, db, settings):
    settings.DUCHA_DEMO = True
    page = client.get(reverse("login")).content.decode()
    assert "ducha-demo" in page
    for login in ("supervisor", "caller", "head-neike", "head-waike", "admin", "volunteer"):
        assert f"<code>{login}</code>" in page
    assert "科室负责人" in page and "内科" in page


def test_outside_demo_mode_the_login_page_names_no_account(client, db, settings):
    settings.DUCHA_DEMO = False
    page = client.get(reverse("login")).content.decode()
    assert "ducha-demo" not in page
    assert "<code>supervisor</code>" not in page
    assert "demo-accounts" not in page


def test_the_deployment_check_warns_while_demo_mode_is_on(settings):
    from supervision.infra.checks import production_variables

    settings.DUCHA_DEMO = True
    assert [m.id for m in production_variables()].count("ducha.W001") == 1
    settings.DUCHA_DEMO = False
    assert "ducha.W001" not in [m.id for m in production_variables()]

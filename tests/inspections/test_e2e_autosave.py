"""Real-browser journey (make test-e2e): the tablet checklist autosaves, and survives a dropped connection."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import Group

from inspections.models import Answer
from supervision.models import Role
from tests.factories import DepartmentFactory, UserFactory

from .factories import jpeg_bytes, make_template, start_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/system-deps --with-browser)"
)
def test_answers_autosave_and_are_kept_on_the_device_while_offline(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM checks here are plain reads.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    dept = DepartmentFactory(code="NK", name="内科")
    user = UserFactory(username="walker", roles=[Role.SUPERVISOR])
    user.set_password("pw-e2e-123")
    user.save()
    rnd = start_round(actor=user, department=dept, template=make_template())
    first, second, third = rnd.template.items.order_by("sort_order")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "walker")
        page.fill("input[name=password]", "pw-e2e-123")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{live_server.url}{rnd.get_absolute_url()}")

        # Online: a tap and a typed note are on the server without pressing any button.
        saves = f"{live_server.url}/inspections/rounds/{rnd.pk}/items/{first.pk}/"
        with page.expect_response(saves):
            page.click(f"label[for=r{first.pk}-fail]")
        with page.expect_response(saves):
            page.type(f"#note-{first.pk}", "走廊有烟味")  # no button: saved 0.8 s after typing stops
        page.wait_for_selector(f"#saved-{first.pk} >> text=已保存")
        page.wait_for_selector("#pending-count", state="hidden")  # nothing waits on the device
        answer = Answer.objects.get(round=rnd, item=first)
        assert (answer.result, answer.note) == ("fail", "走廊有烟味")
        # The sticky bar counts the answer without a reload.
        assert page.inner_text("#round-progress").startswith(f"已填写 1 / {rnd.answers.count()} 项")

        # Offline: the answer stays on the device, with a notice.
        context.set_offline(True)
        page.click(f"label[for=r{second.pk}-pass]")
        page.wait_for_selector(f"#saved-{second.pk} >> text=已保存在本设备上")
        page.wait_for_selector("#pending-count >> text=1 项待上传")
        assert Answer.objects.get(round=rnd, item=second).result == ""

        # Back online: it is sent again by itself.
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_selector(f"#saved-{second.pk} >> text=已保存")
        page.wait_for_selector("#pending-count", state="hidden")
        assert Answer.objects.get(round=rnd, item=second).result == "pass"

        # Offline again, then the page is opened later: the kept answer is sent on load.
        context.set_offline(True)
        page.click(f"label[for=r{third.pk}-na]")
        page.wait_for_selector(f"#saved-{third.pk} >> text=已保存在本设备上")
        context.set_offline(False)
        page.goto(f"{live_server.url}{rnd.get_absolute_url()}")
        page.wait_for_selector(f"#saved-{third.pk} >> text=已保存")
        page.wait_for_selector("#pending-count", state="hidden")
        assert Answer.objects.get(round=rnd, item=third).result == "na"

        # A photo from the camera input goes up on its own and shows as a thumbnail.
        answer = Answer.objects.get(round=rnd, item=first)
        page.set_input_files(
            f"#photos-{answer.pk} input[type=file]",
            files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(with_gps=True)}],
        )
        page.wait_for_selector(f"#photos-{answer.pk} img.attachment-thumb")
        assert answer.photos.count() == 1
        browser.close()

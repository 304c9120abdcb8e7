"""Journey: an inspector on a tablet loses the connection in the middle of a round (issue 20 item 2).

The round was opened once online (the service worker keeps the page and its files). Offline, she
answers two items, writes a note and takes a photo: they wait on the tablet, counted on the page.
She reloads the page, still offline: the page opens from the worker's copy and shows again what
waits, the photo included (IndexedDB). The connection comes back: everything is sent in order and
the server holds each answer and the photo once."""

from __future__ import annotations

import time

from django.core.signals import request_started

from inspections.models import Answer, AnswerPhoto
from supervision.models import Role
from tests.factories import DepartmentFactory, UserFactory
from tests.inspections.factories import make_template, start_round

from .conftest import journey_marks, photo_jpeg

pytestmark = journey_marks()

TABLET = {"width": 820, "height": 1180}

# True once the worker controls the page and keeps this page for this session.
PAGE_KEPT = """async () => {
  if (!navigator.serviceWorker.controller) { return false; }
  for (const name of await caches.keys()) {
    if (name.startsWith("ducha-pages-") && await (await caches.open(name)).match(location.href)) { return true; }
  }
  return false;
}"""


def wait_until(page, script, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script[:60]}"
        page.wait_for_timeout(250)


def test_a_round_filled_in_offline_with_a_photo_survives_a_reload_and_is_stored_once(
    session_for, shots, roles_groups
):
    dept = DepartmentFactory(code="NK", name="内科")
    user = UserFactory(username="walker", roles=[Role.SUPERVISOR])
    rnd = start_round(actor=user, department=dept, template=make_template())
    first, second, third = rnd.template.items.order_by("sort_order")
    photo_answer = Answer.objects.get(round=rnd, item=second)

    page = session_for(user, viewport=TABLET, has_touch=True)
    page.goto(rnd.get_absolute_url())
    # The first visit installs the worker; it keeps the round page for this session.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, PAGE_KEPT)

    # Online: a tap goes to the server at once.
    page.click(f"label[for=r{first.pk}-pass]")
    page.wait_for_selector(f"#saved-{first.pk} >> text=已保存")
    assert Answer.objects.get(round=rnd, item=first).result == "pass"
    shots(page, "online-first-answer")

    # The connection drops: two answers, a note and a photo wait on the tablet.
    page.context.set_offline(True)
    page.click(f"label[for=r{second.pk}-fail]")
    page.fill(f"#note-{second.pk}", "地面湿滑，无警示牌")
    page.set_input_files(
        f"#photos-{photo_answer.pk} input[type=file]",
        files=[{"name": "地面.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}],
    )
    page.click(f"label[for=r{third.pk}-fail]")
    page.wait_for_selector("#pending-count >> text=3 项待上传")
    page.wait_for_selector(f"#pending-photos-{second.pk} img.attachment-thumb")
    page.wait_for_selector(f"#saved-{third.pk} >> text=已保存在本设备上")
    shots(page, "offline-three-waiting")
    assert not AnswerPhoto.objects.exists()
    assert Answer.objects.get(round=rnd, item=second).result == ""

    # Reloaded without a connection: the worker's copy opens, and what waits is shown again.
    requests = []

    def count(sender, environ, **kwargs):
        requests.append(environ.get("PATH_INFO"))

    request_started.connect(count)
    try:
        page.reload()
        page.wait_for_selector("#pending-count >> text=3 项待上传")
    finally:
        request_started.disconnect(count)
    # The browser's own check for a newer worker script may pass the emulated offline mode; the page
    # itself must not have been asked of the server.
    assert [path for path in requests if path != "/sw.js"] == [], f"the reload reached the server: {requests}"
    assert page.is_checked(f"#r{second.pk}-fail") and page.is_checked(f"#r{third.pk}-fail")
    # The first answer, sent before the connection dropped, shows too (the kept copy may predate it).
    assert page.is_checked(f"#r{first.pk}-pass")
    assert page.inner_text("#round-progress").startswith("已填写 3 / 3 项")
    assert page.input_value(f"#note-{second.pk}") == "地面湿滑，无警示牌"
    page.wait_for_selector(f"#pending-photos-{second.pk} img.attachment-thumb >> nth=0")
    assert page.locator(f"#pending-photos-{second.pk} figcaption").inner_text() == "待上传"
    shots(page, "offline-reloaded")

    # Back online: everything is sent in order, once, and the page says so.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#pending-count", state="hidden")
    page.wait_for_selector(f"#photos-{photo_answer.pk} img.attachment-thumb")
    page.wait_for_selector(f"#pending-photos-{second.pk} img", state="detached")
    shots(page, "online-all-sent")
    answers = {a.item_id: a for a in Answer.objects.filter(round=rnd)}
    assert (answers[second.pk].result, answers[second.pk].note) == ("fail", "地面湿滑，无警示牌")
    assert answers[third.pk].result == "fail" and answers[first.pk].result == "pass"
    assert Answer.objects.filter(round=rnd).count() == 3
    photo = AnswerPhoto.objects.get()
    assert photo.answer_id == photo_answer.pk and photo.client_id is not None
    assert (
        page.evaluate(
            """() => new Promise((resolve) => {
          const open = indexedDB.open("ducha-offline");
          open.onsuccess = () => {
            const tx = open.result.transaction("queue").objectStore("queue").count();
            tx.onsuccess = () => resolve(tx.result);
          };
        })"""
        )
        == 0
    )
    # The sticky bar counts the answers sent from the queue.
    assert page.inner_text("#round-progress").startswith("已填写 3 / 3 项")

"""The permission matrix: every URL of the URL conf, requested as every persona.

The test is generated from the URL conf (``tests/matrix/walk.py`` walks ``get_resolver()`` with its
namespaces). Each URL must have a rule in ``RULES`` below, keyed by ``namespace:name``; a URL
without a rule fails ``test_every_url_has_a_rule`` with its name, so a page added later cannot
escape the matrix. Excluded on purpose: ``admin:*`` (the Django admin is for staff accounts
only; tests/supervision/test_admin.py covers it) and static/media files (served by whitenoise or
the web server, not by named URLs).

A rule gives, per URL:

* ``kw``: how to build the URL's kwargs from the fixture objects of one department
  (``o``: the objects of 内科 or 外科, see tests/matrix/world.py) and the shared objects (``s``);
* ``get`` and ``post``: the expected status codes of a GET and of an empty POST, one per persona
  in the order of ``PERSONAS``:

  ``anon  supervisor  caller  head(own)  head(other)  admin  volunteer  desk``

  where ``head(own)`` is the head of 内科 asking for a 内科 object and ``head(other)`` the same
  head asking for the 外科 object (for URLs without an object both are the same request).
  ``-`` skips a cell (never used for a forbidden persona).

Every request runs inside a savepoint that is rolled back, so one request's side effects
(an empty POST that is accepted, a logout) never change what the next one sees. A view that
raises is recorded as ``500`` and fails the test.

``docs/security.md`` shows this table in words; ``python -m tests.matrix.table`` prints it.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tests.matrix.walk import walk
from tests.matrix.world import build_world

PERSONAS = ("anon", "supervisor", "caller", "head_own", "head_other", "admin", "volunteer", "desk")


@dataclass(frozen=True)
class R:
    get: str
    post: str
    kw: Callable | None = None

    def expected(self, method: str) -> dict[str, str]:
        codes = (self.get if method == "GET" else self.post).split()
        assert len(codes) == len(PERSONAS), f"a rule needs {len(PERSONAS)} codes, got {codes}"
        return dict(zip(PERSONAS, codes, strict=True))


# fmt: off
# anon / supervisor / caller / head of 内科 on 内科 / head of 内科 on 外科 / administrator / volunteer / desk
RULES: dict[str, R] = {
    "dashboard": R(get="302 200 200 200 200 200 200 200", post="302 200 200 200 200 200 200 200"),
    "needs_me": R(get="302 200 200 200 200 200 200 200", post="302 405 405 405 405 405 405 405"),
    "healthz": R(get="200 200 200 200 200 200 200 200", post="405 405 405 405 405 405 405 405"),
    "favicon": R(get="301 301 301 301 301 301 301 301", post="301 301 301 301 301 301 301 301"),
    "web_manifest": R(get="200 200 200 200 200 200 200 200", post="405 405 405 405 405 405 405 405"),
    "service_worker": R(get="200 200 200 200 200 200 200 200", post="405 405 405 405 405 405 405 405"),
    "finding_list": R(get="302 200 200 200 200 200 200 403", post="302 405 405 405 405 405 405 403"),
    "finding_create": R(get="302 200 403 403 403 403 200 403", post="302 200 403 403 403 403 200 403"),
    "finding_detail": R(kw=(lambda o, s: {"pk": o.finding.pk}), get="302 200 404 200 404 200 404 403", post="302 200 404 200 404 200 404 403"),
    "finding_decide": R(kw=(lambda o, s: {"pk": o.finding.pk}), get="302 405 403 403 403 403 403 403", post="302 400 403 403 403 403 403 403"),
    "finding_issue_order": R(kw=(lambda o, s: {"pk": o.finding.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "finding_patient_told": R(kw=(lambda o, s: {"pk": o.finding.pk}), get="302 405 405 403 403 403 403 403", post="302 400 404 403 403 403 403 403"),
    "person_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "people_sheet": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "attribution_disputes": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "person_record": R(kw=(lambda o, s: {"pk": o.extra["staff"].pk}), get="302 200 404 200 404 200 404 404", post="302 405 405 405 405 405 405 405"),
    "attribution_action": R(kw=(lambda o, s: {"pk": o.extra["attribution"].pk, "action": "dispute"}), get="302 405 403 405 405 403 403 403", post="302 400 403 400 404 403 403 403"),
    "order_checks": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "order_action": R(kw=(lambda o, s: {"pk": o.order.pk, "action": "acknowledge"}), get="302 405 403 405 405 403 403 403", post="302 302 403 302 404 403 403 403"),
    "corrective_action_step": R(kw=(lambda o, s: {"pk": o.extra["corrective_action"].pk, "action": "start"}), get="302 403 403 405 405 403 403 403", post="302 403 403 302 404 403 403 403"),
    "attachment_download": R(kw=(lambda o, s: {"pk": o.attachment.pk}), get="302 200 404 200 404 200 404 403", post="302 200 404 200 404 200 404 403"),
    "alert_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "alert_detail": R(kw=(lambda o, s: {"pk": o.extra["alert"].pk}), get="302 200 403 200 404 200 403 403", post="302 200 403 200 404 200 403 403"),
    "alert_reveal": R(kw=(lambda o, s: {"pk": o.extra["alert"].pk}), get="302 405 403 405 405 403 403 403", post="302 200 403 200 404 403 403 403"),
    "alert_action": R(kw=(lambda o, s: {"pk": o.extra["alert"].pk, "action": "contact"}), get="302 405 403 405 405 403 403 403", post="302 400 403 400 404 403 403 403"),
    "notification_list": R(get="302 200 200 200 200 200 200 200", post="302 200 200 200 200 200 200 200"),
    "notification_preferences": R(get="302 200 200 200 200 200 200 200", post="302 200 200 200 200 200 200 200"),
    "notification_read_all": R(get="302 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302"),
    "notification_read": R(kw=(lambda o, s: {"pk": s["notification"].pk}), get="302 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302"),
    "import_page": R(kw=(lambda o, s: {"kind": "staff"}), get="302 403 403 403 403 200 403 403", post="302 403 403 403 403 200 403 403"),
    "import_template": R(kw=(lambda o, s: {"kind": "staff"}), get="302 403 403 403 403 200 403 403", post="302 403 403 403 403 200 403 403"),
    "language_switch": R(get="405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302"),
    "login": R(get="200 302 302 302 302 302 302 302", post="200 302 302 302 302 302 302 302"),
    "logout": R(get="405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302"),
    "password_change": R(get="302 200 200 200 200 200 200 200", post="302 200 200 200 200 200 200 200"),
    "password_change_done": R(get="302 200 200 200 200 200 200 200", post="302 405 405 405 405 405 405 405"),
    "inspections:round_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:round_create": R(get="302 200 403 403 403 403 403 403", post="302 200 403 403 403 403 403 403"),
    "inspections:round_detail": R(kw=(lambda o, s: {"pk": o.extra["submitted_round"].pk}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:answer_save": R(kw=(lambda o, s: {"pk": o.round.pk, "item_pk": o.item.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:photo_upload": R(kw=(lambda o, s: {"pk": o.round.pk, "item_pk": o.item.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:round_submit": R(kw=(lambda o, s: {"pk": o.round.pk}), get="302 200 403 403 403 403 403 403", post="302 400 403 403 403 403 403 403"),
    "inspections:round_discard": R(kw=(lambda o, s: {"pk": o.round.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:round_sign_off": R(kw=(lambda o, s: {"pk": o.extra["submitted_round"].pk}), get="302 200 403 403 403 403 403 403", post="302 400 403 403 403 403 403 403"),
    "inspections:round_report_pdf": R(kw=(lambda o, s: {"pk": o.extra["submitted_round"].pk}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:photo": R(kw=(lambda o, s: {"pk": o.extra["submitted_photo"].pk}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:photo_delete": R(kw=(lambda o, s: {"pk": o.photo.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:plan": R(get="302 200 403 403 403 200 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:coverage": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "inspections:hand_rub": R(get="302 200 403 403 403 200 403 403", post="302 302 403 403 403 403 403 403"),
    "inspections:schedule": R(get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 403 403 403"),
    # No scheduled round exists in the matrix world: a supervisor's POST reaches the lookup and gets 404.
    "inspections:schedule_remove": R(kw=(lambda o, s: {"pk": 999999}), get="302 405 403 403 403 403 403 403", post="302 404 403 403 403 403 403 403"),
    "inspections:template_list": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "inspections:template_create": R(get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 400 403 403"),
    # The world's checklist is used by rounds: frozen, so a POST to it is refused with a redirect.
    "inspections:template_detail": R(kw=(lambda o, s: {"pk": o.round.template_id}), get="302 200 403 403 403 200 403 403", post="302 302 403 403 403 302 403 403"),
    "inspections:template_preview": R(kw=(lambda o, s: {"pk": o.round.template_id}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "inspections:template_preview_frame": R(kw=(lambda o, s: {"pk": o.round.template_id}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "inspections:template_action": R(kw=(lambda o, s: {"pk": o.round.template_id, "action": "publish"}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "inspections:figures": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:audit_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:sample_list": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 403 403 403"),
    "inspections:audit_detail": R(kw=(lambda o, s: {"pk": o.audit.pk}), get="302 200 403 200 404 200 403 403", post="302 302 403 403 404 403 403 403"),
    "inspections:appeal_raise": R(kw=(lambda o, s: {"pk": o.deduction.pk}), get="302 403 403 405 405 403 403 403", post="302 403 403 302 404 403 403 403"),
    "inspections:appeal_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "inspections:appeal_decide": R(kw=(lambda o, s: {"pk": o.appeal.pk, "decision": "uphold"}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "followups:my_tasks": R(get="302 200 200 403 403 403 403 403", post="302 405 405 403 403 403 403 403"),
    "followups:task_list": R(get="302 200 200 200 200 200 403 403", post="302 405 405 405 405 405 403 403"),
    "followups:task_detail": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 200 200 200 404 200 403 403", post="302 200 200 200 404 200 403 403"),
    "followups:task_claim": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 405 405 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "followups:task_release": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 405 405 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "followups:task_reveal": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 405 405 403 403 403 403 403", post="302 403 403 403 403 403 403 403"),
    "followups:task_call": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 405 405 403 403 403 403 403", post="302 400 400 403 403 403 403 403"),
    "followups:task_letter": R(kw=(lambda o, s: {"pk": o.task.pk}), get="302 405 405 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "followups:figures": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "followups:feedback_list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "followups:import_job": R(kw=(lambda o, s: {"pk": s["import_job"].pk}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:import_page": R(kw=(lambda o, s: {"kind": "discharges"}), get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "followups:import_template": R(kw=(lambda o, s: {"kind": "discharges"}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:policy_list": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:policy_create": R(get="302 403 403 403 403 200 403 403", post="302 403 403 403 403 200 403 403"),
    "followups:policy_edit": R(kw=(lambda o, s: {"pk": s["policy"].pk}), get="302 403 403 403 403 200 403 403", post="302 403 403 403 403 200 403 403"),
    "followups:plan_list": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:plan_create": R(get="302 200 403 403 403 403 403 403", post="302 400 403 403 403 403 403 403"),
    "followups:plan_edit": R(kw=(lambda o, s: {"pk": s["plan"].pk}), get="302 200 403 403 403 403 403 403", post="302 400 403 403 403 403 403 403"),
    "followups:letter_list": R(get="302 200 200 403 403 403 403 403", post="302 405 405 403 403 403 403 403"),
    "followups:letter_print": R(get="302 405 405 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "followups:letter_sent": R(get="302 405 405 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "followups:web_form": R(kw=(lambda o, s: {"token": s["web_token"]}), get="200 200 200 200 200 200 200 200", post="400 400 400 400 400 400 400 400"),
    "followups:roster": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 403 403 403"),
    "followups:star_wards": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 403 403 403"),
    "followups:stay_list": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:stay_add": R(kw=(lambda o, s: {"pk": o.stay.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "followups:queue_build": R(get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "followups:draw_detail": R(kw=(lambda o, s: {"pk": o.queue_draw.pk}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:spotcheck_list": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 403 403 403"),
    "followups:spotcheck_draw": R(kw=(lambda o, s: {"pk": s["spotcheck_draw"].pk}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "followups:spotcheck_record": R(kw=(lambda o, s: {"pk": s["spotcheck"].pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "followups:spotcheck_reveal": R(kw=(lambda o, s: {"pk": s["spotcheck"].pk}), get="302 405 403 403 403 403 403 403", post="302 200 403 403 403 403 403 403"),
    "complaints:list": R(get="302 200 200 200 200 200 403 200", post="302 405 405 405 405 405 403 405"),
    "complaints:create": R(get="302 200 200 403 403 200 403 403", post="302 200 200 403 403 200 403 403"),
    "complaints:figures": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "complaints:calendar": R(get="302 200 200 200 200 200 403 200", post="302 405 405 405 405 405 403 405"),
    "complaints:detail": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 200 404 200 404 200 403 404", post="302 200 404 200 404 200 403 404"),
    "complaints:person": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 200 404 200 404 200 403 404", post="302 405 405 405 405 405 403 405"),
    "complaints:reveal": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 405 405 405 405 405 403 405", post="302 200 404 302 404 200 403 404"),
    "complaints:action": R(kw=(lambda o, s: {"pk": o.extra["new_complaint"].pk, "action": "accept"}), get="302 405 405 405 405 405 403 405", post="302 302 404 404 404 302 403 404"),
    "complaints:public_form": R(get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    "complaints:public_done": R(get="302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302"),
    "complaints:public_lookup": R(get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    "complaints:verdict_public": R(kw=(lambda o, s: {"token": o.extra["verdict_token"]}), get="200 200 200 200 200 200 200 200", post="400 400 400 400 400 400 400 400"),
    "complaints:verdict_link": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "complaints:verdict_phone": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "complaints:attachment_add": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 405 405 403 403 405 403 405", post="302 400 404 403 403 400 403 404"),
    "complaints:attachment": R(kw=(lambda o, s: {"pk": o.extra["complaint_attachment"].pk}), get="302 200 404 200 404 200 403 404", post="302 405 405 405 405 405 403 405"),
    "complaints:attachment_share": R(kw=(lambda o, s: {"pk": o.extra["complaint_attachment"].pk}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "complaints:template_list": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "complaints:template_create": R(get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 400 403 403"),
    "complaints:template_edit": R(kw=(lambda o, s: {"pk": o.extra["reply_template"].pk}), get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 400 403 403"),
    "complaints:letter_new": R(kw=(lambda o, s: {"pk": o.complaint.pk}), get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 400 403 403"),
    "complaints:letter_pdf": R(kw=(lambda o, s: {"pk": o.extra["complaint_letter"].pk}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "surveys:results": R(get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:results_export": R(get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:response_list": R(get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:response_export": R(get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:response_detail": R(kw=(lambda o, s: {"pk": o.response.pk}), get="302 200 403 200 404 200 403 403", post="302 200 403 200 404 200 403 403"),
    "surveys:response_finding": R(kw=(lambda o, s: {"pk": o.response.pk}), get="302 405 403 403 403 403 403 403", post="302 302 403 403 403 403 403 403"),
    "surveys:questionnaire_list": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:questionnaire_detail": R(kw=(lambda o, s: {"pk": s["questionnaire"].pk}), get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:questionnaire_action": R(kw=(lambda o, s: {"pk": s["questionnaire"].pk, "action": "new-version"}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "surveys:question_edit": R(kw=(lambda o, s: {"pk": s["question"].pk}), get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:campaign_list": R(get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:campaign_create": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:campaign_detail": R(kw=(lambda o, s: {"pk": s["campaign"].pk}), get="302 200 403 200 200 200 403 403", post="302 200 403 200 200 200 403 403"),
    "surveys:campaign_edit": R(kw=(lambda o, s: {"pk": s["campaign"].pk}), get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:paper_entry": R(kw=(lambda o, s: {"pk": s["campaign"].pk}), get="302 200 200 403 403 403 403 403", post="302 200 200 403 403 403 403 403"),
    "surveys:campaign_poster": R(kw=(lambda o, s: {"pk": s["campaign"].pk, "department_id": o.department.pk, "fmt": "png"}), get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "surveys:campaign_action": R(kw=(lambda o, s: {"pk": s["campaign"].pk, "action": "close"}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "surveys:paper_index": R(get="302 302 302 403 403 403 403 403", post="302 302 302 403 403 403 403 403"),
    "surveys:praise_list": R(get="302 200 403 403 403 200 403 403", post="302 200 403 403 403 200 403 403"),
    "surveys:praise_match": R(kw=(lambda o, s: {"pk": o.praise.pk}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "surveys:public_department": R(kw=(lambda o, s: {"key": s["campaign"].public_key, "department_code": o.department.code}), get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    "surveys:public_token": R(kw=(lambda o, s: {"token": s["token"].token}), get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    "surveys:public_thanks": R(get="200 200 200 200 200 200 200 200", post="200 200 200 200 200 200 200 200"),
    "servicedesk:log": R(get="302 200 403 403 403 200 403 200", post="302 403 403 403 403 403 403 400"),
    "servicedesk:entries": R(get="302 200 403 200 200 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:entry_detail": R(kw=(lambda o, s: {"pk": o.extra["desk_entry"].pk}), get="302 200 403 200 404 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:entry_undo": R(kw=(lambda o, s: {"pk": o.extra["desk_entry"].pk}), get="302 403 403 403 403 403 403 405", post="302 403 403 403 403 403 403 302"),
    "servicedesk:entry_complaint": R(kw=(lambda o, s: {"pk": o.extra["desk_entry"].pk}), get="302 405 403 403 403 405 403 405", post="302 302 403 403 403 302 403 302"),
    "servicedesk:kb": R(get="302 200 403 200 200 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:kb_create": R(get="302 200 403 403 403 200 403 200", post="302 400 403 403 403 400 403 400"),
    "servicedesk:kb_review": R(get="302 200 403 403 403 200 403 200", post="302 405 403 403 403 405 403 405"),
    "servicedesk:kb_import": R(get="302 200 403 403 403 200 403 403", post="302 400 403 403 403 400 403 403"),
    "servicedesk:kb_import_template": R(get="302 200 403 403 403 200 403 403", post="302 405 403 403 403 405 403 403"),
    "servicedesk:kb_detail": R(kw=(lambda o, s: {"pk": s["knowledge"].pk}), get="302 200 403 200 200 200 403 200", post="302 400 403 403 403 400 403 400"),
    "servicedesk:kb_edit": R(kw=(lambda o, s: {"pk": s["knowledge"].pk}), get="302 200 403 403 403 200 403 200", post="302 400 403 403 403 400 403 400"),
    "servicedesk:boxes": R(get="302 200 403 200 200 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:opening_create": R(kw=(lambda o, s: {"pk": s["box"].pk}), get="302 200 403 403 403 200 403 200", post="302 400 403 403 403 400 403 400"),
    "servicedesk:opening_detail": R(kw=(lambda o, s: {"pk": s["opening"].pk}), get="302 200 403 200 200 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:praise": R(get="302 200 403 200 200 200 403 200", post="302 405 403 405 405 405 403 405"),
    "servicedesk:work": R(get="302 200 403 403 403 200 403 200", post="302 405 403 403 403 405 403 405"),
    # The 内科 world's desk person is someone at another centre: the office opens their work, the desk persona gets 404.
    "servicedesk:person_work": R(kw=(lambda o, s: {"user_id": o.extra["desk_person"].pk}), get="302 200 403 403 403 200 403 404", post="302 405 403 403 403 405 403 405"),
    "reports:list": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "reports:request": R(get="302 405 403 405 405 405 403 403", post="302 400 403 400 400 400 403 403"),
    "reports:detail": R(kw=(lambda o, s: {"pk": o.report.pk}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    "reports:download": R(kw=(lambda o, s: {"pk": o.report.pk}), get="302 404 403 404 404 404 403 403", post="302 405 403 405 405 405 403 403"),
    "reports:retry": R(kw=(lambda o, s: {"pk": o.report.pk}), get="302 403 403 403 403 405 403 403", post="302 403 403 403 403 302 403 403"),
    "reports:summaries": R(get="302 200 403 200 200 200 403 403", post="302 405 403 405 405 405 403 403"),
    "reports:summary_create": R(get="302 405 403 403 403 405 403 403", post="302 400 403 403 403 400 403 403"),
    "reports:summary": R(kw=(lambda o, s: {"pk": o.summary.pk}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    "reports:summary_action": R(kw=(lambda o, s: {"pk": o.summary.pk, "action": "save"}), get="302 405 403 403 403 405 403 403", post="302 302 403 403 403 302 403 403"),
    "reports:summary_download": R(kw=(lambda o, s: {"pk": o.summary.pk, "fmt": "docx"}), get="302 200 403 200 404 200 403 403", post="302 405 403 405 405 405 403 403"),
    # The integration API answers API keys only (tests/api/): a signed-in person without one gets 401.
    "api:discharges": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:departments": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:staff": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:figures_followups": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:figures_satisfaction": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:figures_rectification": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:figures_complaints": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:figures_waiting": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:findings": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:orders": R(get="401 401 401 401 401 401 401 401", post="401 401 401 401 401 401 401 401"),
    "api:schema": R(get="200 200 200 200 200 200 200 200", post="405 405 405 405 405 405 405 405"),
    "api:docs": R(get="200 200 200 200 200 200 200 200", post="405 405 405 405 405 405 405 405"),}
# fmt: on


def missing_rules(routes) -> list[str]:
    return [f"{r.name} ({r.route})" for r in routes if r.name not in RULES]


def test_a_url_added_without_a_rule_is_named_by_the_check(settings):
    """The guard itself: a URL conf with one more page → the check names that page."""
    import types

    from django.http import HttpResponse
    from django.urls import clear_url_caches, include, path

    from supervision import urls as root

    extra = types.ModuleType("matrix_extra_urls")
    extra.app_name = "extra"
    extra.urlpatterns = [path("new-page/", lambda request: HttpResponse("x"), name="new_page")]
    conf = types.ModuleType("matrix_test_urls")
    conf.urlpatterns = [*root.urlpatterns, path("extra/", include(extra))]
    import sys

    sys.modules["matrix_test_urls"] = conf
    settings.ROOT_URLCONF = "matrix_test_urls"
    clear_url_caches()
    try:
        assert missing_rules(walk()) == ["extra:new_page (extra/new-page/)"]
    finally:
        del sys.modules["matrix_test_urls"]
        clear_url_caches()


def test_every_url_has_a_rule():
    routes = walk()
    missing = missing_rules(routes)
    assert not missing, (
        "URLs without a permission-matrix rule in tests/test_permission_matrix.py: " + ", ".join(missing)
    )
    stale = sorted(set(RULES) - {r.name for r in routes})
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_every_parameterised_url_builds_its_kwargs():
    for route in walk():
        rule = RULES.get(route.name)
        if rule is not None and route.params:
            assert rule.kw is not None, f"{route.name} takes {route.params} but its rule builds no kwargs"


@pytest.fixture
def world(neike, waike, supervisor, caller, head_neike, head_waike, administrator, volunteer, desk):
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


def _user(persona, people):
    key = {"head_own": "head_neike", "head_other": "head_neike", "admin": "administrator"}.get(
        persona, persona
    )
    return people.get(key)


def _request(client, method: str, url: str) -> str:
    cache.clear()  # rate limits of the public forms count per IP in the cache
    cookies = copy.deepcopy(client.cookies)  # a logout or language switch must not leak into the next request
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            transaction.set_rollback(True)
    except Exception as exc:
        return f"500({type(exc).__name__}: {exc})"
    finally:
        client.cookies = cookies
    return str(response.status_code)


def observe(persona: str, world: dict, people: dict, client) -> dict[tuple[str, str], tuple[str, str]]:
    """{(url name, method): (url, status)} for one persona."""
    user = _user(persona, people)
    objs = world["WK"] if persona == "head_other" else world["NK"]
    client.logout()
    if user is not None:
        client.force_login(user)
    seen = {}
    for route in walk():
        rule = RULES.get(route.name)
        if rule is None:
            continue
        kwargs = rule.kw(objs, world["shared"]) if rule.kw else {}
        url = reverse(route.name, kwargs=kwargs)
        for method in ("GET", "POST"):
            if rule.expected(method)[persona] == "-":
                continue
            seen[(route.name, method)] = (url, _request(client, method, url))
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_url_answers_each_persona_as_its_rule_says(
    persona, world, client, supervisor, caller, head_neike, administrator, volunteer, desk
):
    people = {
        "supervisor": supervisor,
        "caller": caller,
        "head_neike": head_neike,
        "administrator": administrator,
        "volunteer": volunteer,
        "desk": desk,
    }
    seen = observe(persona, world, people, client)
    if os.environ.get("MATRIX_RECORD"):
        import json

        with open(os.environ["MATRIX_RECORD"] + f".{persona}.json", "w") as out:
            json.dump({f"{name}|{method}": status for (name, method), (_url, status) in seen.items()}, out)
    wrong = [
        f"{method} {url} [{name}] as {persona}: expected {RULES[name].expected(method)[persona]}, got {status}"
        for (name, method), (url, status) in sorted(seen.items())
        if status != RULES[name].expected(method)[persona]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_table_in_docs_security_md_is_the_rules():
    from tests.matrix.table import DOC, block

    assert block() in DOC.read_text(encoding="utf-8"), (
        "docs/security.md shows an old permission matrix: run `DEBUG=1 .venv/bin/python -m tests.matrix.table --write`"
    )

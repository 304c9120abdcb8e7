"""Journey: result taps on the tablet checklist leave the browser console free of Content-Security-Policy
violations (a front-end monitor would otherwise flag every round).

The page itself has no inline style; what broke the policy was htmx's settling, which copies each
swapped element's old ``style`` attribute onto its replacement with ``setAttribute`` — a blocked inline
style whenever something had touched the old element's style through the CSSOM (a screenshot hides the
caret that way, as do password managers and spelling extensions). base.html's ``htmx-config`` leaves
``style`` out of the attributes htmx settles."""

from __future__ import annotations

from inspections.models import Answer, ItemKind
from supervision.models import Role
from tests.factories import DepartmentFactory, UserFactory
from tests.inspections.factories import make_template, start_round

from .conftest import journey_marks

pytestmark = journey_marks()

# Collects every violation the page reports, with the element it concerns.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  e.violatedDirective + " " + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 200) : "")));
"""
# What a screenshot or a browser extension does to the inputs: a style set and cleared through the CSSOM,
# which leaves an empty style attribute behind.
TOUCH_INPUTS = """
document.querySelectorAll("input, textarea").forEach((el) => {
  el.style.caretColor = "transparent"; el.style.removeProperty("caret-color");
});
"""


def test_result_taps_on_the_checklist_log_no_csp_violation(session_for, shots, roles_groups):
    dept = DepartmentFactory(code="NK", name="内科")
    user = UserFactory(username="walker", roles=[Role.SUPERVISOR])
    kinds = (("attitude", ItemKind.CHECK), ("attitude", ItemKind.CHECK), ("hygiene", ItemKind.CHECK))
    rnd = start_round(actor=user, department=dept, template=make_template(items=kinds))
    page = session_for(user)
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(LISTEN)
    page.goto(rnd.get_absolute_url())
    shots(page, "checklist")
    for item in rnd.template.items.order_by("sort_order"):
        for result in ("fail", "pass", "na"):
            page.evaluate(TOUCH_INPUTS)
            with page.expect_response(lambda r, pk=item.pk: f"/items/{pk}/" in r.url):
                page.click(f"label[for=r{item.pk}-{result}]")
            page.wait_for_selector(f"#result-{item.pk} #r{item.pk}-{result}:checked")
            page.wait_for_timeout(100)  # htmx settles 20 ms after the swap: its attribute copies come then
    shots(page, "checklist-answered")
    assert Answer.objects.filter(round=rnd, result="na").count() == 3
    assert page.evaluate("() => window.__csp") == []
    assert not [c for c in console if "Content Security Policy" in c], console

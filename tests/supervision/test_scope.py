"""The one Scope per request (supervision.access.Scope) and the {% may %} tag that reads the views' rules."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from complaints.models import ComplaintAction
from supervision import access
from supervision.access import NOBODY, PUBLIC, Scope, scope_of
from supervision.infra import figcache
from supervision.models import Finding, OrderAction, OrderStatus, RectificationOrder, Role
from supervision.workflow import allowed_actions
from tests.factories import UserFactory, make_finding
from tests.matrix.walk import walk
from tests.test_permission_matrix import PERSONAS, RULES

pytestmark = pytest.mark.django_db

SIGNED_IN = ["supervisor", "caller", "head_neike", "administrator", "volunteer"]


# --- the scope of each persona -------------------------------------------------------------------


def test_supervisors_and_administrators_see_every_department(supervisor, administrator, neike):
    for user in (supervisor, administrator):
        s = user.scope
        assert s.all_departments and s.departments is None
        assert s.sees_department(neike.pk)
        assert not s.owns_rows


def test_a_head_sees_exactly_their_own_departments(head_neike, neike, waike):
    s = head_neike.scope
    assert not s.all_departments
    assert s.department_ids == {neike.pk}
    assert s.departments == [neike.pk]
    assert s.sees_department(neike.pk) and not s.sees_department(waike.pk)
    assert s.roles == {Role.DEPT_HEAD}


def test_volunteers_and_callers_see_no_department_but_their_own_rows(volunteer, caller, neike):
    for user in (volunteer, caller):
        s = user.scope
        assert s.departments == [] and not s.sees_department(neike.pk)
        assert s.owns_rows and s.user_id == user.pk


def test_department_links_give_nothing_to_a_role_that_does_not_work_by_department(neike):
    # Only heads work by department: a volunteer linked to 内科 by mistake still sees only their own.
    linked = UserFactory(username="linked-volunteer", roles=[Role.VOLUNTEER], head_of=[neike])
    assert linked.scope.department_ids == frozenset()


def test_anonymous_inactive_and_no_user_have_scopes_of_their_own(supervisor):
    supervisor.is_active = False
    assert Scope.for_user(supervisor) == NOBODY
    assert scope_of(AnonymousUser()) == NOBODY
    assert scope_of(None) is PUBLIC
    assert NOBODY.cache_key != PUBLIC.cache_key


def test_the_scope_is_built_once_per_user_object_and_costs_no_query_after(
    head_neike, django_assert_num_queries
):
    first = head_neike.scope
    first.department_ids  # noqa: B018 — load them once
    with django_assert_num_queries(0):
        assert head_neike.scope is first
        assert scope_of(head_neike) is first
        assert first.department_ids


def test_a_scope_for_a_task_is_the_same_value_as_the_requests(head_neike):
    from supervision.models import User

    fresh = User.objects.get(pk=head_neike.pk)  # as a Celery task loads it by id
    assert Scope.for_user(fresh) == head_neike.scope
    assert Scope.for_user(fresh).cache_key == head_neike.scope.cache_key


def test_a_scope_of_known_departments_loads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        s = Scope(user_id=7, roles=frozenset({Role.DEPT_HEAD}), linked_departments={3, 1})
        assert s.departments == [1, 3]


def test_a_department_picker_offers_a_head_their_own_and_everyone_else_every_department(
    supervisor, head_neike, caller, volunteer, neike, waike
):
    from supervision.models import Department

    everything = Department.objects.all()
    assert set(head_neike.scope.department_choices(everything)) == {neike}
    # The office sees every department; a caller's or volunteer's own rows may be in any of them.
    for user in (supervisor, caller, volunteer):
        assert set(user.scope.department_choices(everything)) == {neike, waike}


# --- rows ------------------------------------------------------------------------------------------


def test_filter_gives_each_persona_its_rows(supervisor, head_neike, volunteer, caller, neike, waike):
    mine = make_finding(department=neike, found_by=supervisor)
    theirs = make_finding(department=waike, found_by=supervisor)
    own = make_finding(department=waike, found_by=volunteer)
    qs = Finding.objects.all()
    assert set(supervisor.scope.filter(qs)) == {mine, theirs, own}
    assert set(head_neike.scope.filter(qs, owner_field="found_by")) == {mine}
    assert set(volunteer.scope.filter(qs, owner_field="found_by")) == {own}
    assert set(caller.scope.filter(qs, owner_field="found_by")) == set()
    assert set(NOBODY.filter(qs)) == set()


def test_get_or_404_answers_another_departments_object_with_404(head_neike, supervisor, waike):
    from django.http import Http404

    theirs = make_finding(department=waike, found_by=supervisor)
    with pytest.raises(Http404):
        head_neike.scope.get_or_404(Finding.objects.all(), pk=theirs.pk)


# --- cache keys ------------------------------------------------------------------------------------


def test_cache_keys_are_equal_for_equal_department_sets_and_differ_otherwise(head_neike, neike, waike):
    same = UserFactory(username="head-neike-2", roles=[Role.DEPT_HEAD], head_of=[neike])
    both = UserFactory(username="head-both", roles=[Role.DEPT_HEAD], head_of=[waike, neike])
    both_again = UserFactory(username="head-both-2", roles=[Role.DEPT_HEAD], head_of=[neike, waike])
    other = UserFactory(username="head-waike-2", roles=[Role.DEPT_HEAD], head_of=[waike])
    assert same.scope.cache_key == head_neike.scope.cache_key
    assert both.scope.cache_key == both_again.scope.cache_key
    keys = {head_neike.scope.cache_key, both.scope.cache_key, other.scope.cache_key}
    assert len(keys) == 3


def test_cache_keys_differ_between_roles_and_between_owners(supervisor, administrator, volunteer, caller):
    second = UserFactory(username="volunteer-2", roles=[Role.VOLUNTEER])
    keys = [u.scope.cache_key for u in (supervisor, administrator, volunteer, caller, second)]
    assert len(set(keys)) == len(keys)


def test_the_figure_cache_key_is_the_scopes(head_neike, neike):
    # The figure cache has no scope rule of its own: a user and their Scope give the same key.
    assert figcache.figures_key("x", user=head_neike) == figcache.figures_key("x", user=head_neike.scope)
    same = UserFactory(username="head-neike-2", roles=[Role.DEPT_HEAD], head_of=[neike])
    assert figcache.figures_key("x", user=same) == figcache.figures_key("x", user=head_neike)


# --- capabilities: may() is the views' own rule ------------------------------------------------------


def _people(request):
    return {p: request.getfixturevalue(p) for p in SIGNED_IN}


def _persona_column(name: str) -> str:
    return {"head_neike": "head_own", "administrator": "admin"}.get(name, name)


def test_may_agrees_with_the_permission_matrix_for_every_url(request):
    """For every URL whose view declares its roles: ``may`` is False exactly where the matrix
    expects a role refusal (403 for GET and POST), and ``may(method="POST")`` False only where the
    matrix expects 403 for POST."""
    people = _people(request)
    checked = 0
    for route in walk():
        rule = RULES[route.name]
        declared = hasattr(access._view(route.name), "required_roles")
        for name, user in people.items():
            column = _persona_column(name)
            get, post = rule.expected("GET")[column], rule.expected("POST")[column]
            refused = get == "403" and post == "403"
            if not declared:
                # A page that refuses a role must say so with role_required, or templates cannot ask.
                assert not refused, f"{route.name} refuses {name} but has no role_required rule"
                continue
            assert access.may(user, route.name) is not refused, (route.name, name)
            if not access.may(user, route.name, method="POST"):
                assert post == "403", (route.name, name)
            checked += 1
    assert checked > 300
    assert set(PERSONAS) >= {_persona_column(p) for p in SIGNED_IN}


def test_a_page_others_read_but_only_supervisors_change_says_so_for_post(
    client_for, supervisor, administrator
):
    for url_name in (
        "followups:roster",
        "followups:spotcheck_list",
        "inspections:plan",
        "inspections:sample_list",
    ):
        assert access.may(administrator, url_name) and not access.may(administrator, url_name, method="POST")
        assert access.may(supervisor, url_name, method="POST")
        assert client_for(administrator).post(reverse(url_name), {}).status_code == 403


def test_may_refuses_anonymous_and_asks_for_a_declared_rule(supervisor):
    assert access.may(AnonymousUser(), "finding_create") is False
    assert access.may(None, "finding_create") is False
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        access.may(supervisor, "no_such_page")
    with pytest.raises(ImproperlyConfigured):
        access.may(supervisor, "notification_list")  # login_required only: no role rule to read


def _render(source: str, user, **context) -> str:
    return Template("{% load ducha %}" + source).render(Context({"user": user, **context})).strip()


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_tag_shows_new_finding_exactly_to_those_the_create_view_admits(client_for, request, persona):
    user = request.getfixturevalue(persona)
    shown = _render('{% may "finding_create" as ok %}{% if ok %}yes{% endif %}', user) == "yes"
    status = client_for(user).get(reverse("finding_create")).status_code
    assert shown is (status == 200)
    assert status in (200, 403)
    # And the pages that offer the button follow the same rule.
    page = client_for(user).get(reverse("finding_list")).content.decode()
    assert (f'href="{reverse("finding_create")}"' in page) is shown


STATES_FOR_ACTIONS = [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.SUBMITTED]


@pytest.mark.parametrize("persona", [*SIGNED_IN, "head_waike"])
def test_order_action_buttons_and_the_tag_agree_with_what_the_view_accepts(
    client_for, request, persona, neike
):
    user = request.getfixturevalue(persona)
    supervisor = request.getfixturevalue("supervisor")
    for state in STATES_FOR_ACTIONS:
        finding = make_finding(department=neike, found_by=supervisor)
        RectificationOrder.objects.filter(pk=finding.order.pk).update(status=state)
        order = RectificationOrder.objects.get(pk=finding.order.pk)
        page = client_for(user).get(reverse("finding_detail", args=[finding.pk])).content.decode()
        for action in OrderAction.values:
            if action == OrderAction.ISSUE:
                continue
            url = reverse("order_action", args=[order.pk, action])
            tag = _render(
                '{% may "order_action" order action=action as ok %}{{ ok }}', user, order=order, action=action
            )
            allowed = action in {a.name for a in allowed_actions(order, user)}
            assert tag == str(allowed), (persona, state, action)
            assert (url in page) is allowed, (persona, state, action)


@pytest.mark.parametrize("persona", [*SIGNED_IN, "head_waike"])
def test_complaint_action_buttons_and_the_tag_agree(client_for, request, persona, neike):
    from tests.complaints.factories import assigned, make_complaint

    user = request.getfixturevalue(persona)
    supervisor = request.getfixturevalue("supervisor")
    new = make_complaint(received_by=supervisor, department=neike)
    in_department = assigned(supervisor=supervisor, departments=[neike])
    for complaint in (new, in_department):
        page = client_for(user).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
        for action in ComplaintAction.values:
            tag = _render(
                '{% may "complaints:action" c action=action as ok %}{{ ok }}',
                user,
                c=complaint,
                action=action,
            )
            allowed = access.scope_of(user).may("complaints:action") and action in {
                a.name for a in allowed_actions(complaint, user)
            }
            assert tag == str(allowed), (persona, complaint.status, action)
            url = reverse("complaints:action", args=[complaint.pk, action])
            assert (url in page) is allowed, (persona, complaint.status, action)


# --- templates never name a role ---------------------------------------------------------------------


ROLE_LITERAL = re.compile("[\"'](" + "|".join(Role.values) + ")[\"']")


def _template_files():
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    roots = [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", [])]
    roots += [
        Path(a.path) / "templates"
        for a in apps.get_app_configs()
        if a.path.startswith(str(settings.BASE_DIR))
    ]
    return sorted({p for root in roots if root.is_dir() for p in root.rglob("*.html")})


def test_no_template_names_a_role():
    """A rule written in a template drifts from the view's: templates ask ``{% may %}`` instead.

    Allowed: showing the user's own roles (``Role.choices`` in the account menu) and the nav cache key.
    """
    role_check = re.compile(r"\bin user_roles\b|has_role|Role\.(?!choices\b)")
    files = _template_files()
    assert len(files) > 50, "the template walk found too few templates"
    offenders = [
        f"{path}:{n}: {line.strip()[:120]}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_LITERAL.search(line) or (role_check.search(line) and "Role.choices" not in line)
    ]
    assert not offenders, "templates naming roles (use {% may %}):\n" + "\n".join(offenders)


def test_the_role_grep_would_catch_a_role_literal():
    assert ROLE_LITERAL.search('{% if "dept_head" in user_roles %}')
    assert not ROLE_LITERAL.search("{% url 'followups:task_list' %}")

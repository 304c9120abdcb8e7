"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from supervision.models import (
    Category,
    Department,
    DepartmentKind,
    DischargeStay,
    Finding,
    FindingSource,
    Staff,
    StaffPosition,
    User,
)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"科室{n:03d}")
    kind = DepartmentKind.CLINICAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def head_of(self, create, extracted, **kwargs):
        if extracted:
            self.departments.set(extracted)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    department = factory.SubFactory(DepartmentFactory)
    position = StaffPosition.NURSE


def category(code: str = "attitude") -> Category:
    return Category.objects.get(code=code)


def make_finding(
    *, department, found_by, category_code="attitude", needs_rectification=True, deadline=None, **kw
) -> Finding:
    from supervision.services import finding_create

    return finding_create(
        source=kw.pop("source", FindingSource.INSPECTION),
        category=category(category_code),
        department=department,
        description=kw.pop("description", "护士态度生硬"),
        found_by=found_by,
        needs_rectification=needs_rectification,
        deadline=deadline or (timezone.localdate() + dt.timedelta(days=7)),
        **kw,
    )


class DischargeStayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DischargeStay

    admission_no = factory.Sequence(lambda n: f"ZY{n:07d}")
    patient_name = factory.Sequence(lambda n: f"患者{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    department = factory.SubFactory(DepartmentFactory)
    admitted_on = factory.LazyAttribute(lambda o: o.discharged_on - dt.timedelta(days=5))
    discharged_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))


def moment(name: str, value: dt.datetime | str) -> dict[str, str]:
    """The POST data of a date + 24-hour time field (supervision.forms.DateTimeField24) named ``name``
    (with its form prefix, if any): ``moment("found_at", "2026-11-20 09:30")`` →
    ``{"found_at_0": "2026-11-20", "found_at_1": "09:30"}``. An aware datetime is written as the
    current time zone's clock shows it, as a person would type it."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return {f"{name}_0": f"{value:%Y-%m-%d}", f"{name}_1": f"{value:%H:%M}"}
    date, _, time = value.replace("T", " ").partition(" ")
    return {f"{name}_0": date, f"{name}_1": time}

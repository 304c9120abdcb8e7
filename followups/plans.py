"""Follow-up plans: which plan a stay follows and the time points (occurrences) it gives.

A stay follows the most specific plan in force on its discharge day: a department's own plan
before the hospital-wide one, a plan for its diagnosis (ICD-10 code prefix or diagnosis text)
before the department's general one, the longer ICD prefix first. Of the versions of one plan
(same department, ICD prefix and diagnosis text) the latest with ``effective_from`` on or before
the discharge day counts; a version not in force stops the plan. A stay without a plan follows its
department policy's window: one time point (``policy_occurrence``).

Reads only: the writes (``plan_save``) and the queue that builds the tasks are in ``services``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import FollowupPlan, FollowupPolicy, PlanPoint, TaskMode


@dataclass(frozen=True)
class Occurrence:
    """One time point of one stay: the task it becomes."""

    point: int  # 1, 2, 3 … in time order
    start: dt.date
    end: dt.date
    day: int  # days after discharge the window opens
    mode: str
    max_attempts: int
    retry_spacing_hours: int
    questionnaire_code: str
    plan_point_id: int | None = None
    plan_id: int | None = None
    restart_on_readmission: bool = False


def _spans(point: PlanPoint) -> list[tuple[int, int]]:
    """(months, repetition index) of each repetition of a time point."""
    times = point.repeat_times if point.repeat_every_months else 1
    return [(i * point.repeat_every_months, i) for i in range(max(times, 1))]


def occurrences(plan: FollowupPlan, discharged_on: dt.date, points=None) -> list[Occurrence]:
    """The plan's time points for a stay discharged on ``discharged_on``, numbered in time order."""
    points = list(plan.points.all()) if points is None else points
    raw = []
    for p in points:
        for months, index in _spans(p):
            start = discharged_on + relativedelta(months=months) + dt.timedelta(days=p.day)
            raw.append((start, p.day, p.pk or 0, index, p))
    raw.sort(key=lambda r: r[:4])
    return [
        Occurrence(
            point=n,
            start=start,
            end=start + dt.timedelta(days=p.window_days),
            day=(start - discharged_on).days,
            mode=p.mode,
            max_attempts=p.max_attempts,
            retry_spacing_hours=p.retry_spacing_hours,
            questionnaire_code=p.questionnaire_code,
            plan_point_id=p.pk,
            plan_id=plan.pk,
            restart_on_readmission=plan.restart_on_readmission,
        )
        for n, (start, _day, _pk, _i, p) in enumerate(raw, start=1)
    ]


def policy_occurrence(policy: FollowupPolicy, discharged_on: dt.date) -> Occurrence:
    """A stay without a plan: its department policy's window is its one time point."""
    return Occurrence(
        point=1,
        start=discharged_on + dt.timedelta(days=policy.window_start_day),
        end=discharged_on + dt.timedelta(days=policy.window_end_day),
        day=policy.window_start_day,
        mode=TaskMode.PHONE,
        max_attempts=policy.max_attempts,
        retry_spacing_hours=policy.retry_spacing_hours,
        questionnaire_code=policy.questionnaire_code,
    )


def plans_index() -> list[FollowupPlan]:
    """Every plan version with its points: a small table, read once per queue build."""
    return list(
        FollowupPlan.objects.prefetch_related(Prefetch("points", PlanPoint.objects.order_by("day", "id")))
        .select_related("department")
        .order_by("effective_from", "id")
    )


def plan_key(plan: FollowupPlan) -> tuple:
    return (plan.department_id, plan.icd_prefix.upper(), plan.diagnosis_text)


def _specificity(plan: FollowupPlan) -> tuple:
    return (
        plan.department_id is not None,
        bool(plan.icd_prefix),
        len(plan.icd_prefix),
        len(plan.diagnosis_text),
    )


def plan_for(
    *, department_id: int, code: str, diagnosis: str, discharged_on: dt.date, plans: list[FollowupPlan]
) -> FollowupPlan | None:
    """The plan a stay follows (None: its department policy's single window)."""
    latest: dict[tuple, FollowupPlan] = {}
    for plan in plans:  # ordered by effective_from: a later version replaces an earlier one
        if plan.department_id not in (None, department_id) or plan.effective_from > discharged_on:
            continue
        latest[plan_key(plan)] = plan
    best = None
    for plan in latest.values():
        if (
            plan.active
            and plan.matches(code, diagnosis)
            and (best is None or _specificity(plan) > _specificity(best))
        ):
            best = plan
    return best


class Schedules:
    """The time points of many stays, one plan lookup per (department, code, diagnosis, day)."""

    def __init__(self, policies: dict, plans: list[FollowupPlan] | None = None):
        self.policies = policies
        self.plans = plans_index() if plans is None else plans
        self._cache: dict[tuple, list[Occurrence]] = {}

    def policy(self, department_id: int) -> FollowupPolicy:
        return self.policies.get(department_id) or self.policies[None]

    def of(
        self, *, department_id: int, code: str, diagnosis: str, discharged_on: dt.date
    ) -> list[Occurrence]:
        key = (department_id, code, diagnosis, discharged_on)
        if key not in self._cache:
            plan = plan_for(
                department_id=department_id,
                code=code,
                diagnosis=diagnosis,
                discharged_on=discharged_on,
                plans=self.plans,
            )
            self._cache[key] = (
                occurrences(plan, discharged_on)
                if plan is not None and plan.points.all()
                else [policy_occurrence(self.policy(department_id), discharged_on)]
            )
        return self._cache[key]

    def of_stay(self, stay) -> list[Occurrence]:
        return self.of(
            department_id=stay.department_id,
            code=stay.diagnosis_code,
            diagnosis=stay.diagnosis,
            discharged_on=stay.discharged_on,
        )

    def first_point_days(self) -> tuple[int, int]:
        """(earliest first day, latest last day) of any first time point: the draw's discharge range."""
        starts, ends = [], []
        for policy in self.policies.values():
            starts.append(policy.window_start_day)
            ends.append(policy.window_end_day)
        for plan in self.plans:
            points = list(plan.points.all())
            if points:
                first = min(points, key=lambda p: p.day)
                starts.append(first.day)
                ends.append(first.day + first.window_days)
        return min(starts), max(ends)

    def later_point_dates(self, day: dt.date) -> set[dt.date]:
        """Discharge days whose later time points (2, 3 …) of some plan may be due on ``day``.

        Months do not invert exactly (31 March − 1 month), so each range is widened by 3 days;
        the exact window of each stay is checked afterwards."""
        dates: set[dt.date] = set()
        for plan in self.plans:
            points = list(plan.points.all())
            if not points:
                continue
            first = min((p.day, p.pk or 0) for p in points)
            for p in points:
                for months, index in _spans(p):
                    if (p.day, p.pk or 0) == first and index == 0:
                        continue
                    base = day - relativedelta(months=months)
                    low = base - dt.timedelta(days=p.day + p.window_days + 3)
                    high = base - dt.timedelta(days=p.day - 3)
                    dates.update(low + dt.timedelta(days=i) for i in range((high - low).days + 1))
        return dates


# --- validation ------------------------------------------------------------------------------------

# Overlaps are checked for stays discharged on every day of a leap year and the next: months of
# 28 to 31 days move repetitions, and two windows must stay apart for every discharge day.
_REFERENCE_DAYS = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(731)]


def plan_problems(points: list[PlanPoint]) -> list[str]:
    """Why these time points cannot be a plan, in the user's language (empty: they can)."""
    problems = []
    if not points:
        return [_("A plan needs at least one time point.")]
    for n, p in enumerate(points, start=1):
        if p.day < 1:
            problems.append(
                _(
                    "Time point %(n)s opens on day %(day)s: a time point must come after discharge "
                    "(day 1 or later)."
                )
                % {"n": n, "day": p.day}
            )
        if p.repeat_times > 1 and not p.repeat_every_months:
            problems.append(
                _("Time point %(n)s repeats %(times)s times: give the months between the repetitions.")
                % {"n": n, "times": p.repeat_times}
            )
    if problems:
        return problems
    numbered = list(enumerate(points, start=1))
    for discharged_on in _REFERENCE_DAYS:
        windows = []
        for n, p in numbered:
            for months, _index in _spans(p):
                start = discharged_on + relativedelta(months=months) + dt.timedelta(days=p.day)
                windows.append((start, start + dt.timedelta(days=p.window_days), n))
        windows.sort()
        for (a_start, a_end, a), (b_start, b_end, b) in itertools.pairwise(windows):
            if b_start <= a_end and a == b:
                return [
                    _(
                        "The repetitions of time point %(n)s overlap: its window is longer than the "
                        "months between them. Shorten the window."
                    )
                    % {"n": a}
                ]
            if b_start <= a_end:
                return [
                    _(
                        "The windows of time points %(a)s and %(b)s overlap (days %(a_start)s–%(a_end)s "
                        "and %(b_start)s–%(b_end)s after discharge): a patient would be contacted twice "
                        "at once. Move one or shorten its window."
                    )
                    % {
                        "a": min(a, b),
                        "b": max(a, b),
                        "a_start": (a_start - discharged_on).days,
                        "a_end": (a_end - discharged_on).days,
                        "b_start": (b_start - discharged_on).days,
                        "b_end": (b_end - discharged_on).days,
                    }
                ]
    return []

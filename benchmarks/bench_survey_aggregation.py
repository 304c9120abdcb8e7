#!/usr/bin/env python
"""Time the satisfaction selectors over N generated responses in the configured database.

    .venv/bin/python benchmarks/bench_survey_aggregation.py 100000 [--keep]

Generates N responses (a benchmark questionnaire of 8 scale items in 6 dimensions, a yes/no,
a comment on 10 % of forms, a praise on 5 %) spread over the last 24 months and 10 departments,
times ``surveys.selectors.results`` (everything the results page shows) 5 times, and prints
JSON: rows, answers, seconds median/min/max, queries per run. The generated rows are removed
afterwards unless --keep is given. Uses DATABASE_URL like the app (SQLite by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from supervision.models import Department, DepartmentKind  # noqa: E402
from surveys import selectors  # noqa: E402
from surveys.models import (  # noqa: E402
    DIMENSION_COUNTS,
    Answer,
    Channel,
    Dimension,
    Praise,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Section,
    SurveyResponse,
)

CODE = "bench-aggregation"
BATCH = 5000
DIMENSIONS = [
    Dimension.ENVIRONMENT,
    Dimension.SKILL,
    Dimension.SKILL,
    Dimension.ATTITUDE,
    Dimension.ATTITUDE,
    Dimension.LOGISTICS,
    Dimension.COST,
    Dimension.WAITING,
]


def questionnaire() -> tuple[Questionnaire, list[Question], Question, Question]:
    q = Questionnaire.objects.create(
        code=CODE,
        version=1,
        title="benchmark",
        status=QuestionnaireStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    sections = {
        d: Section.objects.create(questionnaire=q, title=d, dimension=d, order=i)
        for i, d in enumerate(Dimension.values)
    }
    scale = [
        Question.objects.create(
            questionnaire=q,
            section=sections[d],
            kind=QuestionKind.SCALE,
            text=f"s{i}",
            required=i < 2,
            order=i,
        )
        for i, d in enumerate(DIMENSIONS)
    ]
    text = Question.objects.create(
        questionnaire=q, section=sections[Dimension.OVERALL], kind=QuestionKind.TEXT, text="t", order=20
    )
    praise = Question.objects.create(
        questionnaire=q, section=sections[Dimension.OVERALL], kind=QuestionKind.PRAISE, text="p", order=21
    )
    return q, scale, text, praise


def departments() -> list[Department]:
    found = list(Department.objects.filter(active=True)[:10])
    for i in range(len(found), 10):
        found.append(
            Department.objects.get_or_create(
                code=f"BENCH{i}", defaults={"name": f"基准科室{i}", "kind": DepartmentKind.CLINICAL}
            )[0]
        )
    return found


def generate(n: int, rng: random.Random) -> int:
    q, scale, text, praise = questionnaire()
    depts = departments()
    today = timezone.localdate()
    answers_written = 0
    with transaction.atomic():
        for offset in range(0, n, BATCH):
            size = min(BATCH, n - offset)
            responses, plans = [], []
            for _ in range(size):
                day = today - dt.timedelta(days=rng.randrange(730))
                dept = rng.choice(depts)
                values = [
                    rng.choices((5, 4, 3, 2, 1), weights=(45, 35, 12, 5, 3))[0]
                    if rng.random() > 0.05
                    else None
                    for _ in scale
                ]
                values[0] = values[0] or 4
                answered = [v for v in values if v is not None]
                valid = values[1] is not None
                # What response_submit keeps per dimension: a valid form's scale answers and satisfied ones.
                per_dimension = {}
                for question, value in zip(scale, values, strict=True):
                    if valid and value is not None:
                        counted, satisfied = DIMENSION_COUNTS[question.section.dimension]
                        per_dimension[counted] = per_dimension.get(counted, 0) + 1
                        per_dimension[satisfied] = per_dimension.get(satisfied, 0) + (value >= 4)
                responses.append(
                    SurveyResponse(
                        questionnaire=q,
                        department=dept,
                        channel=rng.choice(Channel.values),
                        submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
                        submitted_on=day,
                        is_valid=valid,
                        scale_answered=len(answered),
                        scale_satisfied=sum(v >= 4 for v in answered),
                        low_count=sum(v <= 2 for v in answered),
                        has_comment=rng.random() < 0.1,
                        **per_dimension,
                    )
                )
                plans.append((values, valid))
            responses = SurveyResponse.objects.bulk_create(responses, batch_size=1000)
            rows, praises = [], []
            for r, (values, valid) in zip(responses, plans, strict=True):
                common = {
                    "response_id": r.pk,
                    "department_id": r.department_id,
                    "submitted_on": r.submitted_on,
                    "counted": valid,
                }
                for question, value in zip(scale, values, strict=True):
                    if value is not None:
                        rows.append(
                            Answer(
                                question=question,
                                dimension=question.section.dimension,
                                scale_value=value,
                                **common,
                            )
                        )
                if r.has_comment:
                    rows.append(
                        Answer(question=text, dimension=Dimension.OVERALL, text_value="希望改进", **common)
                    )
                if rng.random() < 0.05:
                    praises.append(
                        Praise(
                            response_id=r.pk,
                            question=praise,
                            department_id=r.department_id,
                            submitted_on=r.submitted_on,
                            typed_name="某护士",
                        )
                    )
            Answer.objects.bulk_create(rows, batch_size=2000)
            Praise.objects.bulk_create(praises, batch_size=2000)
            answers_written += len(rows)
    return answers_written


def cleanup() -> None:
    with transaction.atomic():
        responses = SurveyResponse.objects.filter(questionnaire__code=CODE)
        Praise.objects.filter(response__in=responses).delete()
        Answer.objects.filter(response__in=responses).delete()
        responses.delete()
        Questionnaire.objects.filter(code=CODE).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of responses to generate")
    parser.add_argument("--keep", action="store_true", help="keep the generated rows")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cleanup()
    started = time.perf_counter()
    answers = generate(args.n, random.Random(args.seed))
    generated = time.perf_counter() - started
    end = timezone.localdate()
    start = end - dt.timedelta(days=365)
    timings, queries = [], []
    try:
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                selectors.results(start=start, end=end)
                timings.append(time.perf_counter() - t0)
            queries.append(len(ctx.captured_queries))
    finally:
        if not args.keep:
            cleanup()
    print(
        json.dumps(
            {
                "rows": args.n,
                "answers": answers,
                "database": connection.vendor,
                "generate_seconds": round(generated, 2),
                "period_days": 365,
                "seconds": {
                    "median": round(statistics.median(timings), 4),
                    "min": round(min(timings), 4),
                    "max": round(max(timings), 4),
                },
                "queries_per_run": queries[0],
            }
        )
    )


if __name__ == "__main__":
    main()

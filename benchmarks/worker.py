"""Django-side helpers of benchmarks/run.py, run as a subprocess against one database.

    DATABASE_URL=... .venv/bin/python benchmarks/worker.py sessions
    DATABASE_URL=... .venv/bin/python benchmarks/worker.py queue [--discharges 1000] [--repeats 5]
    DATABASE_URL=... .venv/bin/python benchmarks/worker.py plan_queue [--per-day 685] [--repeats 5]
    DATABASE_URL=... .venv/bin/python benchmarks/worker.py counts
    DATABASE_URL=... .venv/bin/python benchmarks/worker.py explain [--top 8]
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=benchmarks.settings BENCH_LOGINS='<sessions output>' .venv/bin/python benchmarks/worker.py inprocess

Each prints one JSON document on stdout.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

ROLE_USERS = {"supervisor": "supervisor", "caller": "caller1", "head": None, "admin": "admin"}
# The API's figure endpoints are called with a key, not a session (``sessions()``).
API_PERSONA = "api"
BENCH_API_KEY_NAME = "benchmark (benchmarks/worker.py)"


def _head_username() -> str:
    """The head of the clinical department with the most orders (the heaviest head dashboard)."""
    from django.db.models import Count

    from supervision.models import RectificationOrder, User

    top = RectificationOrder.objects.values("department_id").annotate(n=Count("id")).order_by("-n").first()
    user = (
        User.objects.filter(departments=top["department_id"], groups__name="dept_head").first()
        if top
        else None
    )
    user = user or User.objects.filter(username__startswith="head-").order_by("id").first()
    return user.username


def _fixtures(supervisor) -> dict:
    """What the rows of the pages added by issues 17–26 open, made through the services when the data
    set has none, and reused: the written summary of the last complete quarter (the editor's page),
    the roster member with the most attributions this year (the heaviest per-person record) and the period the
    API's figure endpoints are asked for (this year to date, as the dashboards show)."""
    from django.db.models import Count, Q

    from reports.periods import written_bounds
    from reports.services import summary_create
    from supervision.models import Staff

    today = timezone.localdate()
    quarter = (today.month - 1) // 3  # the current quarter's index; the last complete one is before it
    year = today.year if quarter else today.year - 1
    start, end = written_bounds(year, f"q{quarter or 4}")
    with transaction.atomic():
        summary = summary_create(start=start, end=end, departments=(), actor=supervisor)
    # The heaviest record as the page shows it: the most attributions of this year, the record's
    # period. "The most of all time" picked, at five years, someone whose rows lay mostly in other
    # years (huge: 74 in all, 14 this year, where the busiest this year has 19; large: 22 either way).
    this_year = dt.datetime.combine(
        today.replace(month=1, day=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    person = (
        Staff.objects.annotate(
            n=Count("attributions", filter=Q(attributions__finding__found_at__gte=this_year))
        )
        .order_by("-n", "pk")
        .first()
    )
    return {
        "summary": summary.pk,
        "person": person.pk if person else 0,
        "year_start": today.replace(month=1, day=1).isoformat(),
        "today": today.isoformat(),
    }


def _api_key() -> str:
    """A key reading figures for the API persona, issued anew on each run (only its hash is kept),
    with a rate limit the load never reaches: a 429 would measure the throttle, not the endpoint."""
    from api.models import ApiKey, ApiScope
    from api.services import api_key_issue

    ApiKey.objects.filter(name=BENCH_API_KEY_NAME).update(active=False)
    key = ApiKey(name=BENCH_API_KEY_NAME, scopes=[ApiScope.FIGURES_READ], rate_limit=10_000_000)
    return api_key_issue(key=key)


def sessions() -> dict:
    """One persona per role (a session cookie each) and the API persona (a key), with the ids the
    pages' paths need (``benchmarks.run.PAGES``: ``{summary}``, ``{person}`` …)."""
    from django.contrib.sessions.backends.db import SessionStore

    from supervision.models import User

    out = {}
    for role, username in ROLE_USERS.items():
        user = User.objects.get(username=username or _head_username())
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(4 * 3600)
        store.create()
        store.save()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
        out[role] = {"cookie": cookie, "header": f"Cookie: {cookie}", "username": user.username}
    out[API_PERSONA] = {"header": f"Authorization: Bearer {_api_key()}", "username": "API key"}
    return {"personas": out, "params": _fixtures(User.objects.get(username=ROLE_USERS["supervisor"]))}


def inprocess(repeats: int, logins: dict) -> dict:
    """Each bench page's cost with nothing else running: median wall time of one request at a time.

    Measured through Django's test client in this process (no server, no concurrency), so it is the
    page's own Python and SQL time. Read against the calibration pages under load, it tells how far
    a page is from the targets on this machine. ``logins`` is ``sessions()``' output: the API key
    and the pages' ids (the web personas log in here).
    """
    from django.test import Client

    from benchmarks.run import PAGES
    from supervision.models import User

    clients = {}
    for role, username in ROLE_USERS.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username or _head_username()))
        clients[role] = client
    api_header = logins["personas"][API_PERSONA]["header"].split(": ", 1)[1]
    clients[API_PERSONA] = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=api_header)
    out = {}
    for name, role, path in PAGES:
        client = clients[role]
        path = path.format(**logins["params"])
        for _ in range(3):  # warm: first-use imports, template loading, the row and figure caches
            client.get(path)
        times, cpu = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            # This thread's CPU: steadier than wall time on a shared machine, without the wait for
            # the database (which wall time includes).
            cpu.append((time.thread_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        out[name] = {
            "ms": statistics.median(times),
            "min_ms": min(times),
            "cpu_ms": statistics.median(cpu),
            "queries": len(queries),
            "status": response.status_code,
        }
    return out


def frame(repeats: int) -> dict:
    """Where the logged-in empty page's time goes (issue 23), measured inside real requests.

    The empty page (benchmarks/urls.py, ``base.html`` with nothing in it) and the trivial view are
    requested through the test client as the supervisor, one at a time; the frame's parts are
    wrapped with timers for this process only (never in the product): the session load, the user's
    row, the roles, each context processor, the template's tags, the cached navigation. Each part's
    median per request, in wall and in this thread's CPU milliseconds (the machine is shared: CPU
    time is the steadier figure; a query's wait for PostgreSQL shows only in wall time).
    """
    from functools import cached_property

    from django.contrib import auth
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends.db import SessionStore
    from django.template import defaulttags, engines, loader_tags
    from django.template.backends.django import Template as BackendTemplate
    from django.templatetags import cache as cache_tags
    from django.templatetags import i18n as i18n_tags
    from django.templatetags import static as static_tags
    from django.test import Client

    from supervision import channels, context_processors
    from supervision.models import User
    from supervision.templatetags import ducha as ducha_tags

    spent: dict[str, list[float]] = {}  # part -> [wall ms, cpu ms] of the current request

    def timed(part, fn):
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                acc = spent.setdefault(part, [0.0, 0.0])
                acc[0] += (time.perf_counter() - wall) * 1000
                acc[1] += (time.thread_time() - cpu) * 1000

        return wrapper

    patches = [
        (SessionStore, "load", "session load (1 query)"),
        (ModelBackend, "get_user", "auth: the user's row (1 query)"),
        (auth, "get_user", "auth: session + user + session hash check"),
        (static_tags.StaticNode, "render", "template: {% static %}"),
        (defaulttags.URLNode, "render", "template: {% url %}"),
        (ducha_tags, "_static", "template: {% static_once %} (stylesheets, scripts)"),
        (ducha_tags, "_reverse", "template: {% url_once %} (the navbar's fixed pages)"),
        (defaulttags.CsrfTokenNode, "render", "template: {% csrf_token %} ×2"),
        (i18n_tags.TranslateNode, "render", "template: {% translate %}"),
        (cache_tags.CacheNode, "render", "template: {% cache %}"),
        (loader_tags.IncludeNode, "render", "template: {% include %}"),
        (context_processors, "navigation", "navigation: menus and role names (drawn once per process)"),
    ]
    saved = []
    for owner, name, part in patches:
        original = owner.__dict__[name]
        saved.append((owner, name, original))
        setattr(owner, name, timed(part, original))
    roles = cached_property(timed("roles: the user's groups (1 query)", User.roles.func))
    roles.__set_name__(User, "roles")
    saved.append((User, "roles", User.__dict__["roles"]))
    User.roles = roles
    engine = engines["django"].engine
    processors = engine.template_context_processors
    engine.__dict__["template_context_processors"] = tuple(
        timed(f"context processor: {p.__module__}.{p.__name__}", p) for p in processors
    )
    saved.append((BackendTemplate, "render", BackendTemplate.__dict__["render"]))
    BackendTemplate.render = timed("template render (with the context processors)", BackendTemplate.render)
    try:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=ROLE_USERS["supervisor"]))
        per_part: dict[str, dict[str, list[float]]] = {}
        totals: dict[str, dict[str, list[float]]] = {
            "trivial": {"wall": [], "cpu": []},
            "empty": {"wall": [], "cpu": []},
        }
        for _ in range(5):
            client.get("/__bench__/empty")
            client.get("/__bench__/trivial")
        for _ in range(repeats):
            for kind, path in (("trivial", "/__bench__/trivial"), ("empty", "/__bench__/empty")):
                spent.clear()
                wall, cpu = time.perf_counter(), time.thread_time()
                with CaptureQueriesContext(connection) as queries:
                    client.get(path)
                totals[kind]["wall"].append((time.perf_counter() - wall) * 1000)
                totals[kind]["cpu"].append((time.thread_time() - cpu) * 1000)
                totals[kind].setdefault("queries", []).append(len(queries))
                if kind == "empty":
                    for part in {*spent, *per_part}:
                        w, c = spent.get(part, (0.0, 0.0))
                        slot = per_part.setdefault(part, {"wall": [], "cpu": []})
                        slot["wall"].append(w)
                        slot["cpu"].append(c)
        # The menus worked out anew (once per process for each set of roles and language), timed apart.
        user = User.objects.get(username=ROLE_USERS["supervisor"])
        nav = []
        for _ in range(repeats):
            wall = time.perf_counter()
            channels.nav_menus(user)
            nav.append((time.perf_counter() - wall) * 1000)
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        engine.__dict__["template_context_processors"] = processors

    def med(values):
        return round(statistics.median(values), 3) if values else 0.0

    return {
        "repeats": repeats,
        "trivial": {k: med(v) for k, v in totals["trivial"].items()},
        "empty": {k: med(v) for k, v in totals["empty"].items()},
        "parts": {
            part: {"wall": med(v["wall"]), "cpu": med(v["cpu"])} for part, v in sorted(per_part.items())
        },
        "nav_menus_miss_ms": med(nav),
    }


def queue(discharges: int, repeats: int) -> dict:
    """Build a day's call queue for ``discharges`` fresh stays on the full data set, rolled back each time."""
    from followups import services
    from followups.models import DutyRoster
    from supervision.models import Department, DepartmentKind, DischargeStay, User

    rng = random.Random(5)  # nosec B311 # benchmark data
    day = timezone.localdate() + dt.timedelta(days=30)  # a day no queue exists for yet
    departments = list(
        Department.objects.filter(kind=DepartmentKind.CLINICAL, active=True).values_list("id", flat=True)
    )
    callers = list(User.objects.filter(groups__name="followup").values_list("id", flat=True))
    policy = services.policy_default()
    offsets = range(policy.window_start_day, policy.window_end_day + 1)
    seconds, queries, created = [], 0, 0
    for r in range(repeats):
        with transaction.atomic():
            DutyRoster.objects.bulk_create([DutyRoster(user_id=c, day=day) for c in callers])
            DischargeStay.objects.bulk_create(
                [
                    DischargeStay(
                        admission_no=f"Q{r}{i:07d}",
                        patient_name="新患者",
                        phone=f"139{i:08d}",
                        department_id=rng.choice(departments),
                        admitted_on=day - dt.timedelta(days=20),
                        discharged_on=day - dt.timedelta(days=rng.choice(list(offsets))),
                        diagnosis="社区获得性肺炎",
                    )
                    for i in range(discharges)
                ],
                batch_size=1000,
            )
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                result = services.call_queue_build(day=day)
                seconds.append(time.perf_counter() - start)
            queries, created = len(ctx.captured_queries), result.created
            transaction.set_rollback(True)
    return {
        "discharges": discharges,
        "tasks_created": created,
        "queries": queries,
        "seconds_median": statistics.median(seconds),
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "repeats": repeats,
    }


def plan_queue(per_day: int, repeats: int, warmup_days: int = 104) -> dict:
    """The daily queue with a three-point plan (day 3 call, day 30 call, day 90 letter) in steady state.

    On top of the full data set, in one transaction rolled back at the end: a hospital-wide plan,
    ``per_day`` discharges for each of ``warmup_days`` days before a day D far in the future (no
    existing queue touches them), and the queues of those days built untimed, so that on day D the
    build draws one discharge day's first points and builds the day-30 and day-90 points of the
    stays discharged 30 and 90 days before — a hospital of ``per_day`` × 365 stays a year with
    three time points each. Then day D's build is timed, each repeat in a savepoint rolled back.
    """
    from followups import services
    from followups.models import FollowupPlan, PlanPoint, TaskMode
    from supervision.models import Department, DepartmentKind, DischargeStay

    rng = random.Random(7)  # nosec B311 # benchmark data
    day = timezone.localdate() + dt.timedelta(days=400)
    departments = list(
        Department.objects.filter(kind=DepartmentKind.CLINICAL, active=True).values_list("id", flat=True)
    )
    seconds, queries, created, later = [], 0, 0, 0
    with transaction.atomic():
        plan = FollowupPlan.objects.create(name="bench 3/30/90", effective_from=day - dt.timedelta(days=500))
        PlanPoint.objects.bulk_create(
            [
                PlanPoint(plan=plan, day=3, window_days=4),
                PlanPoint(plan=plan, day=30, window_days=7),
                PlanPoint(plan=plan, day=90, window_days=14, mode=TaskMode.LETTER),
            ]
        )
        stays = [
            DischargeStay(
                admission_no=f"P{d:03d}{i:06d}",
                patient_name=f"计划患者{d}-{i}",
                phone=f"137{d:03d}{i:05d}",
                department_id=rng.choice(departments),
                admitted_on=day - dt.timedelta(days=d + 6),
                discharged_on=day - dt.timedelta(days=d),
                diagnosis="慢性心力衰竭",
            )
            for d in range(3, warmup_days + 1)
            for i in range(per_day)
        ]
        DischargeStay.objects.bulk_create(stays, batch_size=5000)
        warm_start = time.perf_counter()
        for back in range(warmup_days - 3, 0, -1):
            services.call_queue_build(day=day - dt.timedelta(days=back), assign=False)
        warmup_seconds = time.perf_counter() - warm_start
        for _r in range(repeats):
            with transaction.atomic():
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    result = services.call_queue_build(day=day, assign=False)
                    seconds.append(time.perf_counter() - start)
                queries, created, later = len(ctx.captured_queries), result.created, result.later
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    return {
        "per_day": per_day,
        "stays_per_year": per_day * 365,
        "warmup_days": warmup_days,
        "warmup_seconds": warmup_seconds,
        "tasks_created": created,
        "later_points": later,
        "queries": queries,
        "seconds_median": statistics.median(seconds),
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "repeats": repeats,
    }


def counts() -> dict:
    from benchmarks import data

    return data.counts()


PAGES = {
    "dashboard (supervisor)": ("supervisor", "/"),
    "finding list": ("supervisor", "/findings/"),
    "call list": ("supervisor", "/followups/tasks/"),
    "survey results": ("supervisor", "/surveys/"),
    "complaint list": ("supervisor", "/complaints/"),
}


def explain(top: int) -> dict:
    """Run each page and the annual report's content once; EXPLAIN (ANALYZE, BUFFERS) the slowest queries."""
    import re

    from django.test import Client
    from django.utils import translation

    from reports.builders import build_content
    from supervision.models import User

    settings.ALLOWED_HOSTS = ["*"]
    found = []
    users = {r: User.objects.get(username=u or _head_username()) for r, u in ROLE_USERS.items()}
    pages = dict(PAGES)
    pages.update({f"dashboard ({r})": (r, "/") for r in ("caller", "head", "admin")})
    pages["my calls today"] = ("caller", "/followups/")
    for name, (role, url) in pages.items():
        client = Client()
        client.force_login(users[role])
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        for q in ctx.captured_queries:
            found.append(
                {
                    "where": f"{name} `{url}`",
                    "status": response.status_code,
                    "sql": q["sql"],
                    "time": float(q["time"]),
                }
            )
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as ctx:
        build_content(
            kind="annual", start=dt.date(last.year, 1, 1), end=dt.date(last.year, 12, 31), department_ids=None
        )
    for q in ctx.captured_queries:
        found.append(
            {"where": f"annual report {last.year}", "status": "", "sql": q["sql"], "time": float(q["time"])}
        )
    found.sort(key=lambda q: -q["time"])
    seen, plans = set(), []
    for q in found:
        sql = q["sql"]
        key = re.sub(r"\d+", "N", sql)[:400]
        if key in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(key)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        indexes = sorted(
            set(
                re.findall(
                    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)", plan
                )
            )
        )
        seqscans = sorted(set(re.findall(r"Seq Scan on (\S+)", plan)))
        plans.append({**q, "plan": plan, "indexes": indexes, "seq_scans": seqscans})
        if len(plans) >= top:
            break
    return {"vendor": connection.vendor, "counts": counts(), "queries": plans}


def explain_markdown(result: dict) -> str:
    c = result["counts"]
    lines = [
        f"Captured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {result['vendor']} with "
        f"{c['stays']:,} stays, {c['attempts']:,} call attempts, {c['followup_tasks']:,} tasks, "
        f"{c['responses']:,} survey responses, {c['findings']:,} findings, {c['complaints']:,} complaints, "
        f"{c['rounds']:,} rounds, {c['audits']:,} chart audits.",
        "",
    ]
    for n, q in enumerate(result["queries"], 1):
        sql = q["sql"]
        head, sep, rest = sql.partition(" FROM ")
        if sep and len(head) > 400:  # a long column list says nothing about the plan
            sql = head[:300] + " … FROM " + rest
        sql = sql if len(sql) < 2500 else sql[:2500] + " …"
        lines += [
            f"### {n}. {q['where']} — {q['time'] * 1000:.0f} ms in the page run",
            "",
            "Indexes used: "
            + (", ".join(f"`{i}`" for i in q["indexes"]) or "none")
            + ". Sequential scans: "
            + (", ".join(f"`{t}`" for t in q["seq_scans"]) or "none")
            + ".",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            q["plan"],
            "```",
            "",
        ]
    return "\n".join(lines)


def _as_web_process() -> None:
    """Set this process up as a web worker is set up, before any page is requested.

    gunicorn loads ``supervision.wsgi``, which freezes the loaded application's objects and raises
    the cyclic collector's first threshold (the reasons are there); the pages "alone" are measured
    in a process that does the same, or each page's figure would carry collector work the server
    does not do (about 2 ms a list page, docs/performance.md). ``BENCH_GC=default`` leaves Python's
    defaults, to compare with runs before stop 20.
    """
    if os.environ.get("BENCH_GC", "server") != "default":
        import supervision.wsgi  # noqa: F401  (its import is the set-up)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "command", choices=["sessions", "queue", "plan_queue", "counts", "explain", "inprocess", "frame"]
    )
    parser.add_argument("--per-day", type=int, default=685, help="discharges a day (685 = 250,000 a year)")
    parser.add_argument("--discharges", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.command == "sessions":
        result = sessions()
    elif args.command == "queue":
        result = queue(args.discharges, args.repeats)
    elif args.command == "plan_queue":
        result = plan_queue(args.per_day, args.repeats)
    elif args.command == "frame":
        _as_web_process()
        result = frame(args.repeats)
    elif args.command == "counts":
        result = counts()
    elif args.command == "inprocess":
        _as_web_process()
        result = inprocess(args.repeats, json.loads(os.environ["BENCH_LOGINS"]))
    else:
        result = explain(args.top)
        if args.markdown:
            print(explain_markdown(result))
            return
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

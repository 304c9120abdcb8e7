"""Drill: PostgreSQL restarts while gunicorn serves → the app recovers by itself (no restart).

Settings: conn_max_age=60 with CONN_HEALTH_CHECKS (dj_database_url.parse(..., conn_health_checks=True)),
so a connection killed by the restart is found dead at the start of the next request and replaced.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from common import Browser, finish, gunicorn, log, sh, status

web = gunicorn()
pids_before = sorted(web.children())
browser = Browser()
browser.login("supervisor")
log(f"gunicorn master {web.pid}, workers {pids_before}")

timeline: list[tuple[float, int, int]] = []
restart_window: dict[str, float] = {}
t0 = time.monotonic()


def restart():
    time.sleep(5)
    restart_window["start"] = time.monotonic() - t0
    sh("pg_ctlcluster 15 drill restart", timeout=60)
    restart_window["end"] = time.monotonic() - t0


thread = threading.Thread(target=restart)
thread.start()
while time.monotonic() - t0 < 25:  # bounded: 25 s of traffic
    findings = browser.get("/findings/")[0]
    timeline.append((round(time.monotonic() - t0, 1), findings, status("/healthz")))
    time.sleep(0.5)
thread.join(60)

start, end = restart_window["start"], restart_window["end"]
phases = {"before": [], "during": [], "after": []}
for t, findings, health in timeline:
    phase = "before" if t < start else ("during" if t <= end + 0.5 else "after")
    phases[phase].append((findings, health))
log(f"restart from t={start:.1f}s to t={end:.1f}s")
for phase, codes in phases.items():
    log(
        f"{phase:>6}: /findings/ {dict(Counter(c[0] for c in codes))}  /healthz {dict(Counter(c[1] for c in codes))}"
    )
pids_after = sorted(web.children())
log(
    f"gunicorn workers before {pids_before}, after {pids_after} (same processes: {pids_before == pids_after})"
)
errors = web.tail(r"OperationalError|Traceback")
log(f"errors in the gunicorn log: {len(errors)}" + (f" — first: {errors[0][:160]}" if errors else ""))
after_ok = phases["after"] and all(f == 200 and h == 200 for f, h in phases["after"])
verdict = "PASS" if after_ok and pids_before == pids_after and web.popen.poll() is None else "FAIL"
log(f"VERDICT {verdict}: every request after the restart answered 200 without restarting gunicorn")
finish(0 if verdict == "PASS" else 1, [web])

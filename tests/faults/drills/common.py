"""Shared pieces of the fault drills: the drill environment, processes started and stopped by pid,
and a small HTTP client (urllib, loopback only) that logs in through the real form.

Run a drill as ``.venv/bin/python tests/faults/drills/<drill>.py`` after ``setup.sh``.
"""

from __future__ import annotations

import atexit
import http.cookiejar
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VAR = ROOT / "var" / "drills"
BIN = ROOT / ".venv" / "bin"


def drill_env() -> dict[str, str]:
    """The variables of env.sh, read by bash so that the two never disagree."""
    out = subprocess.run(
        ["bash", "-c", "source tests/faults/drills/env.sh && env -0"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    return dict(line.split("=", 1) for line in out.split("\0") if "=" in line)


ENV = drill_env()
ENV.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))
BASE = f"http://127.0.0.1:{ENV['DRILL_WEB_PORT']}"
assert BASE.startswith("http://127.0.0.1:")  # never any traffic off this machine


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S', time.gmtime())}Z {message}", flush=True)


def sh(command: str, timeout: int = 120) -> str:
    log(f"$ {command}")
    result = subprocess.run(  # noqa: S602 — the drills' own fixed commands
        command, shell=True, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout
    )
    output = (result.stdout + result.stderr).strip()
    if output:
        print("  " + output.replace("\n", "\n  "), flush=True)
    if result.returncode:
        raise SystemExit(f"command failed ({result.returncode}): {command}")
    return output


STARTED: list[Proc] = []


@atexit.register
def _stop_everything_started() -> None:
    for proc in reversed(STARTED):
        proc.stop()


class Proc:
    """A process this drill started; stopped by its own pid (never by name), also on a crash."""

    def __init__(self, name: str, command: list[str]):
        STARTED.append(self)
        self.name = name
        self.logfile = VAR / f"{name}.log"
        handle = self.logfile.open("w")
        log(f"start {name}: {shlex.join(command)}")
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=ENV, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self, sig=signal.SIGTERM, wait: float = 20) -> None:
        if self.popen.poll() is not None:
            return
        log(f"stop {self.name} (pid {self.pid}, {signal.Signals(sig).name})")
        os.killpg(self.pid, sig)  # its own session: the process and the children it forked
        try:
            self.popen.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)

    def tail(self, pattern: str = "") -> list[str]:
        lines = self.logfile.read_text(errors="replace").splitlines()
        return [line for line in lines if re.search(pattern, line)] if pattern else lines


def gunicorn() -> Proc:
    if status("/healthz") != 0:
        raise SystemExit(f"something already listens on {BASE}; set DRILL_WEB_PORT to a free port")
    proc = Proc(
        "web",
        [str(BIN / "gunicorn"), "supervision.wsgi", "--bind", BASE.removeprefix("http://"), "--workers", "2",
         "--threads", "2", "--timeout", "60", "--access-logfile", "-"],
    )  # fmt: skip
    wait_until(lambda: proc.popen.poll() is None and status("/healthz") == 200, 30, "gunicorn answering")
    wait_until(lambda: len(proc.children()) == 2, 30, "two gunicorn workers")
    return proc


def worker(concurrency: int = 1, name: str = "worker") -> Proc:
    proc = Proc(
        name,
        [str(BIN / "celery"), "-A", "supervision", "worker", "--loglevel", "INFO", "--concurrency",
         str(concurrency), "--hostname", f"{name}@drill", "--without-gossip", "--without-mingle"],
    )  # fmt: skip
    wait_until(lambda: "ready" in proc.logfile.read_text(errors="replace"), 60, f"{name} ready")
    return proc


def beat(name: str = "beat") -> Proc:
    return Proc(
        name,
        [str(BIN / "celery"), "-A", "supervision", "beat", "--loglevel", "INFO", "--pidfile",
         str(VAR / f"{name}.pid"), "--max-interval", "5"],
    )  # fmt: skip


def wait_until(predicate, seconds: float, what: str, every: float = 0.2) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if predicate():
                return time.monotonic() - started
        except Exception:  # noqa: S110 — polling: not ready yet
            pass
        time.sleep(every)
    raise SystemExit(f"timed out after {seconds}s waiting for {what}")


def status(path: str) -> int:
    try:
        with urllib.request.urlopen(BASE + path, timeout=10) as response:  # noqa: S310 — loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies + CSRF like a browser; logs in through the real log-in form."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(
        self, method: str, path: str, data: dict | None = None, timeout: float = 60
    ) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(BASE + path, data=body, method=method)  # noqa: S310 — loopback
        req.add_header("Referer", BASE + path)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return (
                    response.status,
                    response.read().decode(errors="replace"),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def csrf(self, page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post_form(self, path: str, data: dict, form_page: str | None = None) -> tuple[int, str, str]:
        page = self.get(form_page or path)[1]
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf(page), **data})

    def login(self, username: str, password: str = "ducha-demo") -> None:  # noqa: S107 — demo password
        code, _, location = self.post_form("/accounts/login/", {"username": username, "password": password})
        assert code == 302 and "login" not in location, f"log-in of {username} failed ({code})"


def django_shell(code: str, timeout: int = 120) -> str:
    """Run Python in the drill's Django (the same database the processes use)."""
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", code], cwd=ROOT, env=ENV,
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(result.stderr)
    return result.stdout.strip()


def finish(exit_code: int, procs: list[Proc]) -> None:
    for proc in procs:
        proc.stop()
    sys.exit(exit_code)

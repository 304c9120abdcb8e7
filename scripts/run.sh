#!/usr/bin/env bash
# `make run`: prepare the database and the demo hospital, saying what is happening, then run the web
# server, the Celery worker and Celery beat, print the address and the logins last, and on Ctrl-C
# stop all three cleanly and exit 0. The settings come from the Makefile's RUN_ENV; the processes'
# logs go to var/log/ (the console stays readable), the demo's e-mails to var/mail/.
set -uo pipefail
cd "$(dirname "$0")/.."

# At a terminal, run the rest as a foreground job of its own (job control): Ctrl-C then reaches this
# script only, not make, which would otherwise die of the signal (exit 130, "make: *** … Interrupt")
# however cleanly everything stopped.
if [[ -t 0 && -z "${DUCHA_RUN_CHILD:-}" ]]; then
  set -m
  DUCHA_RUN_CHILD=1 "$0" "$@"
  exit $?
fi
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
LOGS=var/log
mkdir -p "$LOGS"

# Run one preparation step quietly, timed; on failure show its output and stop.
step() {
  local label=$1 started=$SECONDS
  shift
  printf '  %s … ' "$label"
  if "$@" >"$LOGS/setup.log" 2>&1; then
    printf 'done (%d s)\n' $((SECONDS - started))
  else
    printf 'failed:\n'
    cat "$LOGS/setup.log"
    exit 1
  fi
}

if $BIN/python manage.py migrate --check --noinput >/dev/null 2>&1; then
  echo "Ducha: the database is up to date."
else
  echo "Ducha: preparing the database (on the first run this and the demo hospital take a minute or two)."
  step "creating and updating the tables (migrate)" $BIN/python manage.py migrate --noinput -v0
fi
if ! $BIN/python manage.py shell -c "import sys; from supervision.models import User; sys.exit(0 if User.objects.filter(username='supervisor').exists() else 1)" >/dev/null 2>&1; then
  step "loading the demo hospital: departments, staff, six demo users, months of records" \
    $BIN/python manage.py seed_demo
fi
# Collecting compresses every file again (a minute or more on a small machine): do it only when a
# static file or an installed package (whose own static files are collected too) is newer than the
# manifest the last collection wrote, or a settings change did (the storage or its options).
manifest=${STATIC_ROOT:-staticfiles}/staticfiles.json
if [[ -f $manifest && -z $(find static .venv/.installed supervision/settings.py -newer "$manifest" -print -quit 2>/dev/null) ]]; then
  echo "  the static files are up to date (collected $(date -r "$manifest" '+%Y-%m-%d %H:%M'))."
else
  step "collecting and compressing the static files" $BIN/python manage.py collectstatic --noinput -v0
fi

# The three processes, each in a session of its own (setsid, as honcho does) with its log in var/log/:
# Ctrl-C reaches only this script, whose trap stops each by its process id, once, gracefully.
echo "  starting the web server, the Celery worker and Celery beat …"
setsid $BIN/gunicorn supervision.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 --timeout 120 \
  --access-logfile - >"$LOGS/web.log" 2>&1 &
web=$!
setsid $BIN/celery -A supervision worker --loglevel INFO --concurrency 2 --hostname "worker@%h" >"$LOGS/worker.log" 2>&1 &
worker=$!
setsid $BIN/celery -A supervision beat --loglevel INFO --pidfile var/celerybeat.pid >"$LOGS/beat.log" 2>&1 &
beat=$!
pids=("$web" "$worker" "$beat")

stopping=0
stop() {
  [[ $stopping == 1 ]] && return
  stopping=1
  echo ""
  echo "Stopping Ducha (web server, worker, beat) …"
  kill -TERM "${pids[@]}" 2>/dev/null
  # A worker finishes the task in hand first (warm shutdown); give them 30 s before forcing.
  for _ in $(seq 1 60); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "${pids[@]}" 2>/dev/null; then
    echo "  still running after 30 s; forcing them to stop."
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
  wait 2>/dev/null
  echo "Stopped."
}
trap 'stop; exit 0' INT TERM HUP

# Wait until the web server answers, then say where it is and who can log in — last, so it stays on
# screen. A process that dies while starting is reported with the end of its log.
ready=0
for _ in $(seq 1 120); do
  if $BIN/python -c "import sys, urllib.request; urllib.request.urlopen('http://$HOST:$PORT/healthz', timeout=2)" 2>/dev/null; then
    ready=1
    break
  fi
  for name in web worker beat; do
    pid=${!name}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The $name process stopped while starting; the end of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log"
      stop
      exit 1
    fi
  done
  sleep 0.5
done
if [[ $ready != 1 ]]; then
  echo "The web server did not answer within a minute; see $LOGS/web.log."
  stop
  exit 1
fi

cat <<EOF

  Ducha is running at  http://$HOST:$PORT/
  Demo logins, password ducha-demo:
    supervisor   督察员 supervisor
    caller       回访员 follow-up staff
    head-neike   科室负责人 (内科)      head-waike   科室负责人 (外科)
    admin        管理员 administrator (also /admin/)
    volunteer    义务监督员 volunteer
    desk         客服人员 service desk (客服中心)
    vp-medical   分管院长 vice-president in charge (clinical departments)
  E-mails the demo sends are written to var/mail/; logs are in $LOGS/ (web, worker, beat).
  Ctrl-C stops everything.

EOF

# Sleep until Ctrl-C (the trap) or until one process ends on its own, which ends the others.
while true; do
  for name in web worker beat; do
    pid=${!name}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The $name process stopped; the end of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log"
      stop
      exit 1
    fi
  done
  sleep 1 &
  wait $! 2>/dev/null
done

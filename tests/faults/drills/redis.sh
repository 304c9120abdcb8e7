#!/usr/bin/env bash
# The drill's own Redis on 127.0.0.1:$DRILL_REDIS_PORT: start | stop (stop = the outage).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/faults/drills/env.sh
case "$1" in
  start)
    redis-cli -p "$DRILL_REDIS_PORT" ping >/dev/null 2>&1 && exit 0
    redis-server --port "$DRILL_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
      --pidfile "$PWD/var/drills/redis.pid" --logfile "$PWD/var/drills/redis.log"
    for _ in $(seq 1 30); do redis-cli -p "$DRILL_REDIS_PORT" ping >/dev/null 2>&1 && exit 0; sleep 0.2; done
    echo "redis did not start" >&2; exit 1 ;;
  stop)
    [ -f var/drills/redis.pid ] && kill "$(cat var/drills/redis.pid)" 2>/dev/null || true
    for _ in $(seq 1 30); do redis-cli -p "$DRILL_REDIS_PORT" ping >/dev/null 2>&1 || exit 0; sleep 0.2; done
    echo "redis did not stop" >&2; exit 1 ;;
esac

#!/usr/bin/env bash
# Create (once) and start the drill PostgreSQL cluster and Redis, migrate and seed the demo data.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/faults/drills/env.sh
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "15 drill"; then
  pg_createcluster 15 drill --port "$DRILL_PG_PORT" >/dev/null
fi
pg_lsclusters -h | awk '$1=="15" && $2=="drill"' | grep -q online || pg_ctlcluster 15 drill start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$DRILL_PG_PORT" && break; sleep 1; done
psql_drill() { su postgres -c "psql -p $DRILL_PG_PORT -qtAc \"$1\""; }
psql_drill "SELECT 1 FROM pg_roles WHERE rolname='ducha'" | grep -q 1 || psql_drill "CREATE ROLE ducha LOGIN CREATEDB PASSWORD 'ducha'"
if [ "${1:-}" = "--fresh" ]; then psql_drill "DROP DATABASE IF EXISTS ducha_drill"; fi
psql_drill "SELECT 1 FROM pg_database WHERE datname='ducha_drill'" | grep -q 1 || su postgres -c "createdb -p $DRILL_PG_PORT -O ducha ducha_drill"
tests/faults/drills/redis.sh start
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py seed_demo
echo "drill environment ready: $DATABASE_URL $REDIS_URL"

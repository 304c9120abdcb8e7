# Source me: the drill environment. A PostgreSQL cluster "15 drill" on 127.0.0.1:5434 and a Redis on
# 127.0.0.1:6381 of their own, so that stopping them never disturbs anything else on the machine.
# Production-like: DEBUG off, a real broker, Celery not eager. Loopback only.
export DRILL_PG_PORT=5434 DRILL_REDIS_PORT=6381 DRILL_WEB_PORT=8797
export DATABASE_URL=postgresql://ducha:ducha@127.0.0.1:${DRILL_PG_PORT}/ducha_drill
export REDIS_URL=redis://127.0.0.1:${DRILL_REDIS_PORT}/0
export DEBUG=0 SECURE_HTTPS=0 ALLOWED_HOSTS=127.0.0.1,localhost CELERY_TASK_ALWAYS_EAGER=0
export SECRET_KEY=drill-only-secret-key-0123456789abcdefghijklmnop
export DUCHA_VAR_DIR=${DUCHA_VAR_DIR:-$PWD/var/drills} MEDIA_ROOT=$PWD/var/drills/media STATIC_ROOT=$PWD/var/drills/static LOG_LEVEL=WARNING
mkdir -p var/drills

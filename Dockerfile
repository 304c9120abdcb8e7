# Ducha — one image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

# WeasyPrint's libraries (libharfbuzz-subset0: without it a Chinese PDF takes ~9 s instead of
# 0.1 s), a CJK font for PDFs, gettext for the translations, curl for health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-noto-cjk gettext curl \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DUCHA_VAR_DIR=/var/lib/ducha STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
RUN pip install --no-cache-dir -c requirements.lock -e .
COPY . .
RUN django-admin compilemessages --ignore=.venv -v0 \
 && SECRET_KEY=build-only-not-secret-build-only-not-secret-0123 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /var/lib/ducha ducha && mkdir -p /var/lib/ducha && chown ducha /var/lib/ducha
USER ducha
EXPOSE 8000
CMD ["gunicorn", "supervision.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--timeout", "120", "--access-logfile", "-"]

# Sello Migrante: one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=sello.settings.prod \
    DJANGO_MEDIA_ROOT=/var/lib/sello/media

# WeasyPrint's native libraries and fonts (PDF certificates and minutas).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

RUN useradd --system --create-home --home-dir /home/sello --shell /usr/sbin/nologin sello \
    && mkdir -p /app/staticfiles /var/lib/sello/media \
    && chown sello:sello /app/staticfiles /var/lib/sello/media
# Code stays root-owned: the app user writes only staticfiles/ and the media volume.
COPY . .

USER sello
EXPOSE 8000
CMD ["gunicorn", "sello.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

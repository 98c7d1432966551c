"""Settings for ``make bench``: the shared base (DEBUG off, PostgreSQL from DATABASE_URL)
with Celery eager, since the benchmarks measure in-process work, and uploads written under
``var/bench-media`` so a run never touches the development files."""

from sello.settings.base import *  # noqa: F403
from sello.settings.base import BASE_DIR, LOGGING, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-insecure-key")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "bench-media"))
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # demo notifications go nowhere
# The demo loaders queue hundreds of eager tasks; their INFO lines would bury the figures.
LOGGING = {
    **LOGGING,
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

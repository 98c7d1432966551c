"""Settings for the test suite (``make test`` points DATABASE_URL at PostgreSQL)."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105 - tests never run exposed
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests enqueue eagerly unless a test starts a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="sello-test")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/sello-test-media")  # noqa: S108
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"auth_token": "1000/min"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite runs with two-factor authentication required, as production does.
SELLO_2FA_OBLIGATORIO = True

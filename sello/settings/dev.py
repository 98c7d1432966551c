"""Development settings: what ``manage.py`` uses when nothing is configured.

SQLite file in the project, eager Celery tasks, DEBUG on. Anything can still be
overridden from the environment (DATABASE_URL, CELERY_BROKER_URL, ...).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Two-factor authentication is off by default here, so that the demo users of `make run` log in
# with their password only; SELLO_2FA_OBLIGATORIO=true turns it on (README, "Autenticación").
SELLO_2FA_OBLIGATORIO = env.bool("SELLO_2FA_OBLIGATORIO", default=False)

"""WSGI entry point (gunicorn sello.wsgi). Production must set DJANGO_SETTINGS_MODULE."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sello.settings.dev")

application = get_wsgi_application()

"""Project package of the Sello Migrante platform, and the seal app itself."""

from .celery import app as celery_app

__all__ = ["celery_app"]

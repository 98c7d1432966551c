"""Celery tasks of cases."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="casos.marcar_vencidos", acks_late=True, soft_time_limit=300, time_limit=360)
def marcar_vencidos() -> int:
    """Beat, every 15 minutes: mark overdue cases and notify. Idempotent (``vencido`` flag)."""
    return len(services.casos_marcar_vencidos(ahora=timezone.now()))

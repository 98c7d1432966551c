"""Celery tasks of cases."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="casos.marcar_vencidos", acks_late=True, soft_time_limit=300, time_limit=360)
def marcar_vencidos() -> int:
    """Beat, every 15 minutes: mark overdue cases and notify. Idempotent (``vencido`` flag)."""
    return len(services.casos_marcar_vencidos(ahora=timezone.now()))


@shared_task(name="casos.retencion_aplicar", acks_late=True, soft_time_limit=1800, time_limit=1860)
def retencion_aplicar() -> dict[str, int]:
    """Beat, daily: anonymise the people whose cases all closed more than
    ``SELLO_RETENCION_CASOS_DIAS`` days ago. Idempotent (an anonymised person is not selected
    again); returns and logs counts only."""
    from . import privacidad

    return privacidad.retencion_aplicar(ahora=timezone.now())

"""Writes of the platform core."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import LatidoWorker


@transaction.atomic
def latido_registrar(*, worker: str) -> LatidoWorker:
    """Upsert the heartbeat row of ``worker``; running it twice only moves the timestamp."""
    ahora = timezone.now()
    fila, creada = LatidoWorker.objects.select_for_update().get_or_create(
        worker=worker[:200], defaults={"ultimo": ahora, "tareas": 1}
    )
    if not creada:
        LatidoWorker.objects.filter(pk=fila.pk).update(ultimo=ahora, tareas=F("tareas") + 1)
        fila.refresh_from_db()
    return fila

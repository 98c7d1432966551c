"""Celery tasks of statistics. They take ids (JSON), are idempotent and have time limits."""

import logging

from celery import shared_task

from . import services
from .models import Importacion

logger = logging.getLogger(__name__)


@shared_task(
    name="estadisticas.importar",
    # Idempotent: a completed import is skipped, and a run cut short rolls back its single
    # transaction, so a redelivery simply runs it again.
    acks_late=True,
    # A million-row file imports in minutes (batches of 2,000 rows).
    soft_time_limit=3600,
    time_limit=3660,
)
def importar(importacion_id: int) -> dict[str, object]:
    """Run a recorded official data import."""
    importacion = Importacion.objects.filter(pk=importacion_id).first()
    if importacion is None:
        logger.warning("importar: importación %s no existe", importacion_id)
        return {"estado": "inexistente"}
    importacion = services.importacion_ejecutar(importacion)
    logger.info("importar %s %s filas=%s", importacion_id, importacion.estado, importacion.filas)
    return {"estado": importacion.estado, "filas": importacion.filas}

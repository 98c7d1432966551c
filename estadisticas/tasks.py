"""Celery tasks of statistics. They take ids (JSON), are idempotent and have time limits."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from sello.fallas import encolar

from . import minutas, resumenes, services
from .models import Importacion
from .periodos import Periodo, periodo_cerrado

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


@shared_task(
    name="estadisticas.refrescar",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1860,
)
def refrescar() -> dict[str, int]:
    """Recompute the platform's summary tables (idempotent: same data, same rows)."""
    actualizacion = resumenes.resumenes_refrescar()
    return {"actualizacion": actualizacion.pk, "filas": actualizacion.filas}


@shared_task(
    name="estadisticas.minuta_generar",
    # A worker killed mid-render leaves the job retryable: the message is acknowledged only
    # after the task ends, and redelivered when the worker is lost.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=300,
    time_limit=330,
)
def minuta_generar(minuta_id: int) -> str:
    """Generate one minuta (skipped when its data did not change; see estadisticas.minutas)."""
    resultado = minutas.minuta_generar(minuta_id=minuta_id)
    logger.info("minuta %s: %s", minuta_id, resultado)
    return resultado


@shared_task(name="estadisticas.minutas_programar", soft_time_limit=600, time_limit=660)
def minutas_programar(periodo: str | None = None) -> int:
    """The beat's job: refresh the summaries, then queue the minutas of all 346 comunas for the
    last complete semester (or ``periodo``). Unchanged ones are skipped by each job."""
    resumenes.resumenes_refrescar()
    objetivo = Periodo.desde_texto(periodo) if periodo else periodo_cerrado()
    return minutas.minutas_programar(periodo=objetivo)


# An import still "pendiente" this long after its upload was never queued (the broker was down
# when it was recorded): longer than the import task's hard limit, so that a queued one is not
# run twice at the same time.
IMPORTACION_OLVIDADA = timedelta(hours=2)


@shared_task(name="estadisticas.importaciones_pendientes", soft_time_limit=60, time_limit=90)
def importaciones_pendientes() -> int:
    """Beat: queue again the imports recorded while the broker was down (bounded batch).
    Idempotent: a completed import is skipped by ``importar``."""
    ids = list(
        Importacion.objects.filter(
            estado=Importacion.Estado.PENDIENTE, creado_en__lt=timezone.now() - IMPORTACION_OLVIDADA
        )
        .order_by("creado_en")
        .values_list("pk", flat=True)[:50]
    )
    encoladas = sum(encolar(importar, pk) for pk in ids)
    if ids:
        logger.info("importaciones_pendientes: %s de %s encoladas de nuevo", encoladas, len(ids))
    return encoladas


@shared_task(name="estadisticas.minutas_reintentar", soft_time_limit=120, time_limit=150)
def minutas_reintentar() -> int:
    """Queue again abandoned and failed minuta jobs that have attempts left."""
    return minutas.minutas_reintentar()

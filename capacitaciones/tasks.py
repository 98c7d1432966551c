"""Celery tasks of trainings. They take ids (JSON), are idempotent, retry only transient errors
(OSError: disk, storage) with backoff and a cap, and have soft and hard time limits."""

import logging

from celery import shared_task

from sello.errores import ErrorDeNegocio

from . import certificados, services
from .models import Capacitacion

logger = logging.getLogger(__name__)


@shared_task(
    name="capacitaciones.certificados_emitir",
    # acks_late: issuing is idempotent (one certificate per participant, a unique constraint)
    # and a certificate that has its PDF is skipped, so a redelivery after a crash only
    # finishes the work.
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
    # About 0.2 s per PDF (measured: 50 in 9.7 s), so thousands of participants fit. A batch cut
    # short by the limit keeps the PDFs already stored; running it again renders the rest.
    soft_time_limit=900,
    time_limit=960,
)
def certificados_emitir(capacitacion_id: int) -> dict[str, int]:
    """Issue the certificates of a finished training and render every missing PDF, in batch."""
    capacitacion = Capacitacion.objects.filter(pk=capacitacion_id).first()
    if capacitacion is None:
        logger.warning("certificados_emitir: capacitación %s no existe", capacitacion_id)
        return {"certificados": 0, "pdf": 0}
    try:
        emitidos = services.certificados_emitir(capacitacion=capacitacion)
    except ErrorDeNegocio as exc:
        # Not transient (e.g. the last session has not ended): retrying would not help.
        logger.warning("certificados_emitir %s: %s", capacitacion_id, exc.mensaje)
        return {"certificados": 0, "pdf": 0}
    pendientes = certificados.sin_pdf(capacitacion_id)
    for certificado_id in pendientes:
        certificados.certificado_pdf_generar(certificado_id)
    resumen = {"certificados": len(emitidos), "pdf": len(pendientes)}
    logger.info("certificados_emitir %s %s", capacitacion_id, resumen)
    return resumen

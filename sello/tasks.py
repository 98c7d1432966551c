"""Celery tasks of the seal. They take ids (JSON), check state first and call a service;
they retry only transient errors (OSError: disk, network, SMTP), with backoff and a cap,
and have soft and hard time limits."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from .services import certificados, notificaciones, vigencia
from .services import latido as latido_services

logger = logging.getLogger(__name__)


@shared_task(
    name="sello.latido",
    acks_late=True,  # idempotent: it only upserts the worker's row
    soft_time_limit=10,
    time_limit=20,
    ignore_result=True,
)
def latido(worker: str) -> None:
    """Record that ``worker`` is alive and consuming tasks (read by /healthz)."""
    latido_services.latido_registrar(worker=worker)


@shared_task(
    name="sello.vigencias_revisar",
    acks_late=True,  # idempotent: reminders are unique per threshold, transitions check state
    soft_time_limit=300,
    time_limit=360,
)
def vigencias_revisar(hoy: str | None = None) -> dict[str, int]:
    """Daily: expiry reminders (90/30/7 days), revalidation opening and expiry. Idempotent.

    ``hoy`` (an ISO date) replays a given day, e.g. after the scheduler was down."""
    dia = date.fromisoformat(hoy) if hoy else timezone.localdate()
    informe = vigencia.vigencias_revisar(hoy=dia)
    resumen = {
        "recordatorios": len(informe.recordatorios),
        "revalidaciones": len(informe.revalidaciones),
        "vencidas": len(informe.vencidas),
    }
    logger.info("vigencias_revisar %s %s", dia, resumen)
    return resumen


@shared_task(
    name="sello.certificado_generar_pdf",
    acks_late=True,  # idempotent: a certificate that has its PDF is skipped
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def certificado_generar_pdf(certificado_id: int) -> None:
    """Render and store the certificate's PDF (queued when the seal is granted)."""
    certificados.certificado_pdf_generar(certificado_id=certificado_id)


@shared_task(
    name="sello.notificacion_enviar_correo",
    # acks_late: the notification row is stamped when its e-mail is sent, so a redelivery
    # after a worker crash sends nothing twice, and a crash before sending is retried.
    acks_late=True,
    autoretry_for=(OSError,),  # connection failures and smtplib errors (subclasses of OSError)
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def notificacion_enviar_correo(notificacion_id: int) -> None:
    """E-mail one in-app notification to its user."""
    notificaciones.notificacion_correo_enviar(notificacion_id=notificacion_id)


@shared_task(
    name="sello.notificaciones_pendientes",
    acks_late=True,  # idempotent: every e-mail is stamped under its row's lock
    soft_time_limit=240,
    time_limit=300,
)
def notificaciones_pendientes() -> dict[str, int]:
    """Beat, every 5 minutes: the outbox sweep. E-mails the notifications still unsent (their
    task was lost, e.g. the broker was down when the change was saved)."""
    resumen = notificaciones.notificaciones_pendientes_enviar(ahora=timezone.now())
    if resumen["pendientes"]:
        logger.info("notificaciones_pendientes %s", resumen)
    return resumen

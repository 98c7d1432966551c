"""Celery tasks of the seal. They take ids, check state first and call a service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notificacion
from .services import certificados, vigencia
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


@shared_task(name="sello.vigencias_revisar", acks_late=True, soft_time_limit=300, time_limit=360)
def vigencias_revisar() -> dict[str, int]:
    """Daily: expiry reminders (90/30/7 days), revalidation opening and expiry. Idempotent."""
    informe = vigencia.vigencias_revisar(hoy=timezone.localdate())
    resumen = {
        "recordatorios": len(informe.recordatorios),
        "revalidaciones": len(informe.revalidaciones),
        "vencidas": len(informe.vencidas),
    }
    logger.info("vigencias_revisar %s", resumen)
    return resumen


@shared_task(
    name="sello.certificado_generar_pdf",
    acks_late=True,  # idempotent: a certificate that has its PDF is skipped
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def certificado_generar_pdf(certificado_id: int) -> None:
    certificados.certificado_pdf_generar(certificado_id=certificado_id)


@shared_task(
    name="sello.notificacion_enviar_correo",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def notificacion_enviar_correo(notificacion_id: int) -> None:
    notificacion = Notificacion.objects.select_related("usuario").filter(pk=notificacion_id).first()
    if notificacion is None or not notificacion.usuario.email or not notificacion.usuario.is_active:
        return
    enlace = f"{settings.SITE_URL.rstrip('/')}{notificacion.url}" if notificacion.url else ""
    send_mail(
        subject=f"[Sello Migrante] {notificacion.titulo}",
        message=f"{notificacion.cuerpo}\n\n{enlace}".strip(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notificacion.usuario.email],
    )

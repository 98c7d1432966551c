"""In-app notifications, with their e-mail sent by a task after commit.

The notification rows are the outbox: each is created in the transaction of the change it
announces, and its e-mail is stamped (``correo_enviado_en``) when sent. The task is queued
after commit; when the broker is down it is not (the change is saved all the same), and the
periodic ``sello.notificaciones_pendientes`` sends what is still unsent. The stamp, set under
the row's lock, makes every path send each e-mail once.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Municipalidad, Rol, Usuario

from ..errores import SinPermiso
from ..fallas import encolar
from ..models import Notificacion

logger = logging.getLogger(__name__)

# The sweep leaves alone what the queued task is about to send, and gives up after a week
# (an address added much later should not receive old news).
PENDIENTE_DESDE = timedelta(minutes=5)
PENDIENTE_HASTA = timedelta(days=7)
LOTE_PENDIENTES = 200


def destinatarios_municipalidad(municipalidad: Municipalidad) -> list[Usuario]:
    """Active officers of the municipality plus its SERMIG regional team."""
    return list(Usuario.objects.filter(is_active=True).filter(rol=Rol.MUNICIPAL, municipalidad=municipalidad)) + list(
        Usuario.objects.filter(is_active=True, rol=Rol.REGIONAL, region_id=municipalidad.comuna.region_id)
    )


def notificar(*, usuarios: Iterable[Any], titulo: str, cuerpo: str = "", url: str = "") -> list[Notificacion]:
    """Create one in-app notification per user and e-mail it once the transaction commits."""
    from ..tasks import notificacion_enviar_correo

    creadas = Notificacion.objects.bulk_create(
        [
            Notificacion(usuario=u, titulo=titulo[:200], cuerpo=cuerpo, url=url[:300])
            for u in {u.pk: u for u in usuarios}.values()
        ]
    )
    for notificacion in creadas:
        transaction.on_commit(partial(encolar, notificacion_enviar_correo, notificacion.pk))
    return creadas


def notificacion_correo_enviar(*, notificacion_id: int) -> bool:
    """E-mail one notification to its user, once: the row is locked and stamped, so a task
    delivered twice sends nothing the second time. Nothing for a deleted notification or an
    inactive user or one without address. Returns whether a message was sent."""
    with transaction.atomic():
        notificacion = (
            Notificacion.objects.select_for_update(of=("self",))
            .select_related("usuario")
            .filter(pk=notificacion_id)
            .first()
        )
        if notificacion is None or notificacion.correo_enviado_en is not None:
            return False
        if not notificacion.usuario.email or not notificacion.usuario.is_active:
            return False
        enlace = f"{settings.SITE_URL.rstrip('/')}{notificacion.url}" if notificacion.url else ""
        send_mail(
            subject=_("[Sello Migrante] %(titulo)s") % {"titulo": notificacion.titulo},
            message=f"{notificacion.cuerpo}\n\n{enlace}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notificacion.usuario.email],
        )
        Notificacion.objects.filter(pk=notificacion.pk).update(correo_enviado_en=timezone.now())
    return True


def notificaciones_pendientes_enviar(*, ahora: datetime, limite: int = LOTE_PENDIENTES) -> dict[str, int]:
    """E-mail the notifications whose e-mail is still unsent ``PENDIENTE_DESDE`` after their
    creation (their task was never queued, or failed for good), oldest first, at most
    ``limite``. Each goes through ``notificacion_correo_enviar``, so a notification sent in the
    meantime by its task is not sent again. A failing mail server stops the batch (the next run
    resumes). Returns the counts."""
    ids = list(
        Notificacion.objects.filter(
            correo_enviado_en__isnull=True,
            creada_en__lt=ahora - PENDIENTE_DESDE,
            creada_en__gte=ahora - PENDIENTE_HASTA,
            usuario__is_active=True,
        )
        .exclude(usuario__email="")
        .order_by("creada_en", "pk")
        .values_list("pk", flat=True)[:limite]
    )
    enviadas = 0
    for pk in ids:
        try:
            enviadas += int(notificacion_correo_enviar(notificacion_id=pk))
        except OSError as exc:  # the mail server: nothing stamped, retried on the next run
            logger.warning("notificaciones_pendientes: correo no enviado (%s)", type(exc).__name__)
            break
    return {"pendientes": len(ids), "enviadas": enviadas}


def notificacion_marcar_leida(*, notificacion: Notificacion, usuario: Any) -> Notificacion:
    """Mark one of the user's own notifications read (already read: left as it was)."""
    if notificacion.usuario_id != usuario.pk:
        raise SinPermiso(_("Solo puede marcar sus propias notificaciones."))
    if notificacion.leida_en is None:
        notificacion.leida_en = timezone.now()
        Notificacion.objects.filter(pk=notificacion.pk, leida_en__isnull=True).update(leida_en=notificacion.leida_en)
    return notificacion


def notificaciones_marcar_todas_leidas(*, usuario: Any) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notificacion.objects.filter(usuario=usuario, leida_en__isnull=True).update(leida_en=timezone.now())

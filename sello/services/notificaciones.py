"""In-app notifications, with their e-mail sent by a task after commit."""

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipios.models import Municipalidad, Rol, Usuario

from ..errores import SinPermiso
from ..models import Notificacion


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
        transaction.on_commit(partial(notificacion_enviar_correo.delay, notificacion.pk))
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

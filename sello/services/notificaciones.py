"""In-app notifications, with their e-mail sent by a task after commit."""

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction

from municipios.models import Municipalidad, Rol, Usuario

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

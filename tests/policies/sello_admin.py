"""Access policy of the seal's admin screens.

Territorial records (adhesions, evidence, certificates) are region-scoped and read-only for
every SERMIG role; a regional of another región is sent away from an object of this one.
The catalogue and the scoring rule are national configuration that SERMIG staff read.
Notifications are for national staff only. Objects from ``base.preparar()`` plus one
notification created here.
"""

from collections.abc import Callable
from typing import Any

from municipios.models import Usuario
from sello.models import (
    Adhesion,
    CatalogoVersion,
    Certificado,
    EstadoEvidencia,
    Evidencia,
    Notificacion,
    ReglaPuntaje,
)

from .base import ADMIN_NACIONAL_ONLY, ADMIN_SCOPED_OBJ, ADMIN_STAFF_PAGE, admin_model

TITULO = "Notificación de la matriz de acceso"


def adhesion_pk() -> int:
    return Adhesion.objects.get(municipalidad__comuna_id="13108").pk


def evidencia_pk() -> int:
    return Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado=EstadoEvidencia.ENVIADA).pk


def certificado_pk() -> int:
    return Certificado.objects.get(adhesion__municipalidad__comuna_id="13125").pk


def catalogo_pk() -> int:
    return CatalogoVersion.objects.filter(publicada_en__isnull=False).latest("publicada_en").pk


def regla_pk() -> int:
    return ReglaPuntaje.objects.filter(publicada_en__isnull=False).latest("version").pk


def notificacion_pk() -> int:
    return Notificacion.objects.get(titulo=TITULO).pk


def territorial(app_model: str, obj: Callable[[], Any]) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    return admin_model(app_model, obj, changelist=ADMIN_STAFF_PAGE, change=ADMIN_SCOPED_OBJ)


def configuracion(app_model: str, obj: Callable[[], Any]) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    return admin_model(app_model, obj, changelist=ADMIN_STAFF_PAGE, change=ADMIN_STAFF_PAGE)


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    **territorial("sello/adhesion", adhesion_pk),
    **territorial("sello/evidencia", evidencia_pk),
    **territorial("sello/certificado", certificado_pk),
    **configuracion("sello/catalogoversion", catalogo_pk),
    **configuracion("sello/reglapuntaje", regla_pk),
    **admin_model("sello/notificacion", notificacion_pk, changelist=ADMIN_NACIONAL_ONLY, change=ADMIN_NACIONAL_ONLY),
}


def preparar() -> None:
    Notificacion.objects.create(usuario=Usuario.objects.get(username="p.regional"), titulo=TITULO)

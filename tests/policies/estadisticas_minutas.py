"""Access policy of the minuta pages (/estadisticas/minutas/...) and of the statistics' admin
screens (minutas, imports of official data).

The minuta is Independencia's (13108, Región Metropolitana), ready with its PDF: Quilicura's
officer and the Valparaíso regional team get a 404 on its download (and a redirect away in the
admin); the Comité Evaluador has no minutas (403). The request and the bulk generation accept
POST only (tested for every persona in ``tests/test_estadisticas_minutas_web.py``). Imports are
for national staff only.
"""

from collections.abc import Callable

from django.core.files.base import ContentFile

from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import Fuente, Importacion, Minuta
from sello.demo import PDF_MINIMO

from .base import ADMIN_FORBIDDEN, ADMIN_NACIONAL_ONLY, ADMIN_NO_STAFF, ADMIN_SERMIG_SEES, admin_model, expect

PERIODO = "2025-S2"
RELEASE = "matriz-de-acceso"


def minuta_independencia() -> Minuta:
    return Minuta.objects.get(comuna_id="13108", periodo=PERIODO)


def importacion_pk() -> int:
    return Importacion.objects.get(release=RELEASE).pk


MINUTAS_HTML = expect(200, anonimo=302, evaluador=403)
MINUTA_HTML = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=403)
POST_HTML = expect(405, anonimo=302)
# The Comité Evaluador is staff but has no minutas; a regional of another región is sent away.
ADMIN_MINUTA = {**ADMIN_NO_STAFF, "regional": 200, "regional_otra": 302, "nacional": 200, "evaluador": 403}
ADMIN_MINUTA_HISTORY = {**ADMIN_MINUTA, "evaluador": 302}

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "estadisticas/minutas/": (lambda: "/estadisticas/minutas/", MINUTAS_HTML),
    "estadisticas/minutas/solicitar/": (lambda: "/estadisticas/minutas/solicitar/", POST_HTML),
    "estadisticas/minutas/programar/": (lambda: "/estadisticas/minutas/programar/", POST_HTML),
    "estadisticas/minutas/<uuid:uuid>/descargar/": (
        lambda: f"/estadisticas/minutas/{minuta_independencia().uuid}/descargar/",
        MINUTA_HTML,
    ),
    **admin_model(
        "estadisticas/minuta",
        lambda: minuta_independencia().pk,
        changelist={**ADMIN_SERMIG_SEES},
        change=ADMIN_MINUTA,
        add=ADMIN_FORBIDDEN,
        delete=ADMIN_FORBIDDEN,
        history=ADMIN_MINUTA_HISTORY,
    ),
    **admin_model(
        "estadisticas/importacion",
        importacion_pk,
        changelist=ADMIN_NACIONAL_ONLY,
        change=ADMIN_NACIONAL_ONLY,
    ),
}


def preparar() -> None:
    """Independencia's minuta of 2025-S2, ready (a minimal PDF), and one completed import."""
    minuta = Minuta(comuna_id="13108", periodo=PERIODO, version_plantilla=VERSION_PLANTILLA, estado=Minuta.Estado.LISTA)
    minuta.archivo.save("minuta-13108-2025-S2.pdf", ContentFile(PDF_MINIMO), save=False)
    minuta.tamano = len(PDF_MINIMO)
    minuta.save()
    Importacion.objects.create(
        fuente=Fuente.INE_SERMIG_REGIONES, release=RELEASE, estado=Importacion.Estado.COMPLETADA, filas=0
    )

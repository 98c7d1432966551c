"""Access policy of the seal's API (adhesiones, evidencias): GETs only; the POSTs are tested
for every persona in ``tests/test_api_sello.py``.

Objects are Independencia's (13108, Región Metropolitana): Quilicura's officer and the
Valparaíso regional team get a 404, the Comité Evaluador reads everything.
"""

from collections.abc import Callable

from sello.models import Adhesion, EstadoEvidencia, Evidencia

from .base import API_OBJ_READ, API_READ, expect


def adhesion_independencia() -> Adhesion:
    return Adhesion.objects.get(municipalidad__comuna_id="13108")


def evidencia_independencia() -> Evidencia:
    return Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado=EstadoEvidencia.ENVIADA)


# Action routes accept POST only: a GET is refused before any object is looked up.
API_POST_ONLY = expect(405, anonimo=401)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "api/v1/^adhesiones/$": (lambda: "/api/v1/adhesiones/", API_READ),
    "api/v1/^adhesiones/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/adhesiones/{adhesion_independencia().uuid}/",
        API_OBJ_READ,
    ),
    "api/v1/^adhesiones/(?P<uuid>[^/.]+)/transiciones/$": (
        lambda: f"/api/v1/adhesiones/{adhesion_independencia().uuid}/transiciones/",
        API_POST_ONLY,
    ),
    "api/v1/^evidencias/$": (lambda: "/api/v1/evidencias/", API_READ),
    "api/v1/^evidencias/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/evidencias/{evidencia_independencia().uuid}/",
        API_OBJ_READ,
    ),
    "api/v1/^evidencias/(?P<uuid>[^/.]+)/revisar/$": (
        lambda: f"/api/v1/evidencias/{evidencia_independencia().uuid}/revisar/",
        API_POST_ONLY,
    ),
}

"""Access policy of the municipal seal pages ("Mi Sello", adhesion, plan, evidence).

Objects from ``base.preparar()``: Independencia (13108) in implementation, with evidence in
every review state (the "enviada" one is a stored PDF). GET only; the POSTs are tested in
``tests/test_sello_municipal.py``.
"""

from collections.abc import Callable

from sello.models import AccionPlan, Adhesion, EstadoEvidencia, Evidencia

from .base import POST_ONLY, expect

# Mi Sello: the officers see their own municipality's seal; SERMIG staff are sent to their pages.
MI_SELLO = expect(302, municipal=200, municipal_otra=200)
# Seen by whoever sees the adhesion (the Comité Evaluador reads everything).
LECTURA = expect(200, anonimo=302, municipal_otra=404, regional_otra=404)
# The municipality's own forms: others of the territory see the seal but do not act for it.
MUNICIPAL_PROPIO = expect(403, anonimo=302, municipal=200, municipal_otra=404, regional_otra=404)


def adhesion() -> Adhesion:
    return Adhesion.objects.get(municipalidad__comuna_id="13108")


def accion_pk() -> int:
    return AccionPlan.objects.filter(plan__adhesion__municipalidad__comuna_id="13108").order_by("pk").first().pk  # type: ignore[union-attr]


def evidencia_con_archivo() -> Evidencia:
    return Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado=EstadoEvidencia.ENVIADA)


def url(suffix: str) -> Callable[[], str]:
    return lambda: f"/sello/{adhesion().uuid}/{suffix}"


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "sello/": (lambda: "/sello/", MI_SELLO),
    "sello/interes/": (lambda: "/sello/interes/", POST_ONLY),
    "sello/<uuid:uuid>/adhesion/": (url("adhesion/"), MUNICIPAL_PROPIO),
    "sello/<uuid:uuid>/carta.pdf": (url("carta.pdf"), LECTURA),
    "sello/<uuid:uuid>/transicion/": (url("transicion/"), POST_ONLY),
    "sello/<uuid:uuid>/plan/acciones/nueva/": (url("plan/acciones/nueva/"), MUNICIPAL_PROPIO),
    "sello/<uuid:uuid>/plan/acciones/<int:pk>/": (lambda: url(f"plan/acciones/{accion_pk()}/")(), MUNICIPAL_PROPIO),
    "sello/<uuid:uuid>/plan/enviar/": (url("plan/enviar/"), POST_ONLY),
    "sello/<uuid:uuid>/acciones/<int:pk>/evidencias/nueva/": (
        lambda: url(f"acciones/{accion_pk()}/evidencias/nueva/")(),
        MUNICIPAL_PROPIO,
    ),
    "sello/evidencias/<uuid:uuid>/archivo/": (
        lambda: f"/sello/evidencias/{evidencia_con_archivo().uuid}/archivo/",
        LECTURA,
    ),
}

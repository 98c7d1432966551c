"""Access policy of the SERMIG seal pages (review queue, seal file, national decisions, the
Comité Evaluador's evaluations).

Objects from ``base.preparar()``: Independencia (13108) in implementation with evidence in
every review state; Quilicura (13125) certified; Santiago (13101) in evaluation, assigned to
the evaluador persona; Ñuñoa (13120) with its plan submitted. GET only; the POSTs (allowed and
denied for every persona) are tested in ``tests/test_sello_sermig.py``.
"""

from collections.abc import Callable

from sello.models import Adhesion, Certificado, EstadoEvidencia, Evaluacion, Evidencia

from .base import POST_ONLY, expect

# The review queue: regional and national staff; the Comité Evaluador is sent to its list.
REVISION = expect(200, anonimo=302, municipal=403, municipal_otra=403, evaluador=302)
# The seal file: SERMIG staff of the territory and the evaluador read it; the municipality is
# sent to "Mi Sello"; other territories get a 404.
DETALLE = expect(200, anonimo=302, municipal=302, municipal_otra=404, regional_otra=404)
# National decisions: seen in the territory but refused to every role except nacional.
NACIONAL = expect(403, anonimo=302, municipal_otra=404, regional_otra=404, nacional=200)
# The Comité Evaluador's own work; another person's evaluation does not exist for them.
EVALUACIONES = expect(403, anonimo=302, evaluador=200)
EVALUACION = expect(404, anonimo=302, evaluador=200)


def adhesion(cut: str) -> Adhesion:
    return Adhesion.objects.get(municipalidad__comuna_id=cut)


def url(cut: str, suffix: str = "") -> Callable[[], str]:
    return lambda: f"/sello/{adhesion(cut).uuid}/{suffix}"


def evidencia() -> Evidencia:
    return Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado=EstadoEvidencia.ENVIADA)


def certificado_pk() -> int:
    return Certificado.objects.get(adhesion__municipalidad__comuna_id="13125").pk


def evaluacion() -> Evaluacion:
    return Evaluacion.objects.get(adhesion__municipalidad__comuna_id="13101")


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "sello/revision/": (lambda: "/sello/revision/", REVISION),
    "sello/<uuid:uuid>/": (url("13108"), DETALLE),
    "sello/evidencias/<uuid:uuid>/revisar/": (
        lambda: f"/sello/evidencias/{evidencia().uuid}/revisar/",
        POST_ONLY,
    ),
    "sello/<uuid:uuid>/plan/revisar/": (url("13120", "plan/revisar/"), POST_ONLY),
    "sello/<uuid:uuid>/evaluadores/": (url("13108", "evaluadores/"), NACIONAL),
    "sello/<uuid:uuid>/decision/": (url("13108", "decision/"), NACIONAL),
    "sello/<uuid:uuid>/retirar/": (url("13108", "retirar/"), POST_ONLY),
    "sello/certificados/<int:pk>/revocar/": (lambda: f"/sello/certificados/{certificado_pk()}/revocar/", POST_ONLY),
    "sello/evaluaciones/": (lambda: "/sello/evaluaciones/", EVALUACIONES),
    "sello/evaluaciones/<uuid:uuid>/": (lambda: f"/sello/evaluaciones/{evaluacion().uuid}/", EVALUACION),
}

"""Access policy of the training certificates (list and progress, issue, PDF, revocation) and the
satisfaction survey (public answer page, results).

Objects come from ``base.preparar()``: "Capacitación regional RM" (organised by p.regional,
inviting Independencia) with Ana (attended, certificate issued) and Luis (survey unanswered).
Independencia's officer sees the training and Ana's certificate; Quilicura's officer and the
Valparaíso team do not see the training (404); the Comité Evaluador sees no training (404).
"""

from collections.abc import Callable

from capacitaciones.models import Capacitacion, CertificadoCapacitacion, Inscripcion

from .base import expect

VISIBLE = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=404)
SOLO_POST = expect(405, anonimo=302)
PUBLICO = expect(200)
# The organiser (p.regional), national staff; the invited municipality's officer sees the
# training but not the survey results.
RESULTADOS = {**VISIBLE, "municipal": 403}


def regional_rm() -> Capacitacion:
    return Capacitacion.objects.get(titulo="Capacitación regional RM")


def codigo_ana() -> str:
    return CertificadoCapacitacion.objects.get(inscripcion__email="ana@independencia.cl").codigo


def token_luis() -> str:
    return Inscripcion.objects.get(email="luis@independencia.cl").token_encuesta


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "capacitaciones/<uuid:uuid>/certificados/": (
        lambda: f"/capacitaciones/{regional_rm().uuid}/certificados/",
        VISIBLE,
    ),
    "capacitaciones/<uuid:uuid>/certificados/emitir/": (
        lambda: f"/capacitaciones/{regional_rm().uuid}/certificados/emitir/",
        SOLO_POST,
    ),
    "capacitaciones/certificados/<str:codigo>/pdf/": (
        lambda: f"/capacitaciones/certificados/{codigo_ana()}/pdf/",
        VISIBLE,
    ),
    "capacitaciones/certificados/<str:codigo>/revocar/": (
        lambda: f"/capacitaciones/certificados/{codigo_ana()}/revocar/",
        SOLO_POST,
    ),
    # No account needed: the token is the authorisation (a bogus one is a 404, tested apart).
    "capacitaciones/encuesta/<str:token>/": (lambda: f"/capacitaciones/encuesta/{token_luis()}/", PUBLICO),
    "capacitaciones/<uuid:uuid>/encuesta/resultados/": (
        lambda: f"/capacitaciones/{regional_rm().uuid}/encuesta/resultados/",
        RESULTADOS,
    ),
}

"""Access policy of the operativos and good-practices pages.

Operativos are territorial: municipal officers, regional and national staff within their
territory (another territory: 404); the Comité Evaluador has no operativos (403). The catalogue
of published good practices is for every user with a role; submitting and "Mis prácticas" are
for municipal officers; the review queue for national staff. Objects from ``base.preparar()``:
the operativo of Independencia (13108) and "Práctica publicada Quilicura".
"""

from collections.abc import Callable

from capacitaciones.models import BuenaPractica, DispositivoTerritorial

from .base import POST_ONLY, expect

OPERATIVOS = expect(200, anonimo=302, evaluador=403)
OPERATIVO = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=403)
CATALOGO = expect(200, anonimo=302)
SOLO_MUNICIPAL = expect(403, anonimo=302, municipal=200, municipal_otra=200)
SOLO_NACIONAL = expect(403, anonimo=302, nacional=200)


def operativo() -> str:
    return str(DispositivoTerritorial.objects.get(comuna_id="13108").uuid)


def publicada() -> str:
    return str(BuenaPractica.objects.get(nombre="Práctica publicada Quilicura").uuid)


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "capacitaciones/operativos/": (lambda: "/capacitaciones/operativos/", OPERATIVOS),
    "capacitaciones/operativos/nuevo/": (lambda: "/capacitaciones/operativos/nuevo/", OPERATIVOS),
    "capacitaciones/operativos/<uuid:uuid>/": (lambda: f"/capacitaciones/operativos/{operativo()}/", OPERATIVO),
    "capacitaciones/practicas/": (lambda: "/capacitaciones/practicas/", CATALOGO),
    "capacitaciones/practicas/nueva/": (lambda: "/capacitaciones/practicas/nueva/", SOLO_MUNICIPAL),
    "capacitaciones/practicas/mias/": (lambda: "/capacitaciones/practicas/mias/", SOLO_MUNICIPAL),
    "capacitaciones/practicas/revision/": (lambda: "/capacitaciones/practicas/revision/", SOLO_NACIONAL),
    # A published practice is in the catalogue: every persona with a role reads it.
    "capacitaciones/practicas/<uuid:uuid>/": (lambda: f"/capacitaciones/practicas/{publicada()}/", CATALOGO),
    "capacitaciones/practicas/<uuid:uuid>/revisar/": (
        lambda: f"/capacitaciones/practicas/{publicada()}/revisar/",
        POST_ONLY,
    ),
}

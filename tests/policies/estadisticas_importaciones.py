"""Access policy of the official data imports (/estadisticas/importaciones/...): national staff
only. Everybody else with an account gets 403, anonymous visitors the login page. The object is
an import recorded by ``preparar()``."""

from collections.abc import Callable

from estadisticas.models import Fuente, Importacion

from .base import expect

SOLO_NACIONAL = expect(403, anonimo=302, nacional=200)
RELEASE = "politica-de-acceso"


def importacion() -> int:
    return Importacion.objects.get(release=RELEASE).pk


def preparar() -> None:
    Importacion.objects.create(
        fuente=Fuente.SERMIG_REFUGIO,
        release=RELEASE,
        nombre_archivo="refugio.csv",
        estado=Importacion.Estado.ERROR,
        error="Prueba de acceso",
        reporte={"no_reconocidas": [{"nombre": "Gotham", "filas": 1, "lineas": [2]}]},
    )


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "estadisticas/importaciones/": (lambda: "/estadisticas/importaciones/", SOLO_NACIONAL),
    "estadisticas/importaciones/nueva/": (lambda: "/estadisticas/importaciones/nueva/", SOLO_NACIONAL),
    "estadisticas/importaciones/<int:pk>/": (
        lambda: f"/estadisticas/importaciones/{importacion()}/",
        SOLO_NACIONAL,
    ),
}

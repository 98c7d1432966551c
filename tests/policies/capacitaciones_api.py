"""Access policy of the API of trainings, operativos and good practices (GET only: the API is
read-only).

- "Capacitación regional RM" is organised by SERMIG RM and invites Independencia: Quilicura's
  officer (not invited), the Valparaíso regional team and the Comité Evaluador get a 404;
- the operativo is Independencia's (13108): the same 404s;
- "Práctica publicada Quilicura" is published: every logged-in user reads it. The evaluador's
  lists of trainings and operativos are empty 200s.
"""

from collections.abc import Callable

from capacitaciones.models import BuenaPractica, Capacitacion, DispositivoTerritorial

from .base import API_READ, expect


def capacitacion_regional() -> Capacitacion:
    return Capacitacion.objects.get(titulo="Capacitación regional RM")


def operativo_independencia() -> DispositivoTerritorial:
    return DispositivoTerritorial.objects.get(comuna_id="13108")


def practica_publicada() -> BuenaPractica:
    return BuenaPractica.objects.get(nombre="Práctica publicada Quilicura")


API_TERRITORIAL = expect(200, anonimo=401, municipal_otra=404, regional_otra=404, evaluador=404)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "api/v1/^capacitaciones/$": (lambda: "/api/v1/capacitaciones/", API_READ),
    "api/v1/^capacitaciones/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/capacitaciones/{capacitacion_regional().uuid}/",
        API_TERRITORIAL,
    ),
    "api/v1/^dispositivos/$": (lambda: "/api/v1/dispositivos/", API_READ),
    "api/v1/^dispositivos/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/dispositivos/{operativo_independencia().uuid}/",
        API_TERRITORIAL,
    ),
    "api/v1/^buenas-practicas/$": (lambda: "/api/v1/buenas-practicas/", API_READ),
    "api/v1/^buenas-practicas/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/buenas-practicas/{practica_publicada().uuid}/",
        API_READ,
    ),
}

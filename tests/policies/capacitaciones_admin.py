"""Access policy of the admin screens of trainings, operativos and good practices.

Read-only for regional and national staff; a regional of another región is sent away from an
object of this one (the "does not exist" redirect), and refused its history (403); the Comité
Evaluador has nothing here (403). Objects from ``base.preparar()``: "Capacitación regional RM"
(SERMIG RM, inviting Independencia), the operativo of Independencia and "Práctica enviada
Independencia".
"""

from collections.abc import Callable
from typing import Any

from capacitaciones.models import BuenaPractica, Capacitacion, DispositivoTerritorial

from .base import ADMIN_FORBIDDEN, admin_model

LISTA = {**ADMIN_FORBIDDEN, "regional": 200, "regional_otra": 200, "nacional": 200}
OBJETO = {**ADMIN_FORBIDDEN, "regional": 200, "regional_otra": 302, "nacional": 200}
HISTORIAL = {**ADMIN_FORBIDDEN, "regional": 200, "nacional": 200}


def capacitacion() -> Capacitacion:
    return Capacitacion.objects.get(titulo="Capacitación regional RM")


def dispositivo() -> DispositivoTerritorial:
    return DispositivoTerritorial.objects.get(comuna_id="13108")


def practica() -> BuenaPractica:
    return BuenaPractica.objects.get(nombre="Práctica enviada Independencia")


def con_historial(app_model: str, obj: Callable[[], Any]) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    def version() -> str:
        objeto = obj()
        return f"/admin/{app_model}/{objeto.pk}/history/{objeto.history.latest().pk}/"

    return {
        **admin_model(app_model, lambda: obj().pk, changelist=LISTA, change=OBJETO, history=HISTORIAL),
        f"admin/{app_model}/^([^/]+)/history/([^/]+)/$": (version, HISTORIAL),
    }


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    **con_historial("capacitaciones/capacitacion", capacitacion),
    **con_historial("capacitaciones/dispositivoterritorial", dispositivo),
    **con_historial("capacitaciones/buenapractica", practica),
}

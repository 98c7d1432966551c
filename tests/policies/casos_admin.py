"""Access policy of the cases' admin screens.

Cases are region-scoped and read-only for regional and national staff; a regional of another
región is sent away from an object of this one; the Comité Evaluador sees no cases (403).
Response times are readable by SERMIG staff and edited by national staff. The access log of
sensitive cases is national only. Objects from ``base.preparar()`` (case "caso-gestion" of
Independencia) plus an access-log row and a history row of a response time created here.
"""

from collections.abc import Callable

from casos.models import AccesoSensible, Caso, PlazoRespuesta
from municipios.models import Usuario

from .base import ADMIN_FORBIDDEN, ADMIN_NACIONAL_ONLY, admin_model

# Regional and national staff; a regional of another región is redirected away from the object.
CASOS_LISTA = {**ADMIN_FORBIDDEN, "regional": 200, "regional_otra": 200, "nacional": 200}
CASO_OBJETO = {**ADMIN_FORBIDDEN, "regional": 200, "regional_otra": 302, "nacional": 200}
# National configuration, read by every regional team.
CONFIGURACION = {**ADMIN_FORBIDDEN, "regional": 200, "regional_otra": 200, "nacional": 200}


def caso_pk() -> int:
    return Caso.objects.get(descripcion="caso-gestion").pk


def plazo() -> PlazoRespuesta:
    return PlazoRespuesta.objects.get(tipo="violencia", prioridad="urgente")


def acceso_pk() -> int:
    return AccesoSensible.objects.get(caso__descripcion="caso-sensible").pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    # History: the object is looked up through the scoped queryset first, so the Comité
    # Evaluador (which sees no case) gets the "does not exist" redirect, without content.
    **admin_model(
        "casos/caso", caso_pk, changelist=CASOS_LISTA, change=CASO_OBJETO, history={**CASO_OBJETO, "evaluador": 302}
    ),
    **admin_model("casos/plazorespuesta", lambda: plazo().pk, changelist=CONFIGURACION, change=CONFIGURACION),
    "admin/casos/plazorespuesta/^([^/]+)/history/([^/]+)/$": (
        lambda: f"/admin/casos/plazorespuesta/{plazo().pk}/history/{plazo().history.latest().pk}/",
        CONFIGURACION,
    ),
    **admin_model("casos/accesosensible", acceso_pk, changelist=ADMIN_NACIONAL_ONLY, change=ADMIN_NACIONAL_ONLY),
}


def preparar() -> None:
    nacional = Usuario.objects.get(username="p.nacional")
    AccesoSensible.objects.create(caso=Caso.objects.get(descripcion="caso-sensible"), usuario=nacional, via="web")
    fila = plazo()
    fila.horas = 12
    fila.save()  # a history row for the history screens

"""Access policy of the cases' API (``/api/v1/casos/``): GETs only; the POSTs are tested for
every persona in ``tests/test_api_casos.py``.

The case is Independencia's "caso-gestion" (13108, Región Metropolitana): Quilicura's officer,
the Valparaíso regional team and the Comité Evaluador (which sees no cases) get a 404. The
evaluador's list is an empty 200.
"""

from collections.abc import Callable

from casos.models import Caso

from .base import API_READ, expect


def caso_gestion() -> Caso:
    return Caso.objects.get(descripcion="caso-gestion")


API_CASO = expect(200, anonimo=401, municipal_otra=404, regional_otra=404, evaluador=404)
# Action routes that accept POST only: a GET is refused before any object is looked up.
API_POST_ONLY = expect(405, anonimo=401)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "api/v1/^casos/$": (lambda: "/api/v1/casos/", API_READ),
    "api/v1/^casos/(?P<uuid>[^/.]+)/$": (lambda: f"/api/v1/casos/{caso_gestion().uuid}/", API_CASO),
    "api/v1/^casos/(?P<uuid>[^/.]+)/transiciones/$": (
        lambda: f"/api/v1/casos/{caso_gestion().uuid}/transiciones/",
        API_POST_ONLY,
    ),
    "api/v1/^casos/(?P<uuid>[^/.]+)/mensajes/$": (
        lambda: f"/api/v1/casos/{caso_gestion().uuid}/mensajes/",
        API_CASO,
    ),
}

"""Access policy of the data-protection pages of a person (``casos/web/privacidad.py``).

The person is the one of Independencia's "caso-gestion" (``base.preparar()``): her
municipality, the regional team of the Región Metropolitana and national staff read her page,
export her data and open the rectification form; Quilicura's officer, the Valparaíso team and
the Comité Evaluador (which sees no cases nor people) get a 404. Anonymisation and the log of
data-protection operations are for national staff (403 for the other roles that see her).
GET only; every POST is tested for every persona in ``tests/test_privacidad.py``. ``preparar``
logs one export, shown by the national log.
"""

from collections.abc import Callable

from casos.models import AccionPrivacidad, Caso, OperacionPrivacidad
from municipios.models import Usuario

from .base import POST_ONLY, expect

PERSONA = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=404)
ANONIMIZAR = expect(403, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=404, nacional=200)
SOLO_NACIONAL = expect(403, anonimo=302, nacional=200)


def url(suffix: str = "") -> Callable[[], str]:
    return lambda: f"/casos/privacidad/personas/{Caso.objects.get(descripcion='caso-gestion').persona.uuid}/{suffix}"


RUTA = "casos/privacidad/personas/<uuid:uuid>/"

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    RUTA: (url(), PERSONA),
    f"{RUTA}datos.json": (url("datos.json"), PERSONA),
    f"{RUTA}datos.pdf": (url("datos.pdf"), PERSONA),
    f"{RUTA}rectificar/": (url("rectificar/"), PERSONA),
    f"{RUTA}bloquear/": (url("bloquear/"), POST_ONLY),
    f"{RUTA}desbloquear/": (url("desbloquear/"), POST_ONLY),
    f"{RUTA}anonimizar/": (url("anonimizar/"), ANONIMIZAR),
    "casos/privacidad/": (lambda: "/casos/privacidad/", SOLO_NACIONAL),
}


def preparar() -> None:
    """One logged export of her data, so that the national log has a row to show."""
    OperacionPrivacidad.objects.create(
        persona=Caso.objects.get(descripcion="caso-gestion").persona,
        usuario=Usuario.objects.get(username="p.nacional"),
        accion=AccionPrivacidad.EXPORTAR,
        detalle="json",
    )

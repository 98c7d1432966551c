"""Access policy of the case pages shared by the municipality and SERMIG (list, registration,
case file, draft edition, attachment download).

Objects from ``base.preparar()``, all of Independencia (13108) unless said: "caso-borrador"
(draft), "caso-gestion" (in management, assigned to p.regional, with a message carrying a PDF
attachment). The Comité Evaluador sees no case: 404 everywhere. GET only; the POSTs are
tested in ``tests/test_casos_paginas.py``.
"""

from collections.abc import Callable

from casos.models import Caso, Mensaje

from .base import POST_ONLY, expect

# Every persona with cases has a list (of its own territory: possibly empty).
LISTA = expect(200, anonimo=302, evaluador=404)
# Only municipal officers register cases (in their own comuna).
NUEVO = expect(403, anonimo=302, municipal=200, municipal_otra=200, evaluador=404)
# A case of Independencia: its municipality, its región and national staff.
CASO = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=404)
# The draft is edited by its municipality only; SERMIG staff see it but do not edit it.
EDITAR = expect(403, anonimo=302, municipal=200, municipal_otra=404, regional_otra=404, evaluador=404)


def caso(descripcion: str) -> Caso:
    return Caso.objects.get(descripcion=descripcion)


def url(descripcion: str, suffix: str = "") -> Callable[[], str]:
    return lambda: f"/casos/{caso(descripcion).uuid}/{suffix}"


def adjunto_pk() -> int:
    return Mensaje.objects.get(caso__descripcion="caso-gestion", adjunto__isnull=False).pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "casos/": (lambda: "/casos/", LISTA),
    "casos/nuevo/": (lambda: "/casos/nuevo/", NUEVO),
    "casos/<uuid:uuid>/": (url("caso-gestion"), CASO),
    "casos/<uuid:uuid>/accion/": (url("caso-gestion", "accion/"), POST_ONLY),
    "casos/<uuid:uuid>/mensajes/": (url("caso-gestion", "mensajes/"), POST_ONLY),
    "casos/<uuid:uuid>/editar/": (url("caso-borrador", "editar/"), EDITAR),
    "casos/adjuntos/<int:pk>/": (lambda: f"/casos/adjuntos/{adjunto_pk()}/", CASO),
}

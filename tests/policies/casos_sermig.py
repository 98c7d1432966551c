"""Access policy of the SERMIG case pages: the regional queue, the exports, the access log.

Role pages (no object in the URL): a role the page is not for gets 403 - the municipal
officers and the Comité Evaluador for the queue (the Comité sees no cases at all), everybody
but national staff for the access log. Exports are the list each user sees: officers export
their own comuna's cases, a regional team its región's (``regional_otra`` gets an empty file:
tested in ``tests/test_casos_exports.py``). GET only; the bulk assignment POST is tested for
every persona in ``tests/test_casos_sermig.py``.
"""

from collections.abc import Callable

from .base import POST_ONLY, expect

COLA = expect(403, anonimo=302, regional=200, regional_otra=200, nacional=200)
EXPORTAR = expect(200, anonimo=302, evaluador=403)
SOLO_NACIONAL = expect(403, anonimo=302, nacional=200)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "casos/cola/": (lambda: "/casos/cola/", COLA),
    "casos/cola/asignar/": (lambda: "/casos/cola/asignar/", POST_ONLY),
    "casos/exportar.csv": (lambda: "/casos/exportar.csv", EXPORTAR),
    "casos/exportar.xlsx": (lambda: "/casos/exportar.xlsx", EXPORTAR),
    "casos/accesos/": (lambda: "/casos/accesos/", SOLO_NACIONAL),
}

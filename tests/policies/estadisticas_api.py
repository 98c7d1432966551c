"""Access policy of the statistics' API: ``/api/v1/minutas/`` (GETs only; the request of a
minuta is tested for every persona in ``tests/test_api_estadisticas.py``) and
``/api/v1/estadisticas/``.

The minuta is Independencia's (``estadisticas_minutas.preparar``): Quilicura's officer, the
Valparaíso regional team and the Comité Evaluador (which has no minutas) get a 404. The
aggregates are Independencia's: visible to its municipality, its región, national staff and
the Comité Evaluador (statistics are open to it); 404 for another municipality or región.
"""

from collections.abc import Callable

from .base import API_READ, expect
from .estadisticas_minutas import PERIODO, minuta_independencia

API_MINUTA = expect(200, anonimo=401, municipal_otra=404, regional_otra=404, evaluador=404)
API_ESTADISTICAS = expect(200, anonimo=401, municipal_otra=404, regional_otra=404)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "api/v1/^minutas/$": (lambda: "/api/v1/minutas/", API_READ),
    "api/v1/^minutas/(?P<uuid>[^/.]+)/$": (lambda: f"/api/v1/minutas/{minuta_independencia().uuid}/", API_MINUTA),
    "api/v1/^minutas/(?P<uuid>[^/.]+)/descargar/$": (
        lambda: f"/api/v1/minutas/{minuta_independencia().uuid}/descargar/",
        API_MINUTA,
    ),
    "api/v1/^estadisticas/$": (
        lambda: f"/api/v1/estadisticas/?nivel=comuna&codigo=13108&periodo={PERIODO}",
        API_ESTADISTICAS,
    ),
}

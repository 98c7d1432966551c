"""Access policy of the statistics dashboards, their map data and the public registry's map.

The rule is ``estadisticas.selectors.puede_ver_unidad``: the municipality sees its comuna, the
regional team its región and the región's comunas, national staff and the Comité Evaluador
everything. Another territory does not exist for the person (404); the national dashboard is a
matter of role (403). The seal-state maps are SERMIG's: a municipality gets 403 even for its
own región. The public registry's map (seal in force or not, nothing internal) is open.
The objects are Independencia (13108) and the Región Metropolitana (13).
"""

from collections.abc import Callable

from .base import expect

INICIO = expect(302)  # the login page, or the person's own dashboard
COMUNA = expect(200, anonimo=302, municipal_otra=404, regional_otra=404)
REGION = expect(200, anonimo=302, municipal=404, municipal_otra=404, regional_otra=404)
NACIONAL = expect(403, anonimo=302, nacional=200, evaluador=200)
MAPA_REGION = expect(200, anonimo=302, municipal=403, municipal_otra=403, regional_otra=404)
PUBLICO = expect(200)

POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "estadisticas/": (lambda: "/estadisticas/", INICIO),
    "estadisticas/comuna/<str:cut>/": (lambda: "/estadisticas/comuna/13108/", COMUNA),
    "estadisticas/region/<str:cut>/": (lambda: "/estadisticas/region/13/", REGION),
    "estadisticas/nacional/": (lambda: "/estadisticas/nacional/", NACIONAL),
    "estadisticas/mapa/<str:ambito>.json": (lambda: "/estadisticas/mapa/13.json", MAPA_REGION),
    "estadisticas/mapa/<str:ambito>.svg": (lambda: "/estadisticas/mapa/13.svg", MAPA_REGION),
    "registro/mapa.json": (lambda: "/registro/mapa.json", PUBLICO),
    "registro/mapa.svg": (lambda: "/registro/mapa.svg", PUBLICO),
}

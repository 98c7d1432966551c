"""IDOR probes on every URL pattern that carries an identifier (OWASP API1:2023, ASVS 4.0.3 V4.2.1).

Every such pattern (pages, admin, ``/api/v1/``) must be declared in ``RUTAS`` (or, for the
admin, be generated from ``tests/policies``): ``test_every_object_route_is_probed`` fails when a
new object route appears without probes. For each route, with the objects of
``tests.policies.preparar_todo()`` (Independencia, Región Metropolitana) and
``tests.idor_fixtures.preparar_idor()``:

1. **swapped identifiers** - every persona the declared policy refuses (another municipality of
   the same región, a municipality and the regional team of another región, the Comité
   Evaluador where it sees nothing, roles refused with 403) uses the object's identifier with
   every method the route serves, plus the API's write verbs: the answer is the policy's denial
   (404 outside the territory, 403 where the role is refused, 405 for a method the route does
   not serve, a redirect to the login or away from the admin), with no file bytes and no
   protected content, and *no row of any table changed* (history tables included);
2. **guessed identifiers** - the person who may see the object tries non-existent ones (random
   UUIDs, 0, the largest 64-bit value and beyond, malformed text, a NUL byte): 404 (the admin:
   its "does not exist" redirect), never a 5xx, nothing changed;
3. **sequential identifiers** - integer ids ±1 around the object, by a persona of another
   territory: refused unless the neighbour is theirs.

Nested routes (a child of another parent), identifiers sent in bodies and list filters naming
another territory are in ``tests/test_idor_anidadas.py``. The run prints
``IDOR: N rutas, M sondas``.
"""

import re
import uuid as uuidlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from capacitaciones.models import Inscripcion, Sesion
from casos.models import Caso, Mensaje
from estadisticas.models import Importacion
from municipios.models import Usuario
from sello.models import AccionPlan, Adhesion, Certificado, Evidencia, Notificacion

from .conftest import api_client_for, client_for
from .idor_fixtures import diferencias, foto, preparar_idor
from .policies import Policy, modulos, preparar_todo


def politica_fusionada() -> Policy:
    # The access matrix (tests/test_access_matrix.py) refuses a URL declared twice; here the
    # declarations are only read.
    merged: Policy = {}
    for modulo in modulos():
        merged.update(modulo.POLICY)
    return merged


def url_patterns(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


POLICY = politica_fusionada()
pytestmark = pytest.mark.django_db

# Personas: the matrix's, plus an officer of another región (Valparaíso).
ATACANTES = ("anonimo", "municipal", "municipal_otra", "municipal_valparaiso", "regional", "regional_otra", "evaluador")
LECTORES = ("nacional", "regional", "municipal", "evaluador")
API_VERBOS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DENEGACIONES = {302, 401, 403, 404, 405}

# Markers of protected content that a denial must never carry.
PROTEGIDO = (
    "Oficina de prueba",
    "Wislande",
    "Nota interna",
    "Ana Pérez",
    "Encargada de prueba",
    "Adjunto antecedentes",
)
BYTES_DE_ARCHIVO = (b"%PDF", b"PK\x03\x04")


@dataclass(frozen=True)
class Ruta:
    """How to probe one object route.

    ``metodos``: the methods it serves. ``datos``: a plausible body for its writes (built after
    the objects exist). ``atacantes``: for routes the policy only declares as POST (every GET is
    405), who is refused and with which status. ``lector``: who may reach the object (guesses);
    by default the first of ``LECTORES`` the policy lets in. ``vecinos``: the model behind an
    integer id, for the ±1 probes. ``publica``: the identifier is a public code or territory
    (no territory to swap: guessed identifiers only)."""

    metodos: tuple[str, ...] = ("GET",)
    datos: Callable[[], dict[str, Any]] | None = None
    atacantes: dict[str, int] = field(default_factory=dict)
    lector: str | None = None
    vecinos: Callable[[], Any] | None = None
    publica: bool = False


GP = ("GET", "POST")
STAFF_ATACANTES = ("regional", "regional_otra", "evaluador")
POST = ("POST",)
FUERA = {"municipal_otra": 404, "municipal_valparaiso": 404, "regional_otra": 404, "anonimo": 302}


def fuera(**extra: int) -> dict[str, int]:
    return {**FUERA, **extra}


def caso(descripcion: str) -> Caso:
    return Caso.objects.get(descripcion=descripcion)


def adhesion(cut: str) -> Adhesion:
    return Adhesion.objects.get(municipalidad__comuna_id=cut)


def version_de_adhesion(cut: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"accion": "solicitar_evaluacion", "version": adhesion(cut).version, "comentario": "x"}


def datos_evidencia_revisar() -> dict[str, Any]:
    ev = Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado="enviada")
    return {"estado": "aceptada", "comentario": "ok", "version": ev.version}


def datos_accion_caso() -> dict[str, Any]:
    return {"accion": "solicitar_informacion", "version": caso("caso-gestion").version, "comentario": "¿Y?"}


RUTAS: dict[str, Ruta] = {
    # municipios
    "municipios/<uuid:uuid>/": Ruta(GP),  # no method restriction: a POST reads like a GET
    "municipios/<uuid:uuid>/editar/": Ruta(GP, datos=lambda: {"oficina_nombre": "Intrusa", "version": 1}),
    # sello (municipality)
    "sello/<uuid:uuid>/adhesion/": Ruta(GP, datos=lambda: {"version": adhesion("13108").version}),
    "sello/<uuid:uuid>/carta.pdf": Ruta(),
    "sello/<uuid:uuid>/transicion/": Ruta(
        POST, datos=version_de_adhesion("13108"), atacantes=fuera(evaluador=403, regional=403), lector="municipal"
    ),
    "sello/<uuid:uuid>/plan/acciones/nueva/": Ruta(GP, datos=lambda: {"linea": 1, "nombre": "Intrusa"}),
    "sello/<uuid:uuid>/plan/acciones/<int:pk>/": Ruta(
        GP, datos=lambda: {"nombre": "Intrusa"}, vecinos=lambda: AccionPlan.objects
    ),
    "sello/<uuid:uuid>/plan/enviar/": Ruta(
        POST,
        datos=lambda: {"version": 1},
        atacantes=fuera(evaluador=403, regional=403),
        lector="municipal",
    ),
    "sello/<uuid:uuid>/acciones/<int:pk>/evidencias/nueva/": Ruta(
        GP,
        datos=lambda: {"descripcion": "Intrusa", "enlace": "https://example.org/x"},
        vecinos=lambda: AccionPlan.objects,
    ),
    "sello/evidencias/<uuid:uuid>/archivo/": Ruta(),
    # sello (SERMIG)
    "sello/evaluaciones/<uuid:uuid>/": Ruta(GP, datos=lambda: {"comentario": "Intrusa"}),
    "sello/evidencias/<uuid:uuid>/revisar/": Ruta(
        POST,
        datos=datos_evidencia_revisar,
        atacantes=fuera(municipal=403, evaluador=403),
        lector="regional",
    ),
    "sello/certificados/<int:pk>/revocar/": Ruta(
        POST,
        datos=lambda: {"motivo": "Intrusa"},
        atacantes=fuera(municipal=404, municipal_otra=403, evaluador=403, regional=403),  # Quilicura's
        lector="nacional",
        vecinos=lambda: Certificado.objects,
    ),
    "sello/<uuid:uuid>/": Ruta(GP),  # no method restriction: a POST reads like a GET
    "sello/<uuid:uuid>/plan/revisar/": Ruta(
        POST,
        datos=lambda: {"decision": "aprobar", "version": 1, "comentario": "ok"},
        atacantes=fuera(municipal=404, evaluador=403),  # Ñuñoa's plan: outside both officers' comuna
        lector="regional",
    ),
    "sello/<uuid:uuid>/evaluadores/": Ruta(GP),
    "sello/<uuid:uuid>/decision/": Ruta(GP),
    "sello/<uuid:uuid>/retirar/": Ruta(
        POST,
        datos=lambda: {"version": adhesion("13108").version, "comentario": "Intrusa"},
        atacantes=fuera(municipal=403, evaluador=403, regional=403),
        lector="nacional",
    ),
    "sello/notificaciones/<int:pk>/leida/": Ruta(
        POST,
        atacantes={
            "municipal_otra": 404,
            "municipal_valparaiso": 404,
            "regional": 404,
            "regional_otra": 404,
            "evaluador": 404,
            "anonimo": 302,
        },
        lector="municipal",
        vecinos=lambda: Notificacion.objects,
    ),
    "sello/certificados/<str:codigo>/pdf/": Ruta(),
    # casos
    "casos/<uuid:uuid>/": Ruta(),
    "casos/<uuid:uuid>/accion/": Ruta(POST, datos=datos_accion_caso, atacantes=fuera(evaluador=404), lector="regional"),
    "casos/<uuid:uuid>/mensajes/": Ruta(
        POST, datos=lambda: {"texto": "Intrusa"}, atacantes=fuera(evaluador=404), lector="regional"
    ),
    "casos/<uuid:uuid>/editar/": Ruta(
        GP, datos=lambda: {"descripcion": "Intrusa", "tipo": "regularizacion", "version": 1}
    ),
    "casos/adjuntos/<int:pk>/": Ruta(vecinos=lambda: Mensaje.objects),
    "casos/privacidad/personas/<uuid:uuid>/": Ruta(),
    "casos/privacidad/personas/<uuid:uuid>/datos.json": Ruta(),
    "casos/privacidad/personas/<uuid:uuid>/datos.pdf": Ruta(),
    "casos/privacidad/personas/<uuid:uuid>/rectificar/": Ruta(GP, datos=lambda: {"nombres": "Intrusa", "motivo": "x"}),
    "casos/privacidad/personas/<uuid:uuid>/bloquear/": Ruta(
        POST, datos=lambda: {"motivo": "Intrusa"}, atacantes=fuera(evaluador=404), lector="nacional"
    ),
    "casos/privacidad/personas/<uuid:uuid>/desbloquear/": Ruta(
        POST, datos=lambda: {"motivo": "Intrusa"}, atacantes=fuera(evaluador=404), lector="nacional"
    ),
    "casos/privacidad/personas/<uuid:uuid>/anonimizar/": Ruta(GP, datos=lambda: {"confirmar": "on", "motivo": "x"}),
    # capacitaciones
    "capacitaciones/<uuid:uuid>/": Ruta(),
    "capacitaciones/<uuid:uuid>/sesiones/nueva/": Ruta(GP, datos=lambda: {"lugar": "Intrusa"}),
    "capacitaciones/<uuid:uuid>/inscripciones/": Ruta(
        POST,
        datos=lambda: {"nombre": "Intrusa", "email": "intrusa@example.org", "institucion": "X", "unidad": "dideco"},
        atacantes=fuera(evaluador=404),
        lector="regional",
    ),
    "capacitaciones/<uuid:uuid>/inscripciones/<int:pk>/cancelar/": Ruta(
        POST, atacantes=fuera(evaluador=404), lector="regional", vecinos=lambda: Inscripcion.objects
    ),
    "capacitaciones/sesiones/<int:pk>/asistencia/": Ruta(GP, vecinos=lambda: Sesion.objects),
    "capacitaciones/sesiones/<int:pk>/asistencia/importar/": Ruta(
        POST, atacantes=fuera(evaluador=404, municipal=403), lector="regional", vecinos=lambda: Sesion.objects
    ),
    "capacitaciones/sesiones/<int:pk>/hoja.pdf": Ruta(vecinos=lambda: Sesion.objects),
    "capacitaciones/<uuid:uuid>/certificados/": Ruta(),
    "capacitaciones/<uuid:uuid>/certificados/emitir/": Ruta(
        POST, atacantes=fuera(evaluador=404, municipal=403), lector="regional"
    ),
    "capacitaciones/certificados/<str:codigo>/pdf/": Ruta(),
    "capacitaciones/certificados/<str:codigo>/revocar/": Ruta(
        POST, datos=lambda: {"motivo": "Intrusa"}, atacantes=fuera(evaluador=404, municipal=403), lector="regional"
    ),
    "capacitaciones/encuesta/<str:token>/": Ruta(GP, publica=True),
    "capacitaciones/<uuid:uuid>/encuesta/resultados/": Ruta(),
    "capacitaciones/operativos/<uuid:uuid>/": Ruta(),
    "capacitaciones/practicas/<uuid:uuid>/": Ruta(publica=True),
    "capacitaciones/practicas/<uuid:uuid>/revisar/": Ruta(
        POST,
        datos=lambda: {"decision": "rechazar", "comentario": "Intrusa"},
        atacantes={
            "municipal": 403,
            "municipal_otra": 403,
            "regional": 403,
            "regional_otra": 403,
            "evaluador": 403,
            "anonimo": 302,
        },
        lector="nacional",
    ),
    # estadisticas
    "estadisticas/importaciones/<int:pk>/": Ruta(vecinos=lambda: Importacion.objects),
    "estadisticas/minutas/<uuid:uuid>/descargar/": Ruta(),
    "estadisticas/comuna/<str:cut>/": Ruta(),
    "estadisticas/region/<str:cut>/": Ruta(),
    "estadisticas/mapa/<str:ambito>.json": Ruta(),
    "estadisticas/mapa/<str:ambito>.svg": Ruta(),
    # public
    "verificar/<str:codigo>/": Ruta(publica=True),
    # API
    "api/v1/^regiones/(?P<cut>[^/.]+)/$": Ruta(publica=True),
    "api/v1/^comunas/(?P<cut>[^/.]+)/$": Ruta(publica=True),
    "api/v1/^municipios/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^adhesiones/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^adhesiones/(?P<uuid>[^/.]+)/transiciones/$": Ruta(
        POST,
        datos=lambda: {"accion": "solicitar_evaluacion", "version": adhesion("13108").version},
        atacantes={"municipal_otra": 404, "municipal_valparaiso": 404, "regional_otra": 404, "anonimo": 401},
        lector="municipal",
    ),
    "api/v1/^evidencias/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^evidencias/(?P<uuid>[^/.]+)/revisar/$": Ruta(
        POST,
        datos=datos_evidencia_revisar,
        atacantes={"municipal_otra": 404, "municipal_valparaiso": 404, "regional_otra": 404, "anonimo": 401},
        lector="regional",
    ),
    "api/v1/^casos/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^casos/(?P<uuid>[^/.]+)/mensajes/$": Ruta(("GET", "POST"), datos=lambda: {"texto": "Intrusa"}),
    "api/v1/^casos/(?P<uuid>[^/.]+)/transiciones/$": Ruta(
        POST,
        datos=datos_accion_caso,
        atacantes={
            "municipal_otra": 404,
            "municipal_valparaiso": 404,
            "regional_otra": 404,
            "evaluador": 404,
            "anonimo": 401,
        },
        lector="regional",
    ),
    "api/v1/^capacitaciones/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^dispositivos/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^buenas-practicas/(?P<uuid>[^/.]+)/$": Ruta(publica=True),
    "api/v1/^minutas/(?P<uuid>[^/.]+)/$": Ruta(),
    "api/v1/^minutas/(?P<uuid>[^/.]+)/descargar/$": Ruta(),
}

# Admin object routes: probed from their access policy (every one of them, generated).
ADMIN_PUBLICAS = ("admin/r/<path:content_type_id>/<path:object_id>/", "admin/(?P<url>.*)$")


def tiene_identificador(route: str) -> bool:
    return "<" in route or "(?P<" in route or "([^/]+)" in route


def rutas_con_identificador() -> set[str]:
    return {r for r in url_patterns() if tiene_identificador(r)}


def ruta_de(route: str) -> Ruta:
    if route in RUTAS:
        return RUTAS[route]
    assert route.startswith("admin/"), route
    return Ruta(GP, publica=route in ADMIN_PUBLICAS or "app_label" in route)


PROBADAS = sorted(RUTAS.keys() | {r for r in POLICY if r.startswith("admin/") and tiene_identificador(r)})


def test_every_object_route_is_probed() -> None:
    """A route with an identifier added without IDOR probes (or probes for a route that is gone)."""
    rutas = rutas_con_identificador()
    assert sorted(rutas - set(PROBADAS)) == [], "object routes without IDOR probes"
    assert sorted(set(PROBADAS) - rutas) == [], "IDOR probes for routes that no longer exist"


# --- Probes -------------------------------------------------------------------------------


@dataclass
class Sonda:
    tipo: str  # intercambio | adivinado | vecino
    persona: str
    metodo: str
    url: str
    esperado: frozenset[int]
    datos: dict[str, Any] | None = None


CONTADOR: Counter[str] = Counter()
RUTAS_PROBADAS: set[str] = set()


def es_api(url: str) -> bool:
    return url.startswith("/api/")


def es_admin(route: str) -> bool:
    return route.startswith("admin/")


def lector_de(route: str, ruta: Ruta) -> str | None:
    if ruta.lector:
        return ruta.lector
    if route in ADMIN_PUBLICAS:
        return "nacional"
    esperado = POLICY[route][1]
    return next((p for p in LECTORES if esperado.get(p) == 200), None)


def denegacion_de(route: str, ruta: Ruta, persona: str, metodo: str, url: str) -> int | None:
    """The status the declared policy gives ``persona`` for ``metodo``; None if allowed."""
    if ruta.atacantes:
        if persona not in ruta.atacantes:
            return None
        if metodo == "POST":
            return ruta.atacantes[persona]
        if persona == "anonimo":
            return 401 if es_api(url) else ANONIMO_METODO
        return 405
    politica_persona = "municipal_otra" if persona == "municipal_valparaiso" else persona
    status = POLICY[route][1][politica_persona]
    if status < 300:
        return None
    if metodo not in ruta.metodos:
        if persona == "anonimo":
            return 401 if es_api(url) else ANONIMO_METODO
        return 405 if not es_admin(route) else status
    return status


# An anonymous request with a method the page does not serve: 405 or the login redirect,
# depending on the order of the view's decorators (both refuse before any lookup).
ANONIMO_METODO = -1


def segmentos_de_identificador(url: str) -> list[str]:
    """The path segments of ``url`` that are identifiers (as the resolver captured them)."""
    match = resolve(url.split("?")[0])
    valores = [str(v) for v in (*match.args, *match.kwargs.values())]
    return [v for v in valores if v]


def sustituir(url: str, valor: str, nuevo: str) -> str:
    partes = url.split("/")
    for i, parte in enumerate(partes):
        if parte == valor:
            partes[i] = nuevo
        elif parte.startswith(valor + "."):
            partes[i] = nuevo + parte[len(valor) :]
    return "/".join(partes)


def adivinanzas(valor: str) -> list[str]:
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", valor):
        return [str(uuidlib.uuid4()), "00000000-0000-0000-0000-000000000000"]
    if valor.isdigit():
        return ["0", "999999999", str(2**63), "9" * 40]
    return ["NOEXISTE0000", "x" * 300, "%00", "..%2F..%2Fetc"]


def sondas_de(route: str) -> Iterator[Sonda]:
    ruta = ruta_de(route)
    url = POLICY[route][0]()
    datos = ruta.datos() if ruta.datos else {}
    verbos = API_VERBOS if es_api(url) else GP
    # 1. Swapped identifiers.
    if not ruta.publica:
        for persona in ATACANTES:
            for metodo in verbos:
                status = denegacion_de(route, ruta, persona, metodo, url)
                if status is not None:
                    esperado = {302, 405} if status == ANONIMO_METODO else {status}
                    if es_admin(route) and metodo == "POST" and persona in STAFF_ATACANTES:
                        # A POST is checked against the change permission first: 403 for an
                        # object outside the territory, the same as for one that does not exist.
                        esperado |= {403}
                    yield Sonda("intercambio", persona, metodo, url, frozenset(esperado), datos)
    # 2. Guessed identifiers, by someone who may see the real one.
    lector = lector_de(route, ruta)
    metodo = "GET" if "GET" in ruta.metodos else "POST"
    if lector is not None:
        for valor in segmentos_de_identificador(url):
            extra = ["no-es-un-uuid", "1", "%00"] if es_api(url) and not valor.isdigit() else []
            for guess in [*adivinanzas(valor), *extra]:
                # The admin answers an unknown object with its "does not exist" redirect, or a
                # 404 (django-simple-history's screens, the catch-all).
                esperado = {302, 404} if es_admin(route) else {404}
                yield Sonda("adivinado", lector, metodo, sustituir(url, valor, guess), frozenset(esperado), datos)
    # 3. Sequential integer ids around the object, by a persona of another territory.
    if ruta.vecinos is not None:
        valor = next(v for v in segmentos_de_identificador(url) if v.isdigit())
        modelo = ruta.vecinos()
        for vecino in (int(valor) - 1, int(valor) + 1):
            for persona in ("municipal_otra", "regional_otra"):
                status = denegacion_de(route, ruta, persona, metodo, url)
                if status is None or (modelo.filter(pk=vecino).exists() and not ajeno(modelo, vecino, persona)):
                    continue
                # A role refused by the route may be told so before or after the lookup.
                esperado = {403, 404} if status == 403 else {404}
                yield Sonda("vecino", persona, metodo, sustituir(url, valor, str(vecino)), frozenset(esperado), datos)


def ajeno(modelo: Any, pk: int, persona: str) -> bool:
    """Whether the row ``pk`` is outside ``persona``'s territory (so a probe must be refused)."""
    from municipios.scoping import scoped

    user = Usuario.objects.get(username=USUARIOS[persona])
    try:
        return not scoped(user, modelo.filter(pk=pk)).exists()
    except Exception:  # models not scoped by territory (users' notifications, imports)
        return True


USUARIOS = {
    "municipal": "p.municipal",
    "municipal_otra": "p.municipal.otra",
    "municipal_valparaiso": "p.municipal.valpo",
    "regional": "p.regional",
    "regional_otra": "p.regional.otra",
    "nacional": "p.nacional",
    "evaluador": "p.evaluador",
}


# One logged-in client per user and kind within a test (probes never log out): a login per
# probe (session, second factor) cost more than the probe.
CLIENTES: dict[tuple[int | None, bool], Client | APIClient] = {}


def cliente(user: Usuario | None, url: str) -> Client | APIClient:
    clave = (user.pk if user is not None else None, es_api(url))
    if clave not in CLIENTES:
        client = api_client_for(user) if es_api(url) else client_for(user)
        client.raise_request_exception = False  # a server error is a finding, reported as a 500
        CLIENTES[clave] = client
        ESTADO.clear()  # a login writes (last_login, its history): a new baseline
    return CLIENTES[clave]


# The state of the tables before the next probe: taken once per test, then after each probe
# (every probe is refused, so it stays the same unless one changed something).
ESTADO: dict[str, dict[str, tuple[int, str]]] = {}


def ejecutar(sonda: Sonda, user: Usuario | None) -> list[str]:
    client = cliente(user, sonda.url)
    # A refused GET is checked for rows written (counts), a refused write for any change.
    completa = sonda.metodo != "GET"
    clave = "antes" if completa else "conteos"
    antes = ESTADO[clave] if clave in ESTADO else foto(completa=completa)
    metodo = getattr(client, sonda.metodo.lower())
    if sonda.metodo == "GET":
        response = metodo(sonda.url)
    elif es_api(sonda.url):
        response = metodo(sonda.url, sonda.datos or {}, format="json")
    else:
        response = metodo(sonda.url, sonda.datos or {})
    errores = []
    donde = f"{sonda.tipo} {sonda.persona} {sonda.metodo} {sonda.url[:120]}"
    if response.status_code not in sonda.esperado:
        errores.append(f"{donde}: {response.status_code} (expected {sorted(sonda.esperado)})")
    if response.status_code >= 500:
        errores.append(f"{donde}: server error")
    if response.status_code in DENEGACIONES:
        cuerpo = b"".join(response.streaming_content) if response.streaming else response.content
        if cuerpo.startswith(BYTES_DE_ARCHIVO) or "attachment" in response.get("Content-Disposition", ""):
            errores.append(f"{donde}: a denial carries a file")
        texto = cuerpo.decode(errors="replace")
        errores += [f"{donde}: a denial shows {m!r}" for m in PROTEGIDO if m in texto]
        despues = foto(completa=completa)
        cambios = diferencias(antes, despues)
        if cambios:
            ESTADO.clear()  # the other baseline is stale too
        ESTADO[clave] = despues
        if cambios:
            errores.append(f"{donde}: a refused request changed {cambios}")
    return errores


@pytest.fixture
def idor_setup(municipal, municipal_otra, municipal_valparaiso, regional, regional_otra, nacional, evaluador) -> None:
    CLIENTES.clear()
    ESTADO.clear()
    preparar_todo()
    preparar_idor()


def grupo_de(route: str) -> str:
    """Routes are probed by area (one preparation of the objects per area): the first path
    segment, or the admin's app."""
    partes = route.split("/")
    if partes[0] == "admin" and len(partes) > 2 and not partes[1].startswith(("^", "(", "r")):
        return f"admin/{partes[1]}"
    if partes[0] == "api":
        return f"api/{partes[2].strip('^')}"
    return partes[0]


GRUPOS: dict[str, list[str]] = {}
for _route in PROBADAS:
    GRUPOS.setdefault(grupo_de(_route), []).append(_route)


@pytest.mark.parametrize("grupo", sorted(GRUPOS))
def test_idor(grupo: str, persona, idor_setup) -> None:
    """Swapped, guessed and sequential identifiers on every object route of one area. Every
    probe is refused, so the objects prepared once serve them all (a probe that changed
    anything fails, naming the tables)."""
    errores: list[str] = []
    for route in GRUPOS[grupo]:
        sondas = list(sondas_de(route))
        if not sondas:
            errores.append(f"{route}: no probe")
        for sonda in sondas:
            errores += ejecutar(sonda, persona(sonda.persona) if sonda.persona != "anonimo" else None)
            CONTADOR[sonda.tipo] += 1
        RUTAS_PROBADAS.add(route)
    if errores:
        pytest.fail("\n".join(errores), pytrace=False)


@pytest.fixture(scope="module", autouse=True)
def resumen_idor(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not CONTADOR:
        return
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    captura = request.config.pluginmanager.getplugin("capturemanager")
    detalle = ", ".join(f"{n} {tipo}" for tipo, n in sorted(CONTADOR.items()))
    linea = f"IDOR: {len(RUTAS_PROBADAS)} rutas, {sum(CONTADOR.values())} sondas ({detalle})"
    if reporter is not None and captura is not None:
        with captura.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(linea)

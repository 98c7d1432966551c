"""The access matrix: every URL pattern of the project x every persona, from the declared policies
(``tests/policies/``, one module per area).

``test_every_url_has_a_declared_policy`` fails when a URL pattern is added without an entry
in ``POLICY``: no page, admin screen or endpoint can be added untested. The objects used are
Independencia's (13108, Región Metropolitana), so ``municipal_otra`` (Quilicura) and
``regional_otra`` (Valparaíso) probe other territories: they must get a 404 (or, in the admin,
a redirect away), never the content.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from municipios.models import Municipalidad, Usuario

from .conftest import PERSONAS, api_client_for, client_for
from .policies import politica, preparar_todo

POLICY = politica()

pytestmark = pytest.mark.django_db


def url_patterns(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_url_has_a_declared_policy() -> None:
    routes = set(url_patterns())
    missing = sorted(routes - POLICY.keys())
    assert missing == [], f"URL patterns without a declared access policy: {missing}"
    stale = sorted(POLICY.keys() - routes)
    assert stale == [], f"Policies for URLs that no longer exist: {stale}"


CELLS = [(route, persona) for route in POLICY for persona in PERSONAS]


@pytest.fixture
def matrix_setup(municipal, municipal_otra, regional, regional_otra, nacional, evaluador) -> None:
    preparar_todo()


def area(route: str) -> str:
    """The routes are checked by area (the first path segment, the admin's app, the API's
    resource), with the objects prepared once per area: preparing them for each of 300 URLs
    took most of the matrix's time."""
    partes = route.split("/")
    if partes[0] in ("admin", "api") and len(partes) > 2:
        return "/".join(partes[:2]) if partes[0] == "admin" else "/".join(partes[:3])
    return partes[0] or "/"


AREAS: dict[str, list[str]] = {}
for _route in POLICY:
    AREAS.setdefault(area(_route), []).append(_route)


@pytest.mark.parametrize("nombre_area", sorted(AREAS))
def test_access(nombre_area: str, persona, matrix_setup) -> None:
    """Every URL of one area, every persona: the declared status, no protected content in a
    denial, and a GET never changes anything. (Cells are checked in a loop; each persona logs in
    once per area.)"""
    errores = []
    clientes: dict[tuple[str, bool], Any] = {}
    for route in AREAS[nombre_area]:
        build_url, expected = POLICY[route]
        url = build_url()
        es_api = url.startswith("/api/v1/")
        for persona_name in PERSONAS:
            user = persona(persona_name)
            if (persona_name, es_api) not in clientes:
                clientes[persona_name, es_api] = api_client_for(user) if es_api else client_for(user)
            before = snapshot()
            response = clientes[persona_name, es_api].get(url)
            CELDAS_PROBADAS.add((route, persona_name))
            if response.status_code != expected[persona_name]:
                errores.append(f"{url} {persona_name}: {response.status_code} (expected {expected[persona_name]})")
            if response.status_code in (302, 401, 403, 404, 405) and user is not None:
                body = response.content.decode(errors="replace")
                # A denial never leaks the protected office data.
                if "Oficina de prueba" in body:
                    errores.append(f"{url} {persona_name}: denial shows protected content")
            if snapshot() != before:
                errores.append(f"{url} {persona_name}: a GET changed data")
    assert errores == []


CELDAS_PROBADAS: set[tuple[str, str]] = set()


def snapshot() -> tuple[Any, ...]:
    from casos.models import Caso, Mensaje, Persona
    from sello.models import Adhesion, Evidencia, Notificacion

    # (The access log of sensitive cases is expected to grow on a GET: it is not part of this.)
    return (
        tuple(Municipalidad.objects.order_by("pk").values_list("pk", "version", "oficina_nombre")),
        Usuario.objects.count(),
        tuple(Adhesion.objects.order_by("pk").values_list("pk", "estado", "version")),
        tuple(Evidencia.objects.order_by("pk").values_list("pk", "estado", "version")),
        tuple(Caso.objects.order_by("pk").values_list("pk", "estado", "version", "asignado_a")),
        Mensaje.objects.count(),
        Persona.objects.count(),
        Notificacion.objects.filter(leida_en__isnull=False).count(),
    )


def test_the_matrix_size_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    denials = sum(1 for _, expected in POLICY.values() for status in expected.values() if status >= 300)
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(POLICY)} URL patterns x {len(PERSONAS)} personas = {len(CELLS)} cells, "
            f"{denials} denials (redirects to login, 401, 403, 404, 405); "
            f"{len(CELDAS_PROBADAS)} cells checked in this run"
        )
    assert len(CELLS) == len(POLICY) * len(PERSONAS)
    assert sum(map(len, AREAS.values())) == len(POLICY)  # every URL belongs to one area

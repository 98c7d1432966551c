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


@pytest.mark.parametrize("route", list(POLICY), ids=[r or "/" for r in POLICY])
def test_access(route: str, persona, matrix_setup) -> None:
    """One URL, every persona: the declared status, no protected content in a denial, and a GET
    never changes anything. (Objects are prepared once per URL; cells are checked in a loop.)"""
    build_url, expected = POLICY[route]
    url = build_url()
    errores = []
    for persona_name in PERSONAS:
        user = persona(persona_name)
        before = snapshot()
        client = api_client_for(user) if url.startswith("/api/v1/") else client_for(user)
        response = client.get(url)
        if response.status_code != expected[persona_name]:
            errores.append(f"{persona_name}: {response.status_code} (expected {expected[persona_name]})")
        if response.status_code in (302, 401, 403, 404, 405) and user is not None:
            body = response.content.decode(errors="replace")
            # A denial never leaks the protected office data.
            if "Oficina de prueba" in body:
                errores.append(f"{persona_name}: denial shows protected content")
        if snapshot() != before:
            errores.append(f"{persona_name}: a GET changed data")
    assert errores == [], f"{url}: {errores}"


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
            f"{denials} denials (redirects to login, 401, 403, 404, 405)"
        )
    assert len(CELLS) == len(POLICY) * len(PERSONAS)

"""The access matrix: every URL pattern of the project x every persona, from one declared policy.

``test_every_url_has_a_declared_policy`` fails when a URL pattern is added without an entry
in ``POLICY``: no page, admin screen or endpoint can be added untested. The objects used are
Independencia's (13108, Región Metropolitana), so ``municipal_otra`` (Quilicura) and
``regional_otra`` (Valparaíso) probe other territories: they must get a 404 (or, in the admin,
a redirect away), never the content.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from municipios.models import Municipalidad, Usuario
from sello.models import LatidoWorker

from .conftest import PERSONAS, api_client_for, client_for

pytestmark = pytest.mark.django_db

STAFF = ("regional", "regional_otra", "nacional", "evaluador")
NO_STAFF = ("anonimo", "municipal", "municipal_otra")


def expect(default: int, **by_persona: int) -> dict[str, int]:
    return {p: by_persona.get(p, default) for p in PERSONAS}


# --- Policies -----------------------------------------------------------------------------
PUBLIC = expect(200)
LOGIN_HTML = expect(200, anonimo=302)
HOME = expect(302, anonimo=200)
OBJ_READ_HTML = expect(200, anonimo=302, municipal_otra=404, regional_otra=404)
OBJ_WRITE_HTML = expect(200, anonimo=302, municipal_otra=404, regional_otra=404, evaluador=403)
POST_ONLY = expect(405)
API_READ = expect(200, anonimo=401)
API_OBJ_READ = expect(200, anonimo=401, municipal_otra=404, regional_otra=404)

# Admin: people who are not SERMIG staff are sent to the admin login; staff get what their role
# allows. 403 = seen as staff but not allowed; 302 for staff on an object = outside its
# territory ("does not exist" redirect, no content).
ADMIN_NO_STAFF = dict.fromkeys(NO_STAFF, 302)
ADMIN_STAFF_PAGE = {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 200)}
ADMIN_FORBIDDEN = {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 403)}
ADMIN_NACIONAL_ONLY = {**ADMIN_FORBIDDEN, "nacional": 200}
ADMIN_SERMIG_SEES = {
    **ADMIN_NO_STAFF,
    "regional": 200,
    "regional_otra": 200,
    "nacional": 200,
    "evaluador": 403,
}
ADMIN_SCOPED_OBJ = {
    **ADMIN_NO_STAFF,
    "regional": 200,
    "regional_otra": 302,
    "nacional": 200,
    "evaluador": 200,
}


@dataclass(frozen=True)
class Fixture:
    """What the URL's parameters are filled with."""

    kwargs: Callable[[], dict[str, Any]]


def independencia() -> Municipalidad:
    return Municipalidad.objects.get(comuna_id="13108")


def admin_model(
    app_model: str,
    obj: Callable[[], Any],
    *,
    changelist: dict[str, int],
    change: dict[str, int],
    add: dict[str, int] = ADMIN_FORBIDDEN,
    delete: dict[str, int] = ADMIN_FORBIDDEN,
    history: dict[str, int] | None = None,
) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    base = f"/admin/{app_model}/"

    def obj_url(suffix: str) -> Callable[[], str]:
        return lambda: f"{base}{obj()}/{suffix}"

    return {
        f"admin/{app_model}/": (lambda: base, changelist),
        f"admin/{app_model}/add/": (lambda: f"{base}add/", add),
        f"admin/{app_model}/<path:object_id>/change/": (obj_url("change/"), change),
        f"admin/{app_model}/<path:object_id>/delete/": (obj_url("delete/"), delete),
        f"admin/{app_model}/<path:object_id>/history/": (obj_url("history/"), history or change),
        # The bare object URL redirects to its change page, for everybody who reaches the admin.
        f"admin/{app_model}/<path:object_id>/": (obj_url(""), dict.fromkeys(PERSONAS, 302)),
    }


def superuser_only(
    app_model: str, obj: Callable[[], Any]
) -> dict[str, tuple[Callable[[], str], dict[str, int]]]:
    """Third-party admin screens (Celery beat schedules, groups, tokens): superusers only.

    No object exists there, so the history view answers the admin's "does not exist" redirect.
    """
    return admin_model(
        app_model,
        obj,
        changelist=ADMIN_FORBIDDEN,
        change=ADMIN_FORBIDDEN,
        delete=ADMIN_FORBIDDEN,
        history=dict.fromkeys(PERSONAS, 302),
    )


def usuario_pk() -> int:
    return Usuario.objects.get(username="p.municipal").pk


def usuario_history_pk() -> int:
    return Usuario.history.filter(id=usuario_pk()).latest().pk


def latido_pk() -> int:
    return LatidoWorker.objects.get(worker="w@host").pk


POLICY: dict[str, tuple[Callable[[], str], dict[str, int]]] = {
    "": (lambda: "/", HOME),
    "healthz": (lambda: "/healthz", PUBLIC),
    "accounts/login/": (lambda: "/accounts/login/", PUBLIC),
    "accounts/logout/": (lambda: "/accounts/logout/", POST_ONLY),
    "accounts/password_change/": (lambda: "/accounts/password_change/", LOGIN_HTML),
    "accounts/password_change/done/": (lambda: "/accounts/password_change/done/", LOGIN_HTML),
    "municipios/": (lambda: "/municipios/", LOGIN_HTML),
    "municipios/<uuid:uuid>/": (lambda: f"/municipios/{independencia().uuid}/", OBJ_READ_HTML),
    "municipios/<uuid:uuid>/editar/": (lambda: f"/municipios/{independencia().uuid}/editar/", OBJ_WRITE_HTML),
    # API
    "api/v1/auth/token/": (lambda: "/api/v1/auth/token/", POST_ONLY),
    "api/v1/^regiones/$": (lambda: "/api/v1/regiones/", API_READ),
    "api/v1/^regiones/(?P<cut>[^/.]+)/$": (lambda: "/api/v1/regiones/13/", API_READ),
    "api/v1/^comunas/$": (lambda: "/api/v1/comunas/", API_READ),
    "api/v1/^comunas/(?P<cut>[^/.]+)/$": (lambda: "/api/v1/comunas/13108/", API_READ),
    "api/v1/^municipios/$": (lambda: "/api/v1/municipios/", API_READ),
    "api/v1/^municipios/(?P<uuid>[^/.]+)/$": (
        lambda: f"/api/v1/municipios/{independencia().uuid}/",
        API_OBJ_READ,
    ),
    "api/schema/": (lambda: "/api/schema/", PUBLIC),
    "api/docs/": (lambda: "/api/docs/", PUBLIC),
    # Admin site
    "admin/": (lambda: "/admin/", ADMIN_STAFF_PAGE),
    "admin/login/": (lambda: "/admin/login/", {**dict.fromkeys(NO_STAFF, 200), **dict.fromkeys(STAFF, 302)}),
    "admin/logout/": (
        lambda: "/admin/logout/",
        {**dict.fromkeys(NO_STAFF, 302), **dict.fromkeys(STAFF, 405)},
    ),
    "admin/password_change/": (lambda: "/admin/password_change/", ADMIN_STAFF_PAGE),
    "admin/password_change/done/": (lambda: "/admin/password_change/done/", ADMIN_STAFF_PAGE),
    # Staff may search municipalities to fill a field; results come from the scoped queryset
    # (tested in test_admin.py).
    "admin/autocomplete/": (
        lambda: "/admin/autocomplete/?app_label=municipios&model_name=usuario&field_name=municipalidad",
        ADMIN_STAFF_PAGE,
    ),
    "admin/jsi18n/": (lambda: "/admin/jsi18n/", ADMIN_STAFF_PAGE),
    "admin/r/<path:content_type_id>/<path:object_id>/": (
        lambda: "/admin/r/999/1/",
        {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 404)},
    ),
    "admin/^(?P<app_label>auth|authtoken|django_celery_beat|municipios|sello)/$": (
        lambda: "/admin/municipios/",
        ADMIN_STAFF_PAGE,
    ),
    "admin/(?P<url>.*)$": (lambda: "/admin/no-existe/", {**ADMIN_NO_STAFF, **dict.fromkeys(STAFF, 404)}),
    "admin/municipios/municipalidad/^([^/]+)/history/([^/]+)/$": (
        lambda: (
            f"/admin/municipios/municipalidad/{independencia().pk}/history/{independencia().history.latest().pk}/"
        ),
        {**ADMIN_SCOPED_OBJ, "regional_otra": 403},
    ),
    "admin/municipios/usuario/<id>/password/": (
        lambda: f"/admin/municipios/usuario/{usuario_pk()}/password/",
        ADMIN_NACIONAL_ONLY,
    ),
    "admin/municipios/usuario/^([^/]+)/history/([^/]+)/$": (
        lambda: f"/admin/municipios/usuario/{usuario_pk()}/history/{usuario_history_pk()}/",
        ADMIN_NACIONAL_ONLY,
    ),
    **admin_model(
        "municipios/municipalidad",
        lambda: independencia().pk,
        changelist=ADMIN_STAFF_PAGE,
        change=ADMIN_SCOPED_OBJ,
        history={**ADMIN_SCOPED_OBJ, "regional_otra": 403},
    ),
    **admin_model("municipios/region", lambda: "13", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES),
    **admin_model(
        "municipios/provincia", lambda: "131", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES
    ),
    **admin_model(
        "municipios/comuna", lambda: "13108", changelist=ADMIN_SERMIG_SEES, change=ADMIN_SERMIG_SEES
    ),
    **admin_model(
        "municipios/usuario",
        usuario_pk,
        changelist=ADMIN_NACIONAL_ONLY,
        change=ADMIN_NACIONAL_ONLY,
        add=ADMIN_NACIONAL_ONLY,
    ),
    **admin_model(
        "sello/latidoworker", latido_pk, changelist=ADMIN_NACIONAL_ONLY, change=ADMIN_NACIONAL_ONLY
    ),
    **superuser_only("auth/group", lambda: 1),
    **superuser_only("authtoken/tokenproxy", lambda: 1),
    **superuser_only("django_celery_beat/periodictask", lambda: 1),
    **superuser_only("django_celery_beat/clockedschedule", lambda: 1),
    **superuser_only("django_celery_beat/crontabschedule", lambda: 1),
    **superuser_only("django_celery_beat/solarschedule", lambda: 1),
    **superuser_only("django_celery_beat/intervalschedule", lambda: 1),
}


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
def matrix_setup(
    municipal, municipal_otra, regional, regional_otra, nacional, evaluador, independencia
) -> None:
    LatidoWorker.objects.create(worker="w@host", ultimo="2026-01-01T00:00:00Z")
    independencia.oficina_nombre = "Oficina de prueba"
    independencia.save()  # a history row for the admin history view


@pytest.mark.parametrize(("route", "persona_name"), CELLS, ids=[f"{r or '/'}|{p}" for r, p in CELLS])
def test_access(route: str, persona_name: str, persona, matrix_setup, django_user_model) -> None:
    build_url, expected = POLICY[route]
    user = persona(persona_name)
    url = build_url()
    before = snapshot()
    client = api_client_for(user) if url.startswith("/api/v1/") else client_for(user)
    response = client.get(url)
    assert response.status_code == expected[persona_name], (url, persona_name, response.status_code)
    if response.status_code in (302, 401, 403, 404, 405) and user is not None:
        body = response.content.decode(errors="replace")
        # A denial never leaks the protected office data.
        assert "Oficina de prueba" not in body
    assert snapshot() == before  # a GET never changes anything


def snapshot() -> tuple[Any, ...]:
    return (
        tuple(Municipalidad.objects.order_by("pk").values_list("pk", "version", "oficina_nombre")),
        Usuario.objects.count(),
    )


def test_the_matrix_size_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    denials = sum(1 for _, expected in POLICY.values() for status in expected.values() if status >= 300)
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(POLICY)} URL patterns x {len(PERSONAS)} personas = {len(CELLS)} cells, "
            f"{denials} denials (redirects to login, 401, 403, 404, 405)"
        )
    assert len(CELLS) == len(POLICY) * len(PERSONAS)

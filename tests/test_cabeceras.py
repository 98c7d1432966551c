"""Security headers with the production settings: CSP (scripts from our origin only), HSTS,
nosniff, Referrer-Policy, frame denial, Permissions-Policy, secure cookies; and in a real browser
(test settings, same CSP) the pages, the Leaflet map and Swagger UI work with no CSP violation.

The production values are read from ``sello.settings.prod`` in a subprocess with the environment
of the deploy check (tests/test_settings_and_ops.py) and applied over the test settings; only
the database, storage and e-mail stay those of the tests.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from casos.models import EstadoCaso, Mensaje
from estadisticas.resumenes import resumenes_refrescar
from municipios.demo import sembrar_territorio
from municipios.models import Municipalidad
from sello.middleware import politica
from sello.models import EstadoSello

from .casos_fixtures import caso
from .conftest import client_for
from .navegador import entrar, lanzar
from .sello_fixtures import archivo_pdf, construir

ROOT = Path(__file__).resolve().parent.parent
PROD_SECRET = "x" * 20 + "-prod-secret-key-for-tests-only-0123456789abcdef"
AJUSTES = [
    "MIDDLEWARE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SELLO_CSP",
    "SELLO_CSP_RUTAS",
    "SELLO_PERMISSIONS_POLICY",
]
HSTS = "max-age=31536000; includeSubDomains; preload"


def leer_ajustes_prod(nombres: list[str] = AJUSTES) -> dict[str, Any]:
    """Settings ``nombres`` of sello.settings.prod, with the environment of the deploy check."""
    codigo = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {nombres!r}}}))"
    )
    resultado = subprocess.run(
        [sys.executable, "-c", codigo],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(ROOT)),
            "DJANGO_SETTINGS_MODULE": "sello.settings.prod",
            "DJANGO_SECRET_KEY": PROD_SECRET,
            "DJANGO_ALLOWED_HOSTS": "sello.example.cl",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resultado.returncode == 0, resultado.stderr
    ajustes: dict[str, Any] = json.loads(resultado.stdout)
    return ajustes


@pytest.fixture(scope="module")
def ajustes_prod() -> dict[str, Any]:
    return leer_ajustes_prod()


@pytest.fixture
def prod(settings: Any, ajustes_prod: dict[str, Any]) -> dict[str, Any]:
    for nombre, valor in ajustes_prod.items():
        setattr(settings, nombre, valor)
    return ajustes_prod


def assert_cabeceras(response: Any, csp: str, coop: str = "same-origin") -> None:
    assert response["Content-Security-Policy"] == csp
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == coop
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def directivas(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


def test_the_production_policy_allows_scripts_from_our_origin_only(ajustes_prod: dict[str, Any]) -> None:
    csp = directivas(ajustes_prod["SELLO_CSP"])

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert csp["style-src"] == ["'self'"]  # no inline style either
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert ajustes_prod["MIDDLEWARE"][:3] == [
        "sello.middleware.PeticionMiddleware",
        "sello.middleware.CabecerasMiddleware",
        "django.middleware.security.SecurityMiddleware",
    ]
    # Only Swagger UI, which starts with an inline script and styles, gets more, and the admin
    # (Django's templates) inline styles; frames stay denied.
    assert set(ajustes_prod["SELLO_CSP_RUTAS"]) == {"/api/docs/", "/admin/"}
    docs = directivas(ajustes_prod["SELLO_CSP_RUTAS"]["/api/docs/"])
    assert docs["script-src"] == docs["style-src"] == ["'self'", "'unsafe-inline'"]
    admin = directivas(ajustes_prod["SELLO_CSP_RUTAS"]["/admin/"])
    assert admin["script-src"] == ["'self'"]
    assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
    for otra in (docs, admin):
        assert {k: v for k, v in otra.items() if k not in ("script-src", "style-src")} == {
            k: v for k, v in csp.items() if k not in ("script-src", "style-src")
        }


PAGINAS = [
    ("anonimo", "/accounts/login/", 200),
    ("anonimo", "/registro/", 200),
    ("anonimo", "/healthz", 200),
    ("anonimo", "/api/v1/casos/", 401),
    ("anonimo", "/no-existe/", 404),
    ("municipal", "/casos/", 200),
    ("municipal", "/sello/", 200),
    ("municipal", "/estadisticas/comuna/13108/", 200),
    ("municipal", "/api/v1/casos/", 200),
    ("regional", "/estadisticas/region/13/", 200),
    ("regional", "/casos/cola/", 200),
    ("nacional", "/admin/", 200),
    ("nacional", "/capacitaciones/", 200),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("nombre", "ruta", "estado"), PAGINAS)
def test_every_page_has_the_security_headers(prod, nombre, ruta, estado, persona) -> None:
    response = client_for(persona(nombre)).get(ruta, secure=True)

    assert response.status_code == estado
    assert_cabeceras(response, politica(ruta))
    assert politica(ruta) == prod["SELLO_CSP_RUTAS"]["/admin/"] if ruta.startswith("/admin/") else prod["SELLO_CSP"]


@pytest.mark.django_db
def test_swagger_ui_gets_its_own_policy(prod) -> None:
    response = Client().get("/api/docs/", secure=True)

    assert response.status_code == 200
    # drf-spectacular relaxes COOP itself on this page, for Swagger UI's OAuth pop-up.
    assert_cabeceras(response, prod["SELLO_CSP_RUTAS"]["/api/docs/"], coop="unsafe-none")
    assert politica("/api/docs/") == prod["SELLO_CSP_RUTAS"]["/api/docs/"]
    assert politica("/api/v1/casos/") == politica("/") == prod["SELLO_CSP"]


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(prod) -> None:
    response = Client().get("/accounts/login/?next=/casos/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/?next=/casos/"
    assert "Strict-Transport-Security" not in response  # only sent over HTTPS (RFC 6797)
    assert response["Content-Security-Policy"] == prod["SELLO_CSP"]


@pytest.mark.django_db
def test_behind_the_proxy_the_forwarded_scheme_counts(prod) -> None:
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert_cabeceras(response, prod["SELLO_CSP"])


@pytest.mark.django_db
def test_downloads_keep_their_stricter_policy(prod, municipal, regional) -> None:
    c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
    m = Mensaje.objects.create(caso=c, autor=municipal, texto="Copia", adjunto=archivo_pdf(municipal))

    response = client_for(municipal).get(reverse("casos:adjunto", kwargs={"pk": m.pk}), secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_cabeceras(response, "default-src 'none'")


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure(prod, municipal) -> None:
    client = Client(enforce_csrf_checks=True)
    formulario = client.get("/accounts/login/", secure=True)
    csrf = formulario.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    response = client.post(
        "/accounts/login/",
        {"username": municipal.username, "password": "clave-de-prueba-1", "csrfmiddlewaretoken": csrf.value},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",  # Django checks it over HTTPS
    )

    assert response.status_code == 302
    sesion = response.cookies["sessionid"]
    assert sesion["secure"] is True
    assert sesion["httponly"] is True
    assert sesion["samesite"] == "Lax"


# --- In a browser, under the CSP of the test settings (the same as production's) -------------

VIOLACIONES = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
"""


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


def vigilar(page: Page) -> list[str]:
    """Collects the CSP violations and console errors of every page ``page`` opens."""
    errores: list[str] = []
    page.context.add_init_script(VIOLACIONES)
    page.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errores.append(str(e)))
    return errores


def violaciones(page: Page) -> list[str]:
    resultado: list[str] = page.evaluate("window.__csp")
    return resultado


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_work_under_the_csp_in_a_browser(browser: Browser, live_server: Any) -> None:
    # Given the demo users, two seals, a case and the summaries behind the dashboards
    usuarios = {u.username: u for u in sembrar_territorio()}
    municipal, regional = usuarios["muni.independencia"], usuarios["regional.rm"]
    for cut, estado in (("13108", EstadoSello.EN_IMPLEMENTACION), ("13125", EstadoSello.CERTIFICADA)):
        municipalidad = Municipalidad.objects.select_related("comuna__region").get(comuna_id=cut)
        construir(municipalidad, estado, municipal=municipal, regional=regional)
    caso(municipal, vencido=True)
    resumenes_refrescar()
    base = live_server.url

    # The regional dashboard draws the Leaflet map of the región (static/vendor + mapa.js)
    page = entrar(browser, base, "regional.rm")
    errores = vigilar(page)
    page.goto(f"{base}/estadisticas/region/13/")
    # Locators, not wait_for_function("…"): Playwright evaluates a string with eval, which the
    # policy blocks.
    expect(page.locator("path.leaflet-interactive")).to_have_count(52)
    expect(page.locator(".mapa-leyenda")).to_contain_text("Certificada")
    for ruta in ("/casos/cola/", "/municipios/", "/capacitaciones/"):
        page.goto(f"{base}{ruta}")
        expect(page.locator("h1")).to_be_visible()
    assert violaciones(page) == []
    assert errores == []

    # The municipal pages: the seal, the case form, the comuna dashboard
    page = entrar(browser, base, "muni.independencia")
    errores = vigilar(page)
    for ruta in ("/sello/", "/casos/nuevo/", "/casos/", "/estadisticas/comuna/13108/"):
        page.goto(f"{base}{ruta}")
        expect(page.locator("h1")).to_be_visible()
        assert violaciones(page) == [], ruta
    assert errores == []

    # The admin of SERMIG staff, and Swagger UI (its own policy) listing the API's operations
    page = entrar(browser, base, "nacional")
    errores = vigilar(page)
    page.goto(f"{base}/admin/")
    expect(page.locator("#site-name")).to_contain_text("Sello Migrante")
    assert violaciones(page) == []
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert violaciones(page) == []

    # The public registry's map, anonymous
    visitante = browser.new_context().new_page()
    errores_visitante = vigilar(visitante)
    visitante.goto(f"{base}/registro/")
    expect(visitante.locator("path.leaflet-interactive")).to_have_count(345)
    assert violaciones(visitante) == []
    assert errores + errores_visitante == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inline_scripts_and_eval_are_blocked(browser: Browser, live_server: Any) -> None:
    """The policy is really enforced in the browser: no inline script, no eval."""
    page = browser.new_context().new_page()
    vigilar(page)
    page.goto(f"{live_server.url}/accounts/login/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ejecutado = 1';"
        " document.body.appendChild(s); }"
    )

    assert page.evaluate("window.__ejecutado") is None
    # Playwright's string predicates run through eval in the page: refused.
    with pytest.raises(PlaywrightError, match="'unsafe-eval' is not an allowed source"):
        page.wait_for_function("window.__ejecutado === 1", timeout=2000)
    assert [v.split()[0] for v in violaciones(page)] == ["script-src-elem", "script-src"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inline_styles_are_blocked_outside_the_admin(browser: Browser, live_server: Any) -> None:
    """A style attribute or element injected in markup is not applied (a scriptless injection
    cannot restyle a page), while scripts may still set styles through the DOM (Leaflet)."""
    page = browser.new_context().new_page()
    vigilar(page)
    page.goto(f"{live_server.url}/accounts/login/")
    assert violaciones(page) == []  # the page itself has no inline style

    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'inyectado';"
        ' d.innerHTML = \'<p id="p1" style="color: rgb(255, 0, 0)">x</p><style>#p2 { color: rgb(0, 128, 0) }</style>'
        '<p id="p2">y</p><p id="p3">z</p>\'; document.body.appendChild(d);'
        " document.getElementById('p3').style.color = 'rgb(0, 0, 255)'; }"
    )

    color = "e => getComputedStyle(e).color"
    assert page.locator("#p1").evaluate(color) != "rgb(255, 0, 0)"
    assert page.locator("#p2").evaluate(color) != "rgb(0, 128, 0)"
    assert page.locator("#p3").evaluate(color) == "rgb(0, 0, 255)"
    assert {v.split()[0] for v in violaciones(page)} == {"style-src-attr", "style-src-elem"}

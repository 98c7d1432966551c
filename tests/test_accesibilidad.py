"""Headless Chromium + axe-core: the main pages of every role have no serious or critical
accessibility violation (WCAG 2.0/2.1 A and AA, plus axe's best practices).

axe-core is vendored from npm (``tests/vendor/axe-core-<version>/README.txt``) and never served
by the app. The app's CSP (``script-src 'self'``, no inline script) stays on in these tests: a
Playwright route answers one made-up same-origin URL with axe's source, and a ``<script src>``
to it is allowed by ``'self'``. Neither ``add_script_tag(content=...)`` (an inline script) nor a
context with ``bypass_csp=True`` is used, so the pages are checked exactly as the CSP lets them
render (a script that CSP blocks shows up here as it would for a user).

Every violation of every impact is written to ``test-artifacts/accesibilidad.json`` and
summarised on stdout (``pytest -s``); the test fails only on ``serious`` and ``critical`` ones.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from playwright.sync_api import Browser, Page, Route

from casos.models import EstadoCaso
from estadisticas.resumenes import resumenes_refrescar
from municipios.demo import sembrar_territorio
from municipios.models import Municipalidad
from sello.models import EstadoSello

from .capacitaciones_fixtures import capacitacion
from .casos_fixtures import caso
from .navegador import entrar, lanzar
from .sello_fixtures import construir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
# Not a route of the app: only the Playwright route below answers it (same origin, so 'self').
AXE_URL = "/__pruebas__/axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
REPORT = ARTIFACTS / "accesibilidad.json"

# role -> (demo user or None for anonymous, main pages); a page is a path or a callable of the data.
Ruta = str | Callable[[dict[str, Any]], str]
ROLES: dict[str, tuple[str | None, list[Ruta]]] = {
    "anónimo": (None, ["/", "/registro/", "/verificar/", "/accounts/login/"]),
    "municipal": (
        "muni.independencia",
        [
            "/",
            "/sello/",
            "/casos/",
            "/casos/nuevo/",
            lambda d: f"/casos/{d['caso'].uuid}/",
            "/capacitaciones/",
            "/estadisticas/comuna/13108/",
            "/estadisticas/minutas/",
        ],
    ),
    "regional": (
        "regional.rm",
        ["/", "/sello/revision/", "/casos/cola/", "/estadisticas/region/13/", "/admin/"],
    ),
    "nacional": ("nacional", ["/", "/estadisticas/nacional/", "/estadisticas/importaciones/"]),
    "evaluador": ("evaluador", ["/", "/sello/evaluaciones/"]),
}


@pytest.fixture(scope="module")
def browser(django_db_blocker: Any) -> Iterator[Browser]:
    yield from lanzar(django_db_blocker)


def datos() -> dict[str, Any]:
    """Enough data that the lists, queues and dashboards show rows, charts and forms."""
    usuarios = {u.username: u for u in sembrar_territorio()}
    municipal, regional = usuarios["muni.independencia"], usuarios["regional.rm"]
    independencia = Municipalidad.objects.select_related("comuna__region").get(comuna_id="13108")
    quilicura = Municipalidad.objects.select_related("comuna__region").get(comuna_id="13125")
    construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    construir(
        quilicura,
        EstadoSello.EN_EVALUACION,
        municipal=usuarios["muni.quilicura"],
        regional=regional,
        evaluador=usuarios["evaluador"],
        nacional=usuarios["nacional"],
    )
    valparaiso = Municipalidad.objects.select_related("comuna__region").get(comuna_id="05101")
    construir(valparaiso, EstadoSello.CERTIFICADA, municipal=usuarios["muni.valparaiso"], regional=regional)
    derivado = caso(municipal, estado=EstadoCaso.DERIVADO, vencido=True)
    capacitacion(regional, invitadas=[independencia], sesiones_futuras=1)
    resumenes_refrescar()
    return {"caso": derivado}


def ejecutar_axe(page: Page) -> dict[str, Any]:
    """Load axe into the open page from the routed same-origin URL and run it."""
    page.add_script_tag(url=AXE_URL)
    resultado: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    # A run that checked nothing would pass vacuously (say, an empty page or a failed load).
    assert resultado["passes"], f"{page.url}: axe checked nothing"
    return resultado


def resumir(reglas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """axe's results reduced to what the report prints: rule, impact, help, first targets."""
    return [
        {
            "id": r["id"],
            "impact": r["impact"],
            "help": r["help"],
            "nodes": len(r["nodes"]),
            "targets": [" ".join(map(str, n["target"])) for n in r["nodes"][:3]],
            "why": [n.get("failureSummary", "") for n in r["nodes"][:3]],
        }
        for r in reglas
    ]


def analizar(page: Page, url: str) -> dict[str, list[dict[str, Any]]]:
    """Open ``url`` and return axe's violations and the checks it left for a human to review."""
    respuesta = page.goto(url, wait_until="networkidle")
    assert respuesta is not None
    assert respuesta.status == 200, f"{url}: HTTP {respuesta.status}"
    # "/" redirects each role to its home; no page may end on the login form unless asked for it.
    assert "/accounts/login/" not in page.url or "/accounts/login/" in url, f"{url} asked for a login"
    resultado = ejecutar_axe(page)
    return {"violations": resumir(resultado["violations"]), "incomplete": resumir(resultado["incomplete"])}


def abrir(browser: Browser, base: str, usuario: str | None) -> Page:
    page = entrar(browser, base, usuario) if usuario else browser.new_context().new_page()
    page.set_default_timeout(15_000)
    fuente = AXE_JS.read_text(encoding="utf-8")

    def servir_axe(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=fuente)

    page.context.route(f"{base}{AXE_URL}", servir_axe)
    return page


def test_the_main_page_of_every_role_has_no_serious_or_critical_violation(browser: Browser, live_server: Any) -> None:
    d = datos()
    informe: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for rol, (usuario, rutas) in ROLES.items():
        page = abrir(browser, live_server.url, usuario)
        for ruta in rutas:
            path = ruta(d) if callable(ruta) else ruta
            resultado = analizar(page, f"{live_server.url}{path}")
            destino = page.url.removeprefix(live_server.url)
            informe[f"{rol} {path}" + (f" → {destino}" if destino != path else "")] = resultado
        page.context.close()

    violaciones = [(pagina, v) for pagina, r in informe.items() for v in r["violations"]]
    por_impacto = Counter(v["impact"] for _, v in violaciones)
    por_revisar = Counter(v["id"] for r in informe.values() for v in r["incomplete"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(informe, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        f"axe-core {AXE_VERSION}: {len(informe)} páginas revisadas; violaciones por impacto: "
        + ", ".join(f"{i} {por_impacto.get(i, 0)}" for i in IMPACTS)
        + f"; por revisar a mano (incomplete): {dict(por_revisar) or 0}"
    )
    bloqueantes = [
        f"{pagina}: [{v['impact']}] {v['id']} - {v['help']} ({v['nodes']} nodos: {', '.join(v['targets'])})"
        for pagina, v in violaciones
        if v["impact"] in BLOCKING
    ]
    for linea in bloqueantes:
        print(linea)
    assert not bloqueantes, "\n".join(bloqueantes)


def test_the_harness_reports_a_known_violation(browser: Browser, live_server: Any) -> None:
    """axe loaded this way (under the app's CSP) does find a field without a label."""
    page = abrir(browser, live_server.url, None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.querySelectorAll('label').forEach(label => label.remove())")

    violaciones = {v["id"]: v for v in ejecutar_axe(page)["violations"]}

    assert violaciones["label"]["impact"] == "critical"
    assert [n["target"] for n in violaciones["label"]["nodes"]] == [["#id_username"], ["#id_password"]]
    page.context.close()


def test_the_skip_link_shows_on_tab_and_moves_focus_to_the_content(browser: Browser, live_server: Any) -> None:
    """Keyboard users (axe cannot press keys): the first Tab shows the skip link, Enter jumps."""
    page = abrir(browser, live_server.url, None)
    page.goto(f"{live_server.url}/registro/")

    page.keyboard.press("Tab")
    enlace = page.locator(".skip-link")
    assert enlace.evaluate("el => el === document.activeElement")
    caja = enlace.bounding_box()
    assert caja is not None
    assert caja["x"] >= 0
    assert caja["y"] >= 0
    anillo = enlace.evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).boxShadow]")
    assert anillo[0] == "solid"
    assert anillo[1] != "none"
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "accesibilidad-foco.png"))

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenido"
    page.context.close()


def test_axe_is_vendored_with_its_licence_and_not_served() -> None:
    """The vendored file is the one the README names, under MPL-2.0, out of the static files."""
    carpeta = AXE_JS.parent
    readme = (carpeta / "README.txt").read_text(encoding="utf-8")

    assert f"axe.min.js sha256 {hashlib.sha256(AXE_JS.read_bytes()).hexdigest()}" in readme
    assert AXE_JS.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}")
    assert "Mozilla Public License, version 2.0" in (carpeta / "LICENSE").read_text(encoding="utf-8")
    assert finders.find("axe.min.js") is None
    assert finders.find(f"axe-core-{AXE_VERSION}/axe.min.js") is None

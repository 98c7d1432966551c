"""Map assets: the static comuna polygons, the seal-state colours and legend, the SVG
choropleth used in PDFs and without JavaScript, the vendored Leaflet and the map partial."""

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from estadisticas.mapa import COLORES, GEOJSON, SIN_ADHESION, leyenda, mapa_svg
from municipios.models import Comuna
from sello.models import EstadoSello

from .navegador import ARGS, CHROMIUM

STATIC = Path(settings.BASE_DIR) / "static"
SVG = "{http://www.w3.org/2000/svg}"


def parsear(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the map's own output, parsed to check it is XML


def comunas_geojson() -> list[dict]:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]


def test_the_geojson_is_small_and_has_every_comuna_but_antartica() -> None:
    features = comunas_geojson()

    assert GEOJSON.stat().st_size < 2 * 1024 * 1024
    assert len(features) == 345
    assert {tuple(sorted(f["properties"])) for f in features} == {("comuna", "cut", "region_cut")}
    assert "12202" not in {f["properties"]["cut"] for f in features}
    assert sum(1 for f in features if f["properties"]["region_cut"] == "13") == 52
    for feature in features:
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert feature["geometry"]["coordinates"], feature["properties"]["cut"]
        for poligono in feature["geometry"]["coordinates"]:
            for anillo in poligono:
                assert len(anillo) >= 4
                assert anillo[0] == anillo[-1]


@pytest.mark.django_db
def test_every_cut_in_the_geojson_is_a_comuna() -> None:
    cuts = {f["properties"]["cut"] for f in comunas_geojson()}

    # Reference data loaded by a migration, not territorial data of a user: no scoping.
    conocidas = set(Comuna.objects.filter(cut__in=cuts).values_list("cut", flat=True))

    assert cuts == conocidas


def test_the_map_licence_notice_ships_beside_the_file() -> None:
    aviso = (STATIC / "estadisticas" / "LICENCIA-MAPA.txt").read_text(encoding="utf-8")
    assert "chilemapas" in aviso
    assert "GPL" in aviso
    assert "12202" in aviso


def test_leaflet_is_vendored_with_its_licence() -> None:
    carpeta = STATIC / "vendor" / "leaflet-1.9.4"
    assert "BSD" in (carpeta / "LICENSE").read_text() or "Redistribution" in (carpeta / "LICENSE").read_text()
    assert "1.9.4" in (carpeta / "README.txt").read_text()
    assert 'version="1.9.4"' in (carpeta / "leaflet.js").read_text()
    for nombre in ("leaflet.css", "leaflet.js.map", "images/layers.png", "images/marker-icon.png"):
        assert (carpeta / nombre).is_file(), nombre


def test_the_map_script_is_csp_safe() -> None:
    codigo = (STATIC / "estadisticas" / "mapa.js").read_text(encoding="utf-8")
    assert "eval(" not in codigo
    assert "innerHTML" not in codigo
    assert "new Function" not in codigo
    assert "tileLayer" not in codigo


def test_every_seal_state_has_a_distinct_colour() -> None:
    assert set(COLORES) == {*EstadoSello.values, SIN_ADHESION}
    assert len(set(COLORES.values())) == len(COLORES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", color) for color in COLORES.values())


def test_the_legend_has_spanish_labels_in_the_seal_order() -> None:
    completa = leyenda()
    assert [e["estado"] for e in completa] == [*EstadoSello.values, SIN_ADHESION]
    assert completa[-1] == {"estado": SIN_ADHESION, "etiqueta": "Sin adhesión", "color": COLORES[SIN_ADHESION]}

    assert leyenda([EstadoSello.CERTIFICADA, SIN_ADHESION]) == [
        {"estado": "certificada", "etiqueta": "Certificada (vigente)", "color": COLORES["certificada"]},
        {"estado": SIN_ADHESION, "etiqueta": "Sin adhesión", "color": COLORES[SIN_ADHESION]},
    ]


def test_the_region_map_has_one_path_per_comuna() -> None:
    svg = mapa_svg({"13108": COLORES[EstadoSello.CERTIFICADA]}, region_cut="13", destacar="13108", titulo="RM")

    raiz = parsear(svg)
    caminos = raiz.findall(f"{SVG}path")
    assert len(caminos) == 52
    assert raiz.get("role") == "img"
    nombres = {c.findtext(f"{SVG}title") for c in caminos}
    assert {"Independencia", "Ñuñoa", "Santiago"} <= nombres
    # The highlighted comuna is drawn last, on top, with a thick outline.
    assert caminos[-1].findtext(f"{SVG}title") == "Independencia"
    assert caminos[-1].get("stroke-width") == "4"
    assert caminos[-1].get("fill") == COLORES[EstadoSello.CERTIFICADA]
    assert {c.get("fill") for c in caminos[:-1]} == {COLORES[SIN_ADHESION]}
    # The legend lists only the colours used.
    assert {"Certificada (vigente)", "Sin adhesión"} == {"".join(t.itertext()) for t in raiz.iter(f"{SVG}text")}


def test_the_map_escapes_names_and_refuses_bad_colours() -> None:
    svg = mapa_svg({"13108": '"/><script>alert(1)</script>'}, region_cut="13", titulo="<script>x</script>")

    assert "<script" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    parsear(svg)


def test_the_country_map_puts_the_oceanic_comunas_in_insets() -> None:
    raiz = parsear(mapa_svg({}, titulo="Chile"))

    assert len(raiz.findall(f"{SVG}path")) == 345
    assert {"Isla de Pascua", "Juan Fernández"} <= {"".join(t.itertext()) for t in raiz.iter(f"{SVG}text")}


def test_an_unknown_region_says_there_is_no_data() -> None:
    assert "Sin datos" in mapa_svg({}, region_cut="99", titulo="Nada")


def test_the_partial_wires_the_map_and_its_fallback() -> None:
    html = render_to_string(
        "estadisticas/_mapa.html",
        {
            "mapa_estados_url": "/estadisticas/mapa/estados.json?region=13",
            "mapa_svg": mapa_svg({}, region_cut="13", titulo="RM"),
            "mapa_titulo": "Estado del Sello en la Región Metropolitana",
        },
    )

    assert 'data-geojson="/static/estadisticas/comunas.geojson"' in html
    assert 'data-estados="/estadisticas/mapa/estados.json?region=13"' in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "/static/estadisticas/mapa.js" in html
    assert re.search(r"<noscript>\s*<svg", html)
    assert "onload" not in html
    assert "<script>" not in html  # external scripts only


def _pagina_de_prueba(page: Page, estados: tuple[int, str], respaldo: str = "") -> None:
    """Serves the rendered partial, the static files from disk and an estados response, all
    under a "script-src 'self'" policy, through Playwright routes (no server, no network)."""
    cuerpo = render_to_string(
        "estadisticas/_mapa.html",
        {"mapa_estados_url": "/estados.json", "mapa_titulo": "Región Metropolitana", "mapa_svg": respaldo},
    )
    html = f'<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"></head><body>{cuerpo}</body></html>'
    politica = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"

    def responder(route: Route) -> None:
        ruta = route.request.url.removeprefix(ORIGEN)
        if ruta == "/":
            route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": politica})
        elif ruta == "/estados.json":
            route.fulfill(status=estados[0], body=estados[1], content_type="application/json")
        elif ruta.startswith("/static/"):
            archivo = STATIC / ruta.removeprefix("/static/")
            tipos = {".js": "text/javascript", ".css": "text/css", ".geojson": "application/geo+json"}
            route.fulfill(body=archivo.read_bytes(), content_type=tipos.get(archivo.suffix, "application/octet-stream"))
        else:
            route.abort()

    page.route("**/*", responder)
    page.goto(ORIGEN + "/")


ORIGEN = "http://sello.test"


@pytest.fixture(scope="module")
def navegador() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.browser
def test_the_leaflet_map_colours_the_region_under_a_strict_csp(navegador: Browser) -> None:
    respuesta = {
        "estados": {
            "13108": {"estado": "certificada", "etiqueta": '<img src=x id="inyectado">', "color": "#1b7837"},
            "13125": {"estado": "en_implementacion", "etiqueta": "En implementación", "color": "red;x"},
        },
        "leyenda": [{"etiqueta": "Certificada (vigente)", "color": "#1b7837"}],
        "region": "13",
    }
    page = navegador.new_page()
    errores: list[str] = []
    page.on("console", lambda m: errores.append(m.text) if m.type == "error" else None)
    _pagina_de_prueba(page, (200, json.dumps(respuesta)))

    page.wait_for_selector(".leaflet-interactive")
    caminos = page.locator("path.leaflet-interactive")
    assert caminos.count() == 52
    rellenos = caminos.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    assert rellenos.count("#1b7837") == 1
    assert rellenos.count("#d9d9d9") == 51  # the invalid colour fell back to grey
    assert page.locator(".mapa-leyenda").inner_text().strip() == "Certificada (vigente)"
    assert page.locator(".leaflet-tile").count() == 0
    # Hover Independencia: its label is text, not markup.
    page.locator("path.leaflet-interactive[fill='#1b7837']").hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Independencia" in tooltip.inner_text()
    assert '<img src=x id="inyectado">' in tooltip.inner_text()
    assert page.locator("#inyectado").count() == 0
    assert errores == []


@pytest.mark.browser
def test_the_map_says_so_when_the_states_do_not_load(navegador: Browser) -> None:
    page = navegador.new_page()
    _pagina_de_prueba(page, (500, "{}"))

    # "Cargando el mapa…" first, then the error.
    expect(page.locator(".mapa-mensaje")).to_have_text("No se pudo cargar el mapa. Intente nuevamente más tarde.")
    assert page.locator(".leaflet-container").count() == 0


@pytest.mark.browser
def test_without_javascript_the_svg_map_shows(navegador: Browser) -> None:
    contexto = navegador.new_context(java_script_enabled=False)
    page = contexto.new_page()
    _pagina_de_prueba(page, (200, "{}"), respaldo=mapa_svg({}, region_cut="13", titulo="RM"))

    assert page.locator("svg[role=img] path").count() == 52
    caja = page.locator("svg[role=img]").bounding_box()
    assert caja is not None
    assert caja["height"] > 200
    contexto.close()

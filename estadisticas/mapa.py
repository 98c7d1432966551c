"""Comuna maps: the colour of each seal state, the legend, and a static SVG choropleth.

The interactive map (``static/estadisticas/mapa.js``, Leaflet without tiles) and this SVG draw
the same polygons, ``static/estadisticas/comunas.geojson`` (made by
``scripts/preparar_geojson.py``). The SVG is what PDFs (the minuta) embed and what a browser
without JavaScript shows.
"""

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sello.models import EstadoSello

SIN_ADHESION = "sin_adhesion"
GRIS = "#d9d9d9"
# Families a reader can tell apart without relying on hue alone (ColorBrewer sequential
# ramps, lightness rising with progress): light pinks when the process starts, ambers while
# the plan is made and carried out, blue and purple under evaluation, greens once certified,
# red and dark grey when the seal lapsed or the comuna withdrew.
COLORES: dict[str, str] = {
    SIN_ADHESION: GRIS,
    EstadoSello.INTERESADA: "#fde0ef",
    EstadoSello.ADHERIDA: "#f1b6da",
    EstadoSello.PLAN_EN_ELABORACION: "#fee391",
    EstadoSello.PLAN_APROBADO: "#fec44f",
    EstadoSello.EN_IMPLEMENTACION: "#ec7014",
    EstadoSello.EVALUACION_SOLICITADA: "#92c5de",
    EstadoSello.EN_EVALUACION: "#5e3c99",
    EstadoSello.CERTIFICADA: "#1b7837",
    EstadoSello.REVALIDACION_PENDIENTE: "#5aae61",
    EstadoSello.REVALIDADA: "#a6dba0",
    EstadoSello.VENCIDA: "#b2182b",
    EstadoSello.RETIRADA: "#636363",
}
COLORES = {str(estado): color for estado, color in COLORES.items()}
BORDE = "#4a5560"
DESTACADO = "#000000"
_COLOR_VALIDO = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
GEOJSON = Path(settings.BASE_DIR) / "static" / "estadisticas" / "comunas.geojson"
# Long side of the viewBox; coordinates are written with one decimal.
LADO = 1000.0
COLUMNA = 320.0  # the legend and the insets, right of the map
RECUADRO = 140.0
# West of this longitude a polygon is oceanic (Isla de Pascua, Juan Fernández, Desventuradas).
OCEANICO = -77.0
Poligono = list[list[list[float]]]
Proyector = Callable[[float, float], tuple[float, float]]


def etiqueta(estado: str) -> str:
    if estado == SIN_ADHESION:
        return _("Sin adhesión")
    return str(EstadoSello(estado).label)


def leyenda(estados_presentes: Iterable[str] | None = None) -> list[dict[str, str]]:
    """Legend entries ``{"estado", "etiqueta", "color"}`` in the seal's order, "Sin adhesión" last;
    only ``estados_presentes`` when given."""
    orden = [str(e) for e in EstadoSello.values] + [SIN_ADHESION]
    presentes = None if estados_presentes is None else {str(e) for e in estados_presentes}
    return [
        {"estado": estado, "etiqueta": etiqueta(estado), "color": COLORES[estado]}
        for estado in orden
        if presentes is None or estado in presentes
    ]


@functools.cache
def _comunas() -> list[dict[str, Any]]:
    """The polygons, read once per process (~1.3 MB)."""
    datos = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return list(datos["features"])


def _poligonos(geometria: Mapping[str, Any]) -> list[Poligono]:
    return list(geometria["coordinates"]) if geometria["type"] == "MultiPolygon" else [geometria["coordinates"]]


def _oceanico(poligono: Poligono) -> bool:
    return max(x for x, _y in poligono[0]) < OCEANICO


def _proyector(poligonos: list[Poligono], lado: float) -> tuple[Proyector, float, float]:
    """Equirectangular projection, longitudes shrunk by cos(mid-latitude), fitted to ``lado``."""
    xs = [x for p in poligonos for x, _y in p[0]]
    ys = [y for p in poligonos for _x, y in p[0]]
    coseno = math.cos(math.radians((min(ys) + max(ys)) / 2))
    ancho, alto = (max(xs) - min(xs)) * coseno, max(ys) - min(ys)
    escala = lado / max(ancho, alto, 1e-9)
    x0, y1 = min(xs), max(ys)

    def proyectar(x: float, y: float) -> tuple[float, float]:
        return round((x - x0) * coseno * escala, 1), round((y1 - y) * escala, 1)

    return proyectar, ancho * escala, alto * escala


def _trazado(poligonos: list[Poligono], proyectar: Proyector) -> str:
    """SVG path data; points closer than half a unit to the previous one are skipped."""
    partes = []
    for anillo in (a for p in poligonos for a in p):
        puntos: list[tuple[float, float]] = []
        for x, y in anillo:
            q = proyectar(x, y)
            if not puntos or abs(q[0] - puntos[-1][0]) + abs(q[1] - puntos[-1][1]) >= 0.5:
                puntos.append(q)
        if len(puntos) >= 3:
            partes.append("M" + "L".join(f"{x:g},{y:g}" for x, y in puntos) + "Z")
    if not partes and poligonos:
        # A comuna smaller than a unit still gets a (dot-sized) path of its own.
        partes.append("M" + "L".join("{:g},{:g}".format(*proyectar(x, y)) for x, y in poligonos[0][0]) + "Z")
    return "".join(partes)


def _camino(
    comuna: Mapping[str, Any], poligonos: list[Poligono], proyectar: Proyector, color: str, destacada: bool
) -> str:
    trazo = f'stroke="{DESTACADO}" stroke-width="4"' if destacada else f'stroke="{BORDE}" stroke-width="0.5"'
    return (
        f'<path d="{_trazado(poligonos, proyectar)}" fill="{color}" {trazo} fill-rule="evenodd" '
        f'stroke-linejoin="round"><title>{escape(comuna["properties"]["comuna"])}</title></path>'
    )


def _leyenda_svg(entradas: list[dict[str, str]], x: float) -> tuple[list[str], float]:
    partes = []
    for i, entrada in enumerate(entradas):
        y = i * 32
        partes.append(
            f'<rect x="{x:g}" y="{y:g}" width="22" height="22" fill="{entrada["color"]}" stroke="{BORDE}"/>'
            f'<text x="{x + 32:g}" y="{y + 17:g}">{escape(entrada["etiqueta"])}</text>'
        )
    return partes, len(entradas) * 32


def _sin_mapa(titulo: str) -> SafeString:
    return mark_safe(  # noqa: S308 - fixed markup, escaped text
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 60" width="100%" role="img">'
        f'<title>{escape(titulo)}</title><text x="200" y="34" text-anchor="middle" '
        f'font-family="DejaVu Sans, sans-serif" font-size="14">{escape(_("Sin datos"))}</text></svg>'
    )


def mapa_svg(
    colores: Mapping[str, str],
    *,
    region_cut: str | None = None,
    destacar: str | None = None,
    titulo: str,
    con_leyenda: bool = True,
) -> SafeString:
    """A static choropleth of every comuna (or those of ``region_cut``), each filled with
    ``colores[cut]`` (grey when absent), ``destacar`` outlined thick. The legend lists the
    seal states whose colours appear. Oceanic comunas (Isla de Pascua, Juan Fernández) are
    drawn in insets beside the mainland; the Desventuradas islets of Valparaíso are left out."""
    comunas = [c for c in _comunas() if region_cut is None or c["properties"]["region_cut"] == region_cut]
    if not comunas:
        return _sin_mapa(titulo)
    continentales, insulares = [], []
    for comuna in comunas:
        poligonos = _poligonos(comuna["geometry"])
        cercanos = [p for p in poligonos if not _oceanico(p)]
        if cercanos:
            continentales.append((comuna, cercanos))
        else:
            insulares.append((comuna, poligonos))
    if not continentales:
        continentales, insulares = insulares, []
    proyectar, ancho, alto = _proyector([p for _c, ps in continentales for p in ps], LADO)
    caminos: list[str] = []
    encima: list[str] = []
    usados: set[str] = set()

    def pintar(comuna: Mapping[str, Any], poligonos: list[Poligono], proyector: Proyector) -> str:
        cut = comuna["properties"]["cut"]
        color = colores.get(cut, GRIS)
        color = color if _COLOR_VALIDO.match(color) else GRIS
        usados.add(color.lower())
        camino = _camino(comuna, poligonos, proyector, color, cut == destacar)
        (encima if cut == destacar else caminos).append(camino)
        return camino

    for comuna, poligonos in continentales:
        pintar(comuna, poligonos, proyectar)
    columna = ancho + 30
    recuadros, y = [], 0.0
    for i, (comuna, poligonos) in enumerate(insulares):
        x, y = columna + (i % 2) * (RECUADRO + 30), (i // 2) * (RECUADRO + 50)
        proyector, w, h = _proyector(poligonos, RECUADRO - 20)

        def desplazado(
            lon: float,
            lat: float,
            p: Proyector = proyector,
            dx: float = x + (RECUADRO - w) / 2,
            dy: float = y + (RECUADRO - h) / 2,
        ) -> tuple[float, float]:
            px, py = p(lon, lat)
            return round(px + dx, 1), round(py + dy, 1)

        pintar(comuna, poligonos, desplazado)
        recuadros.append(
            f'<rect x="{x:g}" y="{y:g}" width="{RECUADRO:g}" height="{RECUADRO:g}" fill="none" stroke="{BORDE}"/>'
            f'<text x="{x + RECUADRO / 2:g}" y="{y + RECUADRO + 24:g}" text-anchor="middle">'
            f"{escape(comuna['properties']['comuna'])}</text>"
        )
    arriba = (len(insulares) + 1) // 2 * (RECUADRO + 50)
    entradas = [e for e in leyenda() if e["color"].lower() in usados] if con_leyenda else []
    partes_leyenda, alto_leyenda = _leyenda_svg(entradas, columna)
    partes_leyenda = [f'<g transform="translate(0 {arriba:g})">', *partes_leyenda, "</g>"]
    columna_ancho = COLUMNA if entradas or insulares else 0.0
    ancho_total = columna + columna_ancho if columna_ancho else ancho
    alto_total = max(alto, arriba + alto_leyenda)
    descripcion = _("Mapa de %(n)d comunas coloreadas según el estado del Sello Migrante.") % {"n": len(comunas)}
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {ancho_total + 8:.1f} {alto_total + 8:.1f}" '
        f'width="100%" role="img" font-family="DejaVu Sans, sans-serif" font-size="20" fill="#1b1f24" '
        f'class="grafico-svg">'
        f"<title>{escape(titulo)}</title><desc>{escape(descripcion)}</desc>"
        + "".join(caminos + encima + recuadros + partes_leyenda)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - coordinates are numbers, colours validated, names escaped

#!/usr/bin/env python3
"""Shrinks the comuna polygons into the static GeoJSON the statistics maps load.

    python scripts/preparar_geojson.py [--origen RUTA] [--destino RUTA] [--tolerancia N]

Coordinates are rounded to 3 decimals (about 100 m), consecutive duplicate points dropped and
only the properties cut, comuna and region_cut kept. That alone leaves ~4 MB (the fjords and
islands of Aysén and Magallanes hold most of the points), so the borders are then simplified
with Douglas-Peucker *per shared arc*: a border between two comunas is split at the points where
three or more rings meet, simplified once and reused by both neighbours, so no gaps or overlaps
open between them. Islets under half a km² are dropped (Aysén alone has thousands), but every
comuna keeps at least its largest polygon. Standard library only.
"""

import argparse
import itertools
import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

RAIZ = Path(__file__).resolve().parent.parent
ORIGEN = Path("/work/shared/data/comunas_chile_simplificado.geojson")
DESTINO = RAIZ / "static" / "estadisticas" / "comunas.geojson"
ESCALA = 1000  # 3 decimals, as integers so equal points compare equal
PROPIEDADES = ("cut", "comuna", "region_cut")

Punto = tuple[int, int]
Anillo = list[Punto]


def redondear(anillo: list[list[float]]) -> Anillo:
    """Rounded, without consecutive duplicates and without the closing point."""
    puntos: Anillo = []
    for x, y in anillo:
        punto = (round(x * ESCALA), round(y * ESCALA))
        if not puntos or puntos[-1] != punto:
            puntos.append(punto)
    while len(puntos) > 1 and puntos[0] == puntos[-1]:
        puntos.pop()
    return puntos


def poligonos(geometria: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometria["type"] == "Polygon":
        return [geometria["coordinates"]]
    if geometria["type"] == "MultiPolygon":
        return list(geometria["coordinates"])
    raise ValueError(f"Unsupported geometry: {geometria['type']}")


def uniones(anillos: list[Anillo]) -> set[Punto]:
    """Points whose neighbours differ between the rings that pass through them (arc ends)."""
    vecinos: dict[Punto, set[frozenset[Punto]]] = defaultdict(set)
    for anillo in anillos:
        n = len(anillo)
        for i, punto in enumerate(anillo):
            vecinos[punto].add(frozenset((anillo[i - 1], anillo[(i + 1) % n])))
    return {punto for punto, pares in vecinos.items() if len(pares) > 1}


def distancia(p: Punto, a: Punto, b: Punto, coseno: float) -> float:
    """Distance from p to the segment a-b, x shrunk by cos(latitude) so both axes are alike."""
    px, py, ax, ay, bx, by = p[0] * coseno, p[1], a[0] * coseno, a[1], b[0] * coseno, b[1]
    dx, dy = bx - ax, by - ay
    largo2 = dx * dx + dy * dy
    if largo2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / largo2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(puntos: Anillo, tolerancia: float) -> Anillo:
    """Keeps both ends; iterative so long coastlines do not hit the recursion limit."""
    if len(puntos) < 3:
        return list(puntos)
    coseno = math.cos(math.radians(puntos[0][1] / ESCALA))
    conservar = [False] * len(puntos)
    conservar[0] = conservar[-1] = True
    pila = [(0, len(puntos) - 1)]
    while pila:
        inicio, fin = pila.pop()
        peor, indice = -1.0, -1
        for i in range(inicio + 1, fin):
            d = distancia(puntos[i], puntos[inicio], puntos[fin], coseno)
            if d > peor:
                peor, indice = d, i
        if indice >= 0 and peor > tolerancia:
            conservar[indice] = True
            pila.extend(((inicio, indice), (indice, fin)))
    return [p for p, keep in zip(puntos, conservar, strict=True) if keep]


class Simplificador:
    """Simplifies each arc once, in a canonical direction, so both neighbours get the same line."""

    def __init__(self, tolerancia: float, juntas: set[Punto]) -> None:
        self.tolerancia = tolerancia
        self.juntas = juntas
        self.cache: dict[tuple[Punto, ...], Anillo] = {}

    def arco(self, puntos: Anillo) -> Anillo:
        reverso = puntos[::-1]
        invertido = tuple(reverso) < tuple(puntos)
        clave = tuple(reverso) if invertido else tuple(puntos)
        if clave not in self.cache:
            self.cache[clave] = douglas_peucker(list(clave), self.tolerancia)
        simple = self.cache[clave]
        return simple[::-1] if invertido else list(simple)

    def anillo(self, anillo: Anillo) -> Anillo:
        cortes = [i for i, p in enumerate(anillo) if p in self.juntas]
        if not cortes:
            # A ring with no junction (an island, or shared whole with one neighbour): start it
            # at its smallest point, split it at its far point, and simplify the two halves.
            inicio = anillo.index(min(anillo))
            girado = anillo[inicio:] + anillo[:inicio]
            lejos = max(
                range(len(girado)),
                key=lambda i: (girado[i][0] - girado[0][0]) ** 2 + (girado[i][1] - girado[0][1]) ** 2,
            )
            if lejos == 0:
                return []
            mitades = [girado[: lejos + 1], [*girado[lejos:], girado[0]]]
        else:
            girado = anillo[cortes[0] :] + anillo[: cortes[0]]
            posiciones = [i - cortes[0] for i in cortes] + [len(anillo)]
            cerrado = [*girado, girado[0]]
            mitades = [cerrado[a : b + 1] for a, b in itertools.pairwise(posiciones)]
        resultado: Anillo = []
        for parte in mitades:
            simple = self.arco(parte)
            resultado.extend(simple if not resultado else simple[1:])
        if resultado and resultado[0] == resultado[-1]:
            resultado.pop()
        return resultado


def area(anillo: Anillo) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(anillo, anillo[1:] + anillo[:1], strict=True))) / 2


def km2(anillo: Anillo) -> float:
    """Approximate area in km² (one degree of latitude ~ 111.32 km)."""
    coseno = math.cos(math.radians(anillo[0][1] / ESCALA))
    return area(anillo) / ESCALA**2 * 111.32**2 * coseno


def coordenadas(anillo: Anillo) -> list[list[float]]:
    cerrado = [*anillo, anillo[0]]
    return [[x / ESCALA, y / ESCALA] for x, y in cerrado]


def preparar(datos: dict[str, Any], tolerancia: float, islote: float) -> dict[str, Any]:
    comunas = []
    for feature in datos["features"]:
        redondeados = [[redondear(anillo) for anillo in poligono] for poligono in poligonos(feature["geometry"])]
        comunas.append((feature["properties"], [[a for a in p if len(a) >= 3] for p in redondeados if len(p[0]) >= 3]))
    simplificador = Simplificador(tolerancia, uniones([a for _, ps in comunas for p in ps for a in p]))
    features: list[dict[str, Any]] = []
    for propiedades, originales in comunas:
        salida = []
        for poligono in originales:
            anillos = [simplificador.anillo(a) for a in poligono]
            if len(anillos[0]) < 3 or km2(anillos[0]) < islote:
                continue  # an islet: invisible at any zoom the maps use, and thousands of them
            salida.append([coordenadas(a) for a in anillos if len(a) >= 3])
        if not salida:
            # Never lose a comuna: keep its largest polygon as rounded, unsimplified.
            mayor = max(originales, key=lambda p: area(p[0]))
            salida = [[coordenadas(a) for a in mayor]]
        features.append(
            {
                "type": "Feature",
                "properties": {clave: propiedades[clave] for clave in PROPIEDADES},
                "geometry": {"type": "MultiPolygon", "coordinates": salida},
            }
        )
    features.sort(key=lambda f: f["properties"]["cut"])
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--origen", type=Path, default=ORIGEN)
    parser.add_argument("--destino", type=Path, default=DESTINO)
    parser.add_argument(
        "--tolerancia", type=float, default=2.0, help="Douglas-Peucker tolerance in thousandths of a degree"
    )
    parser.add_argument("--islote", type=float, default=0.5, help="drop islands smaller than this many km²")
    args = parser.parse_args(argv)
    datos = json.loads(args.origen.read_text(encoding="utf-8"))
    resultado = preparar(datos, args.tolerancia, args.islote)
    texto = json.dumps(resultado, ensure_ascii=False, separators=(",", ":"))
    args.destino.parent.mkdir(parents=True, exist_ok=True)
    args.destino.write_text(texto, encoding="utf-8")
    puntos = sum(len(a) for f in resultado["features"] for p in f["geometry"]["coordinates"] for a in p)
    print(f"{len(resultado['features'])} comunas, {puntos} points, {len(texto.encode()):,} bytes -> {args.destino}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

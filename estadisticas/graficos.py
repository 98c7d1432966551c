"""Server-side charts as inline SVG, the same markup for browsers and WeasyPrint PDFs.

Each function returns a standalone ``<svg>`` (viewBox, width 100%, ``role="img"``, a ``<title>``
and a ``<desc>`` that reads the figures out) with presentation attributes only: no classes, no
scripts, no external fonts or references, DejaVu Sans (the one family the PDF renderer has).
Every label is escaped here, so user-provided names cannot inject markup. A value of ``None``
is a suppressed or unknown figure: no bar is drawn and its ``texto`` ("< 5", "reservado") is
shown instead. Numbers are written the es-CL way ("1.625.074", "12,5") whatever the active
locale, since PDFs are rendered by workers that may not have one.
"""

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FUENTE = "DejaVu Sans, sans-serif"
TINTA = "#1b1f24"
TENUE = "#4a5560"
GRILLA = "#d5dbe1"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; lines also differ
# in dash pattern and marker so they never depend on colour alone.
PALETA = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
TRAZOS = ("", "6 3", "2 3", "8 3 2 3")
MARCADORES = ("circulo", "cuadrado", "triangulo", "rombo")
ANCHO = 640
TAMANO = 12
# DejaVu Sans is wide: ~0.6 em per character is a safe estimate for layout.
EM_POR_CARACTER = 0.6
MAX_ETIQUETA = 32
MAX_EN_DESCRIPCION = 15
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def formatear(valor: float) -> str:
    """es-CL: thousands with ".", decimals with "," (at most two, trailing zeros dropped)."""
    if isinstance(valor, int) or float(valor).is_integer():
        return f"{int(valor):,}".replace(",", ".")
    texto = f"{valor:,.2f}".rstrip("0").rstrip(".")
    return texto.translate(str.maketrans(",.", ".,"))


@dataclass(frozen=True)
class Dato:
    etiqueta: str
    valor: int | float | None
    texto: str | None = None

    @property
    def texto_mostrado(self) -> str:
        if self.texto is not None:
            return self.texto
        return "\u2013" if self.valor is None else formatear(self.valor)


@dataclass(frozen=True)
class Serie:
    nombre: str
    puntos: Sequence[Dato]


def _esc(texto: object) -> str:
    return str(escape(_CONTROL.sub("", str(texto))))


def _num(valor: float) -> str:
    return f"{valor:.1f}".rstrip("0").rstrip(".")


def _ancho_texto(texto: str, tamano: float = TAMANO) -> float:
    return len(texto) * tamano * EM_POR_CARACTER


def _recortar(texto: str, maximo: int = MAX_ETIQUETA) -> str:
    return texto if len(texto) <= maximo else texto[: maximo - 1] + "…"


def _texto(x: float, y: float, contenido: str, *, anchor: str = "start", **atributos: str) -> str:
    extra = "".join(f' {clave.replace("_", "-")}="{valor}"' for clave, valor in atributos.items())
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{_esc(contenido)}</text>'


def _linea(x1: float, y1: float, x2: float, y2: float, color: str = TENUE) -> str:
    return f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="{color}"/>'


def _svg(alto: float, titulo: str, descripcion: str, cuerpo: list[str]) -> SafeString:
    ident = "g" + hashlib.sha1((titulo + descripcion).encode(), usedforsecurity=False).hexdigest()[:10]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {ANCHO} {_num(alto)}" width="100%" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" font-family="{FUENTE}" font-size="{TAMANO}" '
        f'fill="{TINTA}" class="grafico-svg">'
        f'<title id="{ident}-t">{_esc(titulo)}</title><desc id="{ident}-d">{_esc(descripcion)}</desc>'
        + "".join(cuerpo)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - built here; every label went through _esc


def _sin_datos(titulo: str) -> SafeString:
    mensaje = _("Sin datos")
    return _svg(60, titulo, mensaje, [_texto(ANCHO / 2, 34, mensaje, anchor="middle", fill=TENUE)])


def _resumen(tipo: str, datos: Sequence[Dato]) -> str:
    partes = [f"{d.etiqueta}: {d.texto_mostrado}" for d in datos[:MAX_EN_DESCRIPCION]]
    resumen = "; ".join(partes)
    if len(datos) > MAX_EN_DESCRIPCION:
        resumen += "; " + _("y %(n)d más") % {"n": len(datos) - MAX_EN_DESCRIPCION}
    return f"{tipo}. {resumen}."


def _maximo(valores: Sequence[int | float | None]) -> float:
    presentes = [v for v in valores if v is not None and v > 0]
    return float(max(presentes)) if presentes else 0.0


def _escala(maximo: float, divisiones: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``maximo`` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if maximo <= 0:
        return [0.0, 1.0]
    bruto = maximo / divisiones
    magnitud = 10 ** math.floor(math.log10(bruto))
    paso = next(m * magnitud for m in (1, 2, 2.5, 5, 10) if m * magnitud >= bruto)
    if paso < 1 and maximo >= 1:
        paso = 1.0
    pasos = math.ceil(maximo / paso - 1e-9)
    return [i * paso for i in range(pasos + 1)]


def barras_horizontales(datos: Sequence[Dato], *, titulo: str, unidad: str = "") -> SafeString:
    """One bar per item: label at the left, the shown figure at the bar's end."""
    if not datos:
        return _sin_datos(titulo)
    fila, margen = 26, 8
    etiquetas = [_recortar(d.etiqueta) for d in datos]
    textos = [d.texto_mostrado if d.texto is not None or not unidad else f"{d.texto_mostrado} {unidad}" for d in datos]
    izquierda = min(max(_ancho_texto(e) for e in etiquetas) + 2 * margen, ANCHO * 0.42)
    reserva = max(_ancho_texto(t) for t in textos) + 2 * margen
    largo_max = ANCHO - izquierda - reserva - margen
    maximo = _maximo([d.valor for d in datos])
    cuerpo = [_linea(izquierda, 4, izquierda, len(datos) * fila + 4)]
    for i, (dato, etiqueta, texto) in enumerate(zip(datos, etiquetas, textos, strict=True)):
        y = 4 + i * fila
        centro = y + fila / 2 + TAMANO * 0.35
        cuerpo.append(f"<g><title>{_esc(dato.etiqueta)}: {_esc(texto)}</title>")
        cuerpo.append(_texto(izquierda - margen, centro, etiqueta, anchor="end"))
        largo = 0.0
        if dato.valor is not None and dato.valor > 0 and maximo > 0:
            largo = max(dato.valor / maximo * largo_max, 1.0)
            cuerpo.append(
                f'<rect x="{_num(izquierda)}" y="{_num(y + 4)}" width="{_num(largo)}" '
                f'height="{fila - 8}" fill="{PALETA[0]}"/>'
            )
        color = TINTA if dato.valor is not None else TENUE
        cuerpo.append(_texto(izquierda + largo + 6, centro, texto, fill=color) + "</g>")
    return _svg(len(datos) * fila + 8, titulo, _resumen(_("Gráfico de barras horizontales"), datos), cuerpo)


def _eje_y(ticks: list[float], *, izquierda: float, arriba: float, alto: float, derecha: float) -> list[str]:
    tope = ticks[-1]
    partes = []
    for tick in ticks:
        y = arriba + alto - tick / tope * alto
        partes.append(_linea(izquierda, y, derecha, y, GRILLA))
        partes.append(_texto(izquierda - 6, y + TAMANO * 0.35, formatear(tick), anchor="end", fill=TENUE))
    return partes


def _etiquetas_x(etiquetas: list[str], centros: list[float], y: float, hueco: float) -> tuple[list[str], float]:
    """Labels under the x axis, slanted when they do not fit their slot; returns the height used."""
    cortas = [_recortar(e, 20) for e in etiquetas]
    if max(_ancho_texto(e) for e in cortas) <= hueco - 4:
        return [_texto(x, y + TAMANO + 4, e, anchor="middle") for x, e in zip(centros, cortas, strict=True)], TAMANO + 8
    partes = [
        _texto(x, y + TAMANO, e, anchor="end", transform=f"rotate(-40 {_num(x)} {_num(y + TAMANO)})")
        for x, e in zip(centros, cortas, strict=True)
    ]
    return partes, max(_ancho_texto(e) for e in cortas) * 0.65 + TAMANO + 8


def columnas(datos: Sequence[Dato], *, titulo: str) -> SafeString:
    """Vertical bars (by month, by year): figure above each column when it fits."""
    if not datos:
        return _sin_datos(titulo)
    ticks = _escala(_maximo([d.valor for d in datos]))
    izquierda = max(_ancho_texto(formatear(t)) for t in ticks) + 14
    arriba, alto, derecha = 20.0, 220.0, ANCHO - 8
    hueco = (derecha - izquierda) / len(datos)
    centros = [izquierda + hueco * (i + 0.5) for i in range(len(datos))]
    base = arriba + alto
    cuerpo = _eje_y(ticks, izquierda=izquierda, arriba=arriba, alto=alto, derecha=derecha)
    ancho_barra = min(hueco * 0.7, 56)
    for dato, x in zip(datos, centros, strict=True):
        texto = dato.texto_mostrado
        cuerpo.append(f"<g><title>{_esc(dato.etiqueta)}: {_esc(texto)}</title>")
        altura = 0.0
        if dato.valor is not None and dato.valor > 0:
            altura = max(dato.valor / ticks[-1] * alto, 1.0)
            cuerpo.append(
                f'<rect x="{_num(x - ancho_barra / 2)}" y="{_num(base - altura)}" width="{_num(ancho_barra)}" '
                f'height="{_num(altura)}" fill="{PALETA[0]}"/>'
            )
        if _ancho_texto(texto, 10) <= hueco or dato.valor is None:
            color = TINTA if dato.valor is not None else TENUE
            cuerpo.append(_texto(x, base - altura - 4, texto, anchor="middle", font_size="10", fill=color))
        cuerpo.append("</g>")
    cuerpo.append(_linea(izquierda, base, derecha, base))
    etiquetas, alto_etiquetas = _etiquetas_x([d.etiqueta for d in datos], centros, base, hueco)
    cuerpo.extend(etiquetas)
    return _svg(base + alto_etiquetas + 4, titulo, _resumen(_("Gráfico de columnas"), datos), cuerpo)


def _marcador(forma: str, x: float, y: float, color: str) -> str:
    if forma == "cuadrado":
        return f'<rect x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8" fill="{color}"/>'
    if forma == "triangulo":
        puntos = f"{_num(x)},{_num(y - 5)} {_num(x + 5)},{_num(y + 4)} {_num(x - 5)},{_num(y + 4)}"
        return f'<polygon points="{puntos}" fill="{color}"/>'
    if forma == "rombo":
        puntos = f"{_num(x)},{_num(y - 5)} {_num(x + 5)},{_num(y)} {_num(x)},{_num(y + 5)} {_num(x - 5)},{_num(y)}"
        return f'<polygon points="{puntos}" fill="{color}"/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{color}"/>'


def _leyenda(series: Sequence[Serie], arriba: float, *, muestras: bool = False) -> tuple[list[str], float]:
    """Legend entries laid out left to right, wrapping; returns the parts and the height used.
    Line samples with their marker, or colour squares (``muestras``) for stacked bars."""
    partes, x, y = [], 8.0, arriba
    for i, serie in enumerate(series):
        nombre = _recortar(serie.nombre, 40)
        ancho = 34 + _ancho_texto(nombre) + 16
        if x + ancho > ANCHO and x > 8:
            x, y = 8.0, y + 20
        color, trazo, forma = PALETA[i % len(PALETA)], TRAZOS[i % len(TRAZOS)], MARCADORES[i % len(MARCADORES)]
        guiones = f' stroke-dasharray="{trazo}"' if trazo else ""
        if muestras:
            partes.append(f'<rect x="{_num(x + 6)}" y="{_num(y - 7)}" width="14" height="14" fill="{color}"/>')
        else:
            partes.append(
                f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 26)}" y2="{_num(y)}" stroke="{color}" '
                f'stroke-width="2.5"{guiones}/>'
            )
            partes.append(_marcador(forma, x + 13, y, color))
        partes.append(_texto(x + 32, y + TAMANO * 0.35, nombre))
        x += ancho
    return partes, y - arriba + 20


def lineas(series: Sequence[Serie], *, titulo: str) -> SafeString:
    """One or more series over the same x labels, with a legend; gaps where a value is None."""
    etiquetas: list[str] = []
    for serie in series:
        etiquetas.extend(p.etiqueta for p in serie.puntos if p.etiqueta not in etiquetas)
    if not etiquetas:
        return _sin_datos(titulo)
    cuerpo, alto_leyenda = _leyenda(series, 12)
    ticks = _escala(_maximo([p.valor for s in series for p in s.puntos]))
    izquierda = max(_ancho_texto(formatear(t)) for t in ticks) + 14
    arriba, alto, derecha = alto_leyenda + 16, 220.0, ANCHO - 16
    base = arriba + alto
    cuerpo += _eje_y(ticks, izquierda=izquierda, arriba=arriba, alto=alto, derecha=derecha)
    hueco = (derecha - izquierda) / len(etiquetas)
    centros = {e: izquierda + hueco * (i + 0.5) for i, e in enumerate(etiquetas)}
    for i, serie in enumerate(series):
        color, trazo, forma = PALETA[i % len(PALETA)], TRAZOS[i % len(TRAZOS)], MARCADORES[i % len(MARCADORES)]
        guiones = f' stroke-dasharray="{trazo}"' if trazo else ""
        cuerpo.append(f"<g><title>{_esc(serie.nombre)}</title>")
        tramo: list[str] = []
        for punto in [*serie.puntos, None]:
            if punto is not None and punto.valor is not None:
                y = base - max(punto.valor, 0) / ticks[-1] * alto
                tramo.append(f"{_num(centros[punto.etiqueta])},{_num(y)}")
                continue
            if len(tramo) > 1:
                cuerpo.append(
                    f'<polyline points="{" ".join(tramo)}" fill="none" stroke="{color}" stroke-width="2.5"{guiones}/>'
                )
            tramo = []
        for punto in serie.puntos:
            x = centros[punto.etiqueta]
            if punto.valor is None:
                cuerpo.append(_texto(x, base - 6, punto.texto_mostrado, anchor="middle", font_size="10", fill=TENUE))
                continue
            y = base - max(punto.valor, 0) / ticks[-1] * alto
            cuerpo.append(
                f"<g><title>{_esc(serie.nombre)}, {_esc(punto.etiqueta)}: {_esc(punto.texto_mostrado)}</title>"
                + _marcador(forma, x, y, color)
                + "</g>"
            )
        cuerpo.append("</g>")
    cuerpo.append(_linea(izquierda, base, derecha, base))
    partes, alto_etiquetas = _etiquetas_x(etiquetas, list(centros.values()), base, hueco)
    cuerpo.extend(partes)
    descripcion = " ".join(_resumen(serie.nombre, serie.puntos) for serie in series)
    descripcion = _("Gráfico de líneas") + ". " + descripcion
    return _svg(base + alto_etiquetas + 4, titulo, descripcion, cuerpo)


def barras_apiladas(series: Sequence[Serie], *, titulo: str, unidad: str = "") -> SafeString:
    """Horizontal bars split by series (e.g. temporary and definitive residences per comuna),
    one row per label. The row's end shows the total, or the visible sum plus the texts of
    suppressed parts ("1.234 + < 5"), never a total that would give a hidden part back."""
    filas: list[str] = []
    for serie in series:
        filas.extend(p.etiqueta for p in serie.puntos if p.etiqueta not in filas)
    if not filas:
        return _sin_datos(titulo)
    valores = [{p.etiqueta: p for p in serie.puntos} for serie in series]
    finales = []
    for fila in filas:
        partes = [v[fila] for v in valores if fila in v]
        suma = formatear(sum(p.valor for p in partes if p.valor is not None))
        ocultas = [p.texto_mostrado for p in partes if p.valor is None]
        texto = " + ".join([suma, *ocultas]) if ocultas else suma
        finales.append(f"{texto} {unidad}" if unidad else texto)
    cuerpo, alto_leyenda = _leyenda(series, 12, muestras=True)
    fila_alto, margen, arriba = 26, 8, alto_leyenda + 8
    etiquetas = [_recortar(f) for f in filas]
    izquierda = min(max(_ancho_texto(e) for e in etiquetas) + 2 * margen, ANCHO * 0.42)
    largo_max = ANCHO - izquierda - max(_ancho_texto(t) for t in finales) - 3 * margen
    maximo = max(sum(max(v[f].valor or 0, 0) for v in valores if f in v) for f in filas)
    for i, (fila, etiqueta, final) in enumerate(zip(filas, etiquetas, finales, strict=True)):
        y = arriba + i * fila_alto
        centro = y + fila_alto / 2 + TAMANO * 0.35
        cuerpo.append(f"<g><title>{_esc(fila)}: {_esc(final)}</title>")
        cuerpo.append(_texto(izquierda - margen, centro, etiqueta, anchor="end"))
        x = izquierda
        for j, (serie, v) in enumerate(zip(series, valores, strict=True)):
            dato = v.get(fila)
            if dato is None or dato.valor is None or dato.valor <= 0 or maximo <= 0:
                continue
            largo = max(dato.valor / maximo * largo_max, 1.0)
            cuerpo.append(
                f'<rect x="{_num(x)}" y="{_num(y + 4)}" width="{_num(largo)}" height="{fila_alto - 8}" '
                f'fill="{PALETA[j % len(PALETA)]}" stroke="#ffffff" stroke-width="1">'
                f"<title>{_esc(serie.nombre)}, {_esc(fila)}: {_esc(dato.texto_mostrado)}</title></rect>"
            )
            x += largo
        cuerpo.append(_texto(x + 6, centro, final) + "</g>")
    alto = arriba + len(filas) * fila_alto
    cuerpo.append(_linea(izquierda, arriba, izquierda, alto))
    descripcion = _("Gráfico de barras apiladas") + ". " + " ".join(_resumen(s.nombre, s.puntos) for s in series)
    return _svg(alto + 8, titulo, descripcion, cuerpo)

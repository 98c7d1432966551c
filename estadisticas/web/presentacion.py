"""How the statistics dashboards present figures: table rows, charts (``estadisticas.graficos``)
and key figures, built from what the selectors returned. No queries here.

A case figure is a suppressed ``Celda``: only its ``publico`` value (None when hidden) and its
``texto`` ("< 5", "reservado" or the number) are used, never its hidden value.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sello.models import ESTADOS_CON_SELLO_VIGENTE

from .. import graficos, mapa
from .. import selectors as s
from ..models import Indicador, Minuta, ResumenSello
from ..periodos import Periodo
from ..supresion import Celda, umbral

GRAFICOS_CASOS = (Indicador.CASOS_TIPO, Indicador.CASOS_ESTADO)


def dato(etiqueta: str, celda: Celda) -> graficos.Dato:
    # Only ``publico`` leaves the server: a hidden cell draws no bar and shows its text.
    return graficos.Dato(etiqueta, celda.publico, celda.texto)


def grafico(datos: list[graficos.Dato], titulo: str, *, tipo: str = "barras") -> dict[str, Any]:
    if tipo == "columnas":
        return {"grafico": graficos.columnas(datos, titulo=titulo), "titulo": titulo, "datos": datos}
    return {"grafico": graficos.barras_horizontales(datos, titulo=titulo), "titulo": titulo, "datos": datos}


def dimensiones_casos(tabla: s.TablaCasos, nivel: str, codigo: str) -> list[dict[str, Any]]:
    """Each case dimension as rows ``(etiqueta, texto)``; types and states also as charts."""
    bloques = []
    for indicador in s.DIMENSIONES_CASOS:
        filas = tabla.dimension(nivel, codigo, indicador)
        titulo = str(Indicador(indicador).label)
        bloque: dict[str, Any] = {"titulo": titulo, "filas": [(e, celda.texto) for _c, e, celda in filas]}
        if indicador in GRAFICOS_CASOS and filas:
            bloque["grafico"] = grafico([dato(e, celda) for _c, e, celda in filas], titulo)
        bloques.append(bloque)
    return bloques


def por_mes(filas: list[tuple[int, int, int]], total: Celda) -> dict[str, Any] | None:
    """Cases per month (a column chart), or None when the period's total is hidden: the months
    would add up to it."""
    if total.suprimida:
        return None
    datos = [graficos.Dato(date_format(date(anio, mes, 1), "M Y"), n) for anio, mes, n in filas]
    return grafico(datos, _("Casos por mes de ingreso"), tipo="columnas")


def plataforma(cifras: dict[str, int]) -> list[tuple[str, str]]:
    """Trainings, people trained, attendance and operativos, labelled."""
    return [(str(Indicador(i).label), cifra(cifras.get(str(i), 0))) for i in s.INDICADORES_PLATAFORMA]


def serie_estimacion(puntos: list[dict[str, Any]], lugar: str) -> dict[str, Any] | None:
    if not puntos:
        return None
    series = [graficos.Serie(lugar, [graficos.Dato(str(p["anio"]), p["valor"]) for p in puntos])]
    titulo = _("Personas extranjeras residentes estimadas, %(lugar)s") % {"lugar": lugar}
    return {"grafico": graficos.lineas(series, titulo=titulo), "titulo": titulo, "series": series}


def nota_supresion() -> str:
    return _(
        "Las cifras menores que %(umbral)s de categorías sensibles se muestran como «< %(umbral)s»; "
        "«reservado» indica una cifra ocultada para que no se pueda deducir otra por diferencia."
    ) % {"umbral": umbral()}


def url_mapa(ambito: str, periodo: Periodo, formato: str = "json") -> str:
    ruta = reverse(f"estadisticas:mapa_{formato}", kwargs={"ambito": ambito})
    return f"{ruta}?periodo={periodo.codigo}"


def mapa_noscript(url: str, titulo: str) -> SafeString:
    # The static map is an image fetched only without JavaScript (the national one weighs
    # ~450 kB): the page stays light, and the table beside it carries the same figures.
    return format_html('<img src="{}" alt="{}" width="100%">', url, titulo)


def contexto_mapa(ambito: str, periodo: Periodo, titulo: str) -> dict[str, Any]:
    return {
        "mapa_estados_url": url_mapa(ambito, periodo),
        "mapa_svg": mapa_noscript(url_mapa(ambito, periodo, "svg"), titulo),
        "mapa_titulo": titulo,
    }


def estados_sello(resumenes: dict[str, ResumenSello], cuts: list[str]) -> dict[str, str]:
    return {cut: (resumenes[cut].estado if cut in resumenes else "") or mapa.SIN_ADHESION for cut in cuts}


def sellos_contados(estados: dict[str, str]) -> tuple[list[tuple[str, str, int]], dict[str, Any]]:
    """Comunas per seal state (rows and a chart)."""
    conteo: dict[str, int] = defaultdict(int)
    for estado in estados.values():
        conteo[estado] += 1
    filas = [(e["etiqueta"], e["color"], conteo[e["estado"]]) for e in mapa.leyenda(conteo)]
    datos = [graficos.Dato(etiqueta, n) for etiqueta, _color, n in filas]
    return filas, grafico(datos, _("Comunas según el estado del Sello Migrante"))


def vigentes(estados: dict[str, str]) -> int:
    return sum(1 for e in estados.values() if e in ESTADOS_CON_SELLO_VIGENTE)


def indicadores(
    estados: dict[str, str],
    total: Celda,
    vencidos: Celda,
    evidencias: int,
    listas: int | None,
    actividad: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The key figures of a región or the country."""
    return [
        (_("Comunas en el programa"), cifra(sum(1 for e in estados.values() if e != mapa.SIN_ADHESION))),
        (_("Comunas con sello vigente"), cifra(vigentes(estados))),
        (_("Casos ingresados"), total.texto),
        (_("Casos con plazo vencido"), vencidos.texto),
        (_("Evidencias por revisar"), cifra(evidencias)),
        *([(_("Minutas listas"), cifra(listas))] if listas is not None else []),
        *actividad,
    ]


def filas_minutas(conteo: dict[str, int], comunas: int) -> list[tuple[str, int]]:
    filas = [(str(e.label), conteo.get(e.value, 0)) for e in Minuta.Estado]
    return [*filas, (_("Sin solicitar"), max(comunas - sum(conteo.values()), 0))]


def cifra(valor: Any) -> str:
    """A figure as shown: numbers the es-CL way ("1.234"), texts (a suppressed cell's) as they are."""
    if valor is None:
        return "\u2013"
    return graficos.formatear(valor) if isinstance(valor, int | float) else str(valor)


def porcentaje(valor: Any) -> str:
    return "\u2013" if valor is None else graficos.formatear(round(float(valor), 1)) + " %"

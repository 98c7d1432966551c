"""Statistics dashboards: a comuna's, a región's and the country's (the maps' data is served by
``estadisticas.web.mapas``).

Who sees what is ``estadisticas.selectors.puede_ver_unidad``: a person without a role gets a
403; a place outside the person's territory does not exist for them (404, as everywhere in the
project). Figures come from the summary tables and the official figures only, never from the
case table, and every case figure is a suppressed ``Celda``: the page writes its ``texto``
("< 5", "reservado" or the number), never the hidden value.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from municipios.scoping import scoped
from sello import selectors as sello_selectors
from sello.models import Linea

from .. import graficos, mapa
from .. import selectors as s
from ..minuta_datos import VERSION_PLANTILLA, datos_minuta
from ..models import Indicador, Minuta
from ..periodos import Periodo, PeriodoInvalido, periodo_actual, ultimos
from .minutas import CON_MINUTAS
from .presentacion import (
    cifra,
    contexto_mapa,
    dato,
    dimensiones_casos,
    estados_sello,
    filas_minutas,
    grafico,
    indicadores,
    nota_supresion,
    plataforma,
    por_mes,
    porcentaje,
    sellos_contados,
    serie_estimacion,
    vigentes,
)

PERIODOS_EN_SELECTOR = 6
NACIONAL = "nacional"


# --- Access and period --------------------------------------------------------------------


def exigir(usuario: Any, nivel: str, codigo: str) -> None:
    """403 without a statistics role; 404 for a place outside the user's territory."""
    alcance = s.unidades_visibles(usuario)
    if alcance is None:
        raise PermissionDenied
    if nivel == s.NACIONAL and alcance[0] != s.NACIONAL:
        raise PermissionDenied
    if not s.puede_ver_unidad(usuario, nivel, codigo):
        raise Http404(_("No encontrado."))


def elegir_periodo(request: HttpRequest) -> tuple[Periodo, str]:
    """The semester in ``?periodo=`` (default: the current one) and a message when it was refused."""
    actual = periodo_actual()
    texto = request.GET.get("periodo", "")
    if not texto:
        return actual, ""
    try:
        periodo = Periodo.desde_texto(texto)
    except PeriodoInvalido as exc:
        return actual, str(exc) + " " + _("Se muestra el periodo actual.")
    if periodo > actual:
        return actual, _("El periodo %(periodo)s aún no comienza. Se muestra el periodo actual.") % {
            "periodo": periodo.codigo
        }
    return periodo, ""


def contexto_periodo(periodo: Periodo, aviso: str) -> dict[str, Any]:
    opciones = list(reversed(ultimos(PERIODOS_EN_SELECTOR, periodo_actual())))
    if periodo not in opciones:
        opciones.append(periodo)
    return {"periodo": periodo, "periodos": opciones, "aviso_periodo": aviso}


# --- Queries beyond the selectors' ---------------------------------------------------------


def plataforma_de(periodo: Periodo, nivel: str, codigo: str) -> list[tuple[str, str]]:
    return plataforma({i: sum(c.values()) for i, c in s.plataforma(periodo, nivel, codigo).items()})


def ve_minutas(usuario: Any) -> bool:
    # The Comité Evaluador has no access to minutas: no section, no link, no query.
    return getattr(usuario, "rol", None) in CON_MINUTAS


def minutas_contadas(usuario: Any, periodo: Periodo, por: str, **filtro: Any) -> dict[str, int] | None:
    """The period's minutas (current template) counted by ``por``; None for who has no minutas."""
    if not ve_minutas(usuario):
        return None
    consulta = scoped(
        usuario, Minuta.objects.filter(periodo=periodo.codigo, version_plantilla=VERSION_PLANTILLA, **filtro)
    )
    return dict(consulta.values_list(por).annotate(n=Count("pk")).order_by())


# --- Pages ---------------------------------------------------------------------------------


@require_GET
@login_required
def inicio(request: HttpRequest) -> HttpResponse:
    """The user's own dashboard: their comuna, their región or the country."""
    alcance = s.unidades_visibles(request.user)
    if alcance is None:
        raise PermissionDenied
    nivel, codigos = alcance
    if nivel == s.COMUNA:
        return redirect("estadisticas:comuna", cut=next(iter(codigos)))
    if nivel == s.REGION:
        return redirect("estadisticas:region", cut=next(iter(codigos)))
    return redirect("estadisticas:nacional")


@require_GET
@login_required
def comuna(request: HttpRequest, cut: str) -> HttpResponse:
    """A comuna: cases, platform activity, the seal against the regional median, the official
    estimate of foreign residents (each figure with its source and release) and its minutas."""
    usuario: Any = request.user
    exigir(usuario, s.COMUNA, cut)
    lugar = get_object_or_404(s.comunas_qs(nivel=s.COMUNA, codigo=cut))
    periodo, aviso = elegir_periodo(request)
    tabla = s.tabla_casos(periodo)
    datos = datos_minuta(lugar, periodo, tabla)
    total = tabla.total(s.COMUNA, cut)
    sello = datos["sello"]
    lineas, datos_lineas = [], []
    for f in sello["por_linea"]:
        nombre = str(Linea(int(f["linea"])).label)
        lineas.append((nombre, porcentaje(f["valor"]), porcentaje(f["mediana_regional"])))
        datos_lineas.append(graficos.Dato(nombre, f["valor"], porcentaje(f["valor"])))
        datos_lineas.append(graficos.Dato(_("%(linea)s (mediana regional)") % {"linea": nombre}, f["mediana_regional"]))
    estimacion = datos["estimacion"]
    serie, nombre_serie = (
        (estimacion["serie"], lugar.nombre)
        if estimacion["comunal"]
        else (estimacion["serie_regional"], lugar.region.nombre)
    )
    minutas = scoped(usuario, Minuta.objects.filter(comuna_id=cut)).order_by("-periodo", "-version_plantilla")
    con_minutas = ve_minutas(usuario)
    contexto = {
        "comuna": lugar,
        "puede_ver_region": s.puede_ver_unidad(usuario, s.REGION, lugar.region_id),
        "total": total,
        "vencidos": tabla.vencidos(s.COMUNA, cut),
        "mediana_casos": cifra(datos["casos"]["mediana_regional"]),
        "dimensiones": dimensiones_casos(tabla, s.COMUNA, cut),
        "por_mes": por_mes([(f["anio"], f["mes"], f["valor"]) for f in datos["casos"]["por_mes"]], total),
        "plataforma": plataforma(datos["plataforma"]),
        "sello": sello,
        "vigente_hasta": date.fromisoformat(sello["vigente_hasta"]) if sello["vigente_hasta"] else None,
        "puntaje_total": porcentaje(sello["puntaje_total"]),
        "mediana_total": porcentaje(sello["mediana_total_regional"]),
        "lineas": lineas,
        "grafico_lineas": grafico(datos_lineas, _("Puntaje por línea y mediana regional (%)")) if lineas else None,
        "estimacion": estimacion,
        "grafico_estimacion": serie_estimacion(serie, nombre_serie),
        "estimacion_ultimo": graficos.formatear(estimacion["ultimo"]["valor"]) if estimacion.get("ultimo") else "",
        "estimacion_porcentaje": porcentaje(estimacion.get("porcentaje")),
        "estimacion_umbral": graficos.formatear(estimacion["umbral"]),
        "grafico_paises": grafico(
            [graficos.Dato(p["pais"], p["valor"]) for p in estimacion["paises"]], _("Principales países de origen")
        )
        if estimacion["paises"]
        else None,
        "residencias": [(f["indicador"], f["anio"], cifra(f["valor"])) for f in datos["residencias"]["filas"]],
        "citas_residencias": datos["residencias"]["citas"],
        "minutas": minutas[:PERIODOS_EN_SELECTOR] if con_minutas else None,
        "minutas_url": f"/estadisticas/minutas/?comuna={cut}",
        "nota_supresion": nota_supresion(),
        **contexto_periodo(periodo, aviso),
    }
    return render(request, "estadisticas/tableros/comuna.html", contexto)


def resumen_region(cut: str, periodo: Periodo) -> dict[str, Any]:
    """What a región's dashboard shows from the summary tables and reference data alone: the
    same for everyone who may see the región, so computed once per summary refresh."""
    lugar = get_object_or_404(s.regiones_qs(), cut=cut)
    comunas = list(s.comunas_qs(nivel=s.REGION, codigo=cut))
    cuts = [c.cut for c in comunas]
    resumenes = s.sellos(periodo, cuts)
    estados = estados_sello(resumenes, cuts)
    tabla = s.tabla_casos(periodo)
    total = tabla.total(s.REGION, cut)
    filas_sello, grafico_sello = sellos_contados(estados)
    estados_casos = tabla.dimension(s.REGION, cut, Indicador.CASOS_ESTADO)
    return {
        # For the key figures, with the live ones:
        "estados": estados,
        "plataforma": plataforma_de(periodo, s.REGION, cut),
        # For the page as they are:
        "region": lugar,
        "filas_sello": filas_sello,
        "grafico_sello": grafico_sello,
        "comunas": [
            {
                "comuna": c,
                "estado": s.etiqueta_sello("" if estados[c.cut] == mapa.SIN_ADHESION else estados[c.cut]),
                "puntaje": porcentaje(resumenes[c.cut].puntaje_total) if c.cut in resumenes else "\u2013",
                "casos": tabla.total(s.COMUNA, c.cut).texto,
                "vencidos": tabla.vencidos(s.COMUNA, c.cut).texto,
            }
            for c in comunas
        ],
        "total": total,
        "vencidos": tabla.vencidos(s.REGION, cut),
        "estados_casos": [(e, celda.texto) for _c, e, celda in estados_casos],
        "grafico_casos": grafico([dato(e, celda) for _c, e, celda in estados_casos], _("Casos por estado"))
        if estados_casos
        else None,
        "por_mes": por_mes(s.casos_por_mes(periodo, s.REGION, cut), total),
        **contexto_mapa(cut, periodo, _("Comunas de %(region)s según el estado del sello") % {"region": lugar}),
    }


@require_GET
@login_required
def region(request: HttpRequest, cut: str) -> HttpResponse:
    """A región: its comunas by seal state (counts, chart, map, table), cases by state and
    overdue, evidence waiting for review, the period's minutas, platform activity."""
    usuario: Any = request.user
    exigir(usuario, s.REGION, cut)
    periodo, aviso = elegir_periodo(request)
    resumen = s.por_actualizacion(("tablero_region", cut, periodo.codigo), lambda: resumen_region(cut, periodo))
    # Live figures: the review queue and the minutas change between refreshes.
    evidencias = dict(
        sello_selectors.evidencias_por_revisar(usuario=usuario)
        .filter(adhesion__municipalidad__comuna__region_id=cut)
        .values_list("adhesion__municipalidad__comuna_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    minutas = minutas_contadas(usuario, periodo, "estado", comuna__region_id=cut)
    estados, actividad = resumen["estados"], resumen["plataforma"]
    contexto = {
        **{clave: valor for clave, valor in resumen.items() if clave not in ("estados", "plataforma")},
        "kpis": indicadores(
            estados,
            resumen["total"],
            resumen["vencidos"],
            sum(evidencias.values()),
            None if minutas is None else minutas.get(Minuta.Estado.LISTA, 0),
            actividad,
        ),
        "comunas": [{**fila, "evidencias": evidencias.get(fila["comuna"].cut, 0)} for fila in resumen["comunas"]],
        "evidencias": sum(evidencias.values()),
        "minutas": None if minutas is None else filas_minutas(minutas, len(resumen["comunas"])),
        "minutas_url": f"/estadisticas/minutas/?region={cut}&periodo={periodo.codigo}",
        "nota_supresion": nota_supresion(),
        **contexto_periodo(periodo, aviso),
    }
    return render(request, "estadisticas/tableros/region.html", contexto)


def resumen_nacional(periodo: Periodo) -> dict[str, Any]:
    """What the national dashboard shows from the summary tables and reference data alone,
    computed once per summary refresh (rows by región, before the live figures)."""
    regiones = list(s.regiones_qs())
    region_de = dict(s.comunas_qs(nivel=s.NACIONAL, codigo="").values_list("cut", "region_id"))
    estados = estados_sello(s.sellos(periodo), list(region_de))
    tabla = s.tabla_casos(periodo)
    por_region: dict[str, dict[str, str]] = defaultdict(dict)
    for cut, estado in estados.items():
        por_region[region_de[cut]][cut] = estado
    filas: list[dict[str, Any]] = [
        {
            "region": r,
            "comunas": len(por_region[r.cut]),
            "en_programa": sum(1 for e in por_region[r.cut].values() if e != mapa.SIN_ADHESION),
            "vigentes": vigentes(por_region[r.cut]),
            "casos": tabla.total(s.REGION, r.cut),
            "vencidos": tabla.vencidos(s.REGION, r.cut).texto,
        }
        for r in regiones
    ]
    filas_sello, grafico_sello = sellos_contados(estados)
    total = tabla.total(s.NACIONAL, "")
    return {
        # For the key figures, with the live ones:
        "estados": estados,
        "total": total,
        "vencidos": tabla.vencidos(s.NACIONAL, ""),
        "plataforma": plataforma_de(periodo, s.NACIONAL, ""),
        # For the page as they are:
        "filas": filas,
        "filas_sello": filas_sello,
        "grafico_sello": grafico_sello,
        "grafico_casos": grafico([dato(f["region"].nombre_corto, f["casos"]) for f in filas], _("Casos por región")),
        "grafico_vigentes": grafico(
            [graficos.Dato(f["region"].nombre_corto, f["vigentes"]) for f in filas],
            _("Comunas con sello vigente por región"),
        ),
        "por_mes": por_mes(s.casos_por_mes(periodo, s.NACIONAL, ""), total),
        **contexto_mapa(NACIONAL, periodo, _("Comunas de Chile según el estado del sello")),
    }


@require_GET
@login_required
def nacional(request: HttpRequest) -> HttpResponse:
    """The country by región: seals, cases, overdue, evidence waiting for review, minutas."""
    usuario: Any = request.user
    exigir(usuario, s.NACIONAL, "")
    periodo, aviso = elegir_periodo(request)
    resumen = s.por_actualizacion(("tablero_nacional", periodo.codigo), lambda: resumen_nacional(periodo))
    # Live figures: the review queue and the minutas change between refreshes.
    evidencias = dict(
        sello_selectors.evidencias_por_revisar(usuario=usuario)
        .values_list("adhesion__municipalidad__comuna__region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    listas = minutas_contadas(usuario, periodo, "comuna__region_id", estado=Minuta.Estado.LISTA)
    solo_kpis = ("estados", "total", "vencidos", "plataforma")
    contexto = {
        **{clave: valor for clave, valor in resumen.items() if clave not in solo_kpis},
        "kpis": indicadores(
            resumen["estados"],
            resumen["total"],
            resumen["vencidos"],
            sum(evidencias.values()),
            None if listas is None else sum(listas.values()),
            resumen["plataforma"],
        ),
        "filas": [
            {
                **fila,
                "evidencias": evidencias.get(fila["region"].cut, 0),
                "minutas": None if listas is None else listas.get(fila["region"].cut, 0),
            }
            for fila in resumen["filas"]
        ],
        "con_minutas": listas is not None,
        "nota_supresion": nota_supresion(),
        **contexto_periodo(periodo, aviso),
    }
    return render(request, "estadisticas/tableros/nacional.html", contexto)


urlpatterns: list[URLPattern] = [
    path("", inicio, name="inicio"),
    path("comuna/<str:cut>/", comuna, name="comuna"),
    path("region/<str:cut>/", region, name="region"),
    path("nacional/", nacional, name="nacional"),
]

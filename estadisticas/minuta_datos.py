"""What a minuta estadística comunal says: its figures, gathered from the summary tables and
the official figures, as plain JSON-able data.

The same data feeds the PDF template and the minuta's fingerprint (``huella``): when nothing
in it changed since the last render, the minuta is not rendered again. Charts are drawn from
it at render time (``estadisticas.minutas``), so they never enter the fingerprint.
"""

import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _

from municipios.models import Comuna, PoblacionComuna

from . import oficiales
from . import selectors as s
from .models import IndicadorOficial
from .periodos import Periodo
from .resumenes import ultima_actualizacion

# Bump when the template or the data it shows changes: a new version makes a new job row.
VERSION_PLANTILLA = 1
UMBRAL_ESTIMACION_COMUNAL = 10_000


def _cita(cita: oficiales.Cita | None) -> dict[str, Any] | None:
    if cita is None:
        return None
    return {"fuente": cita.fuente, "release": cita.release, "importacion": cita.importacion_id}


def _serie(cifras: dict[int, oficiales.Cifra]) -> list[dict[str, Any]]:
    return [{"anio": anio, "valor": cifras[anio].valor} for anio in sorted(cifras)]


def _celda(celda: Any) -> dict[str, Any]:
    return {"valor": celda.publico, "texto": celda.texto, "suprimida": bool(celda.suprimida)}


def _poblacion(comuna: Comuna, anio: int) -> dict[str, Any] | None:
    fila = (
        PoblacionComuna.objects.filter(comuna=comuna, anio__lte=anio)
        .order_by("-anio", "fuente")
        .values("anio", "total", "fuente")
        .first()
    )
    if fila is None:
        return None
    return {"anio": fila["anio"], "total": fila["total"], "fuente": str(PoblacionComuna.Fuente(fila["fuente"]).label)}


def _estimacion(comuna: Comuna) -> dict[str, Any]:
    """The comuna's foreign-resident estimate and trend, or the región's when INE publishes no
    comunal figure (comunas under 10,000 foreigners are "Otras comunas")."""
    propias = oficiales.cifras(indicador=IndicadorOficial.EXTRANJEROS, comuna_id=comuna.cut)
    regionales = oficiales.cifras(indicador=IndicadorOficial.EXTRANJEROS, region_id=comuna.region_id)
    datos: dict[str, Any] = {
        "comunal": bool(propias),
        "serie": _serie(propias),
        "cita": _cita(next(iter(propias.values())).cita) if propias else None,
        "serie_regional": _serie(regionales),
        "cita_regional": _cita(next(iter(regionales.values())).cita) if regionales else None,
        "umbral": UMBRAL_ESTIMACION_COMUNAL,
    }
    paises = oficiales.por_categoria(
        indicador=IndicadorOficial.EXTRANJEROS_PAIS,
        n=5,
        comuna_id=comuna.cut if propias else None,
        region_id=None if propias else comuna.region_id,
    )
    datos["paises"] = [{"pais": pais, "valor": cifra.valor, "anio": cifra.anio} for pais, cifra in paises]
    datos["cita_paises"] = _cita(paises[0][1].cita) if paises else None
    if propias:
        ultimo = max(propias)
        poblacion = _poblacion(comuna, ultimo)
        datos["ultimo"] = {"anio": ultimo, "valor": propias[ultimo].valor}
        datos["poblacion"] = poblacion
        if poblacion and poblacion["total"]:
            datos["porcentaje"] = round(100 * propias[ultimo].valor / poblacion["total"], 1)
        comunas_region = oficiales.cifras_comunas_de_region(
            indicador=IndicadorOficial.EXTRANJEROS, region_id=comuna.region_id, anio=ultimo
        )
        datos["mediana_regional"] = s.mediana_regional(c.valor for c in comunas_region.values())
        datos["comunas_con_estimacion"] = len(comunas_region)
    return datos


def _residencias(comuna: Comuna) -> dict[str, Any]:
    filas = []
    citas = []
    for indicador in (
        IndicadorOficial.RT_SOLICITUDES,
        IndicadorOficial.RT_OTORGADAS,
        IndicadorOficial.RD_SOLICITUDES,
        IndicadorOficial.RD_OTORGADAS,
    ):
        cifras = oficiales.cifras(indicador=indicador, comuna_id=comuna.cut)
        if cifras:
            anio = max(cifras)
            filas.append({"indicador": str(indicador.label), "anio": anio, "valor": cifras[anio].valor})
            citas.append(_cita(cifras[anio].cita))
    otorgadas = oficiales.por_categoria(indicador=IndicadorOficial.OTORGADAS_PAIS, comuna_id=comuna.cut, n=3)
    return {
        "filas": filas,
        "citas": [c for i, c in enumerate(citas) if c not in citas[:i]],
        "paises": [{"pais": p, "valor": c.valor, "anio": c.anio} for p, c in otorgadas],
    }


def _casos(tabla: s.TablaCasos, periodo: Periodo, comuna: Comuna) -> dict[str, Any]:
    dimensiones = {}
    for indicador in (s.Indicador.CASOS_TIPO, s.Indicador.CASOS_ESTADO, s.Indicador.CASOS_NNA):
        dimensiones[str(indicador)] = [
            {"categoria": c, "etiqueta": e, **_celda(celda)}
            for c, e, celda in tabla.dimension(s.COMUNA, comuna.cut, indicador)
        ]
    nacionalidades = tabla.dimension(s.COMUNA, comuna.cut, s.Indicador.CASOS_NACIONALIDAD)[:5]
    totales_region = [
        tabla.total(s.COMUNA, cut).publico
        for cut in s.comunas_qs(nivel=s.REGION, codigo=comuna.region_id).values_list("cut", flat=True)
    ]
    return {
        "total": _celda(tabla.total(s.COMUNA, comuna.cut)),
        "vencidos": _celda(tabla.vencidos(s.COMUNA, comuna.cut)),
        "dimensiones": dimensiones,
        "nacionalidades": [{"etiqueta": e, **_celda(celda)} for _c, e, celda in nacionalidades],
        # Monthly totals add up to the period's total: none when that total is hidden.
        "por_mes": []
        if tabla.total(s.COMUNA, comuna.cut).suprimida
        else [{"anio": a, "mes": m, "valor": n} for a, m, n in s.casos_por_mes(periodo, s.COMUNA, comuna.cut)],
        "mediana_regional": s.mediana_regional(totales_region),
    }


def _plataforma(periodo: Periodo, comuna: Comuna) -> dict[str, Any]:
    propios = s.plataforma(periodo, s.COMUNA, comuna.cut)
    return {
        "capacitaciones": sum(propios[s.Indicador.CAPACITACIONES].values()),
        "personas_capacitadas": sum(propios[s.Indicador.PERSONAS_CAPACITADAS].values()),
        "asistencias": sum(propios[s.Indicador.ASISTENCIAS].values()),
        "operativos": sum(propios[s.Indicador.OPERATIVOS].values()),
        "atenciones_operativos": sum(propios[s.Indicador.ATENCIONES_OPERATIVOS].values()),
    }


def _sello(periodo: Periodo, comuna: Comuna) -> dict[str, Any]:
    cuts = list(s.comunas_qs(nivel=s.REGION, codigo=comuna.region_id).values_list("cut", flat=True))
    resumenes = s.sellos(periodo, cuts)
    propio = resumenes.get(comuna.cut)
    lineas = sorted({linea for r in resumenes.values() for linea in (r.por_linea or {})})
    medianas = {
        linea: s.mediana_regional(
            float(r.por_linea[linea]) for r in resumenes.values() if r.por_linea and linea in r.por_linea
        )
        for linea in lineas
    }
    return {
        "estado": propio.estado if propio else "",
        "etiqueta": s.etiqueta_sello(propio.estado if propio else ""),
        "ciclo": propio.ciclo if propio else None,
        "vigente_hasta": propio.vigente_hasta.isoformat() if propio and propio.vigente_hasta else None,
        "puntaje_total": float(propio.puntaje_total) if propio and propio.puntaje_total is not None else None,
        "por_linea": [
            {
                "linea": linea,
                "valor": float(propio.por_linea[linea]) if propio and linea in (propio.por_linea or {}) else None,
                "mediana_regional": medianas[linea],
            }
            for linea in lineas
        ],
        "mediana_total_regional": s.mediana_regional(
            float(r.puntaje_total) for r in resumenes.values() if r.puntaje_total is not None
        ),
        "estados_region": {cut: r.estado for cut, r in resumenes.items()},
    }


def datos_minuta(comuna: Comuna, periodo: Periodo, tabla: s.TablaCasos | None = None) -> dict[str, Any]:
    """Every figure of the minuta of ``comuna`` for ``periodo``, with the source and release of
    each official one. ``tabla`` lets a batch share the period's suppressed case table."""
    tabla = tabla or s.tabla_casos(periodo)
    actualizacion = ultima_actualizacion()
    return {
        "version": VERSION_PLANTILLA,
        "periodo": {"codigo": periodo.codigo, "nombre": periodo.nombre},
        "comuna": {
            "cut": comuna.cut,
            "nombre": comuna.nombre,
            "region": comuna.region.nombre,
            "region_cut": comuna.region_id,
        },
        "estimacion": _estimacion(comuna),
        "residencias": _residencias(comuna),
        "casos": _casos(tabla, periodo, comuna),
        "plataforma": _plataforma(periodo, comuna),
        "sello": _sello(periodo, comuna),
        "plataforma_al": actualizacion.terminada_en.isoformat()
        if actualizacion and actualizacion.terminada_en
        else None,
        "umbral_supresion": s.umbral(),
        "nota_supresion": _(
            "Las cifras menores que %(umbral)s de categorías sensibles se muestran como «< %(umbral)s»; "
            "«reservado» indica una cifra ocultada para que no se pueda deducir otra por diferencia."
        )
        % {"umbral": s.umbral()},
    }


# When the figures were refreshed is shown but is not an input: a refresh that changes no
# figure must not re-render 346 minutas.
FUERA_DE_HUELLA = ("plataforma_al",)


def huella(datos: dict[str, Any]) -> str:
    """SHA-256 of the figures (sorted JSON): equal figures, equal fingerprint."""
    entradas = {k: v for k, v in datos.items() if k not in FUERA_DE_HUELLA}
    return hashlib.sha256(json.dumps(entradas, sort_keys=True, default=str).encode()).hexdigest()

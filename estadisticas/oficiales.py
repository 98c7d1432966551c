"""Selectors of the official figures (``CifraOficial``) that dashboards and minutas cite.

Which import a figure comes from: for one indicator and one place, the most recently completed
import (``terminado_en``, then id) that has rows of that indicator for that place. Microdata
imports (figures derived by GROUP BY) and summary imports compete on equal terms: when both
provide the same indicator and place, the newest completed one wins, whole (all its years),
so a series never mixes sources. Imports replaced by a re-import of their release, failed or
pending ones are never read.

A place is a comuna (when ``comuna_id`` is given), else a región (its own figures, not its
comunas'), else the country (región and comuna empty).

Caveats the citation carries through ``fuente`` and ``release``: in the región summary of
release 2023-12, year 2023 is the estimate published in 2024 (the import's report says so);
``otorgadas_pais`` is of temporary residences in the comuna summary and of definitive ones in
the microdata.

Every function runs a bounded number of queries (one or two), whatever the number of imports
or rows.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from .models import CifraOficial, Fuente, Importacion

CAMPOS = ("anio", "valor", "categoria", "comuna_id", "importacion_id", "importacion__fuente", "importacion__release")


@dataclass(frozen=True)
class Cita:
    fuente: str  # the Fuente label (human, Spanish)
    release: str
    importacion_id: int


@dataclass(frozen=True)
class Cifra:
    valor: int
    anio: int
    cita: Cita


def _cita(fuente: str, release: str, importacion_id: int) -> Cita:
    return Cita(fuente=str(Fuente(fuente).label), release=release, importacion_id=importacion_id)


def _cifra(fila: dict[str, Any]) -> Cifra:
    cita = _cita(fila["importacion__fuente"], fila["importacion__release"], fila["importacion_id"])
    return Cifra(valor=fila["valor"], anio=fila["anio"], cita=cita)


def _lugar(comuna_id: str | None, region_id: str | None) -> Q:
    if comuna_id:
        return Q(comuna_id=comuna_id)
    if region_id:
        return Q(region_id=region_id, comuna__isnull=True)
    return Q(region__isnull=True, comuna__isnull=True)


def _completadas(indicador: str, lugar: Q) -> QuerySet[CifraOficial]:
    return CifraOficial.objects.filter(lugar, indicador=indicador, importacion__estado=Importacion.Estado.COMPLETADA)


def _mas_reciente(qs: QuerySet[CifraOficial]) -> Subquery:
    """The id of the newest completed import among ``qs``'s rows."""
    return Subquery(qs.order_by("-importacion__terminado_en", "-importacion_id").values("importacion_id")[:1])


def cifras(*, indicador: str, comuna_id: str | None = None, region_id: str | None = None) -> dict[int, Cifra]:
    """year -> figure, from the most recently completed import (terminado_en) that has rows of
    that indicador for that place (comuna if given, else región if given, else national:
    region and comuna null). categoria "" rows only. {} when none.

    One query (the import is chosen in a subquery)."""
    qs = _completadas(indicador, _lugar(comuna_id, region_id)).filter(categoria="")
    filas = qs.filter(importacion_id=_mas_reciente(qs)).order_by("anio").values(*CAMPOS)
    return {f["anio"]: _cifra(f) for f in filas}


def por_categoria(
    *,
    indicador: str,
    anio: int | None = None,
    comuna_id: str | None = None,
    region_id: str | None = None,
    n: int = 5,
) -> list[tuple[str, Cifra]]:
    """Top n categories (countries) by value for the year (latest available when None),
    same import-choice rule.

    With a year, the import is the newest that has that year for the place. Ties are ordered
    by name. Two queries: the import and year, then the top ``n``."""
    qs = _completadas(indicador, _lugar(comuna_id, region_id)).exclude(categoria="")
    if anio is not None:
        qs = qs.filter(anio=anio)
    elegida = (
        qs.order_by("-importacion__terminado_en", "-importacion_id", "-anio").values("importacion_id", "anio").first()
    )
    if elegida is None:
        return []
    filas = qs.filter(importacion_id=elegida["importacion_id"], anio=elegida["anio"]).order_by("-valor", "categoria")
    return [(f["categoria"], _cifra(f)) for f in filas.values(*CAMPOS)[:n]]


def cifras_comunas_de_region(*, indicador: str, region_id: str, anio: int) -> dict[str, Cifra]:
    """comuna CUT -> figure for every comuna of the región that has one (for a regional median).

    Each comuna's figure comes from the import ``cifras(comuna_id=…)`` would choose for it, so
    the two always agree. One query."""
    qs = _completadas(indicador, Q(region_id=region_id, comuna__isnull=False)).filter(categoria="")
    # Annotate each row with the newest import of its comuna, keep the rows of that import.
    del_lugar = CifraOficial.objects.filter(
        indicador=indicador,
        comuna_id=OuterRef("comuna_id"),
        categoria="",
        importacion__estado=Importacion.Estado.COMPLETADA,
    )
    filas = (
        qs.filter(anio=anio)
        .annotate(elegida=_mas_reciente(del_lugar))
        .filter(importacion_id=F("elegida"))
        .order_by("comuna_id")
        .values(*CAMPOS)
    )
    return {f["comuna_id"]: _cifra(f) for f in filas}


def fuentes_disponibles() -> list[Cita]:
    """Completed imports, newest first (one query)."""
    importaciones = (
        Importacion.objects.filter(estado=Importacion.Estado.COMPLETADA)
        .order_by(F("terminado_en").desc(nulls_last=True), "-pk")
        .values("pk", "fuente", "release")
    )
    return [_cita(i["fuente"], i["release"], i["pk"]) for i in importaciones]

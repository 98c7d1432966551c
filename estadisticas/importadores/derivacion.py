"""Official figures (``CifraOficial``) derived from an import's microdata.

Each figure is one ``INSERT … SELECT … GROUP BY`` run by the database inside the import's
transaction: no row of the microdata goes through Python. Levels: comuna (with its región
set), región (comuna empty) and the country (both empty). Country-level sums include the rows
without a región (INE's "Región ignorada") or without a comuna ("Otras comunas"), so they
equal the file's totals. Breakdowns by country of nationality keep only non-zero groups.
"""

from django.db import connection, models

from municipios.models import Comuna

from ..models import CifraOficial, EstimacionExtranjeros, IndicadorOficial, RefugioSermig, ResidenciaSermig

# (región, comuna) expressions of each level, and the condition its rows must meet.
NACIONAL = ("NULL", "NULL", "")
REGION = ("t.region_id", "NULL", "AND t.region_id IS NOT NULL")
COMUNA = ("t.region_id", "t.comuna_id", "AND t.comuna_id IS NOT NULL")
# Residence microdata only has the comuna: its región comes from the comuna table.
REGION_DE_COMUNA = ("c.region_id", "NULL", "")
COMUNA_CON_REGION = ("c.region_id", "t.comuna_id", "")

Nivel = tuple[str, str, str]


def _tabla(modelo: type[models.Model]) -> str:
    return connection.ops.quote_name(modelo._meta.db_table)


def _insertar(
    *,
    importacion_id: int,
    indicador: str,
    origen: str,
    nivel: Nivel,
    valor: str,
    categoria: str = "",
    join: str = "",
) -> int:
    """Insert the figures of one indicator at one level; returns the number of rows."""
    region, comuna, condicion = nivel
    grupo = [e for e in (region, comuna) if e != "NULL"] + ["t.anio"] + ([categoria] if categoria else [])
    columna_categoria = categoria or "''"
    con_valor = f" HAVING {valor} > 0" if categoria else ""
    # Every fragment is a constant of this module; the only values are the bound parameters.
    sql = (
        f"INSERT INTO {_tabla(CifraOficial)} (importacion_id, indicador, region_id, comuna_id, anio, categoria, valor) "  # noqa: S608
        f"SELECT %s, %s, {region}, {comuna}, t.anio, {columna_categoria}, {valor} "
        f"FROM {origen} t {join} WHERE t.importacion_id = %s {condicion} "
        f"GROUP BY {', '.join(grupo)}{con_valor}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [importacion_id, str(indicador), importacion_id])
        return max(cursor.rowcount, 0)


def derivar_estimacion(importacion_id: int, *, por_comuna: bool) -> int:
    """``extranjeros`` and ``extranjeros_pais`` (sum of ESTIMACION) by year, for the country,
    each región and, from the comuna file, each comuna."""
    niveles = [NACIONAL, REGION, *([COMUNA] if por_comuna else [])]
    origen = _tabla(EstimacionExtranjeros)
    return sum(
        _insertar(
            importacion_id=importacion_id,
            indicador=indicador,
            origen=origen,
            nivel=nivel,
            valor="SUM(t.estimacion)",
            categoria=categoria,
        )
        for nivel in niveles
        for indicador, categoria in (
            (IndicadorOficial.EXTRANJEROS, ""),
            (IndicadorOficial.EXTRANJEROS_PAIS, "t.pais"),
        )
    )


def derivar_residencias(importacion_id: int, *, indicador: str, por_pais: bool) -> int:
    """Number of residences (applications or grants) by year for the country, each región and
    each comuna; with ``por_pais`` also ``otorgadas_pais`` by country of nationality."""
    join = f"JOIN {_tabla(Comuna)} c ON c.cut = t.comuna_id"
    origen = _tabla(ResidenciaSermig)
    pares = [(indicador, "")] + ([(IndicadorOficial.OTORGADAS_PAIS, "t.pais")] if por_pais else [])
    return sum(
        _insertar(
            importacion_id=importacion_id,
            indicador=ind,
            origen=origen,
            nivel=nivel,
            valor="COUNT(*)",
            categoria=categoria,
            join=join,
        )
        for nivel in (NACIONAL, REGION_DE_COMUNA, COMUNA_CON_REGION)
        for ind, categoria in pares
    )


def derivar_refugio(importacion_id: int) -> int:
    """``refugio_solicitudes``: applications by year, for the country."""
    return _insertar(
        importacion_id=importacion_id,
        indicador=IndicadorOficial.REFUGIO_SOLICITUDES,
        origen=_tabla(RefugioSermig),
        nivel=NACIONAL,
        valor="COUNT(*)",
    )

"""Readers of the official INE and SERMIG files, in their published formats.

Files are read row by row (``lectura``), so a file of millions of rows is imported in bounded
memory. Each importer turns a row into unsaved model instances and accumulates the file's
totals as it goes; the service (``estadisticas.services``) inserts the instances in batches
inside one transaction, then lets the importer close: the microdata importers
(``microdatos``) derive their official figures by GROUP BY (``derivacion``), the summary
importers (``resumenes``) write official figures directly and check them against the file's
own totals.

Comuna names are matched to the CUT through ``normalizar`` (accents, case, punctuation and
spaces ignored) against the names in the database plus the known variants of
``data/comunas_variantes.csv``. Rows whose comuna (or CUT, or CODREGEO) is not recognised are
never silently dropped: they are listed (name, number of rows, first line numbers) in the
import's report and, unless the import allows it explicitly, the import fails and nothing is
written.
"""

from municipios.models import Comuna

from ..models import CifraOficial, EstimacionExtranjeros, Fuente, IndicadorOficial, RefugioSermig, ResidenciaSermig
from .base import Importador
from .lectura import (
    ErrorDeImportacion,
    TablaComunas,
    abrir,
    entero,
    fecha_excel,
    normalizar,
    regiones_por_codregeo,
    sha256,
)
from .microdatos import (
    COLUMNAS_ESTIMACION,
    COLUMNAS_REFUGIO,
    COLUMNAS_RESIDENCIA,
    NUMEROS_ESTIMACION,
    ImportadorEstimacion,
    ImportadorRefugio,
    ImportadorResidencia,
)
from .resumenes import (
    ImportadorResumenComunas,
    ImportadorResumenRegiones,
    columna_residencias,
    paises,
    paises_extranjeros,
    paises_residencias,
)

__all__ = [
    "NUMEROS_ESTIMACION",
    "ErrorDeImportacion",
    "Importador",
    "TablaComunas",
    "abrir",
    "entero",
    "fecha_excel",
    "importador_para",
    "normalizar",
    "paises",
    "sha256",
]

# Sources whose rows are the official figures themselves (no microdata table).
RESUMENES = (
    Fuente.INE_SERMIG_RESUMEN_REGIONES,
    Fuente.INE_SERMIG_RESUMEN_COMUNAS,
    Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS,
)
COLUMNAS_RESUMEN_COMUNAS = ("CUT", "REGION_CUT")


def importador_para(fuente: str) -> Importador:
    """A fresh importer for a source (loads the territory tables it needs)."""
    if fuente == Fuente.INE_SERMIG_REGIONES:
        return ImportadorEstimacion(EstimacionExtranjeros, COLUMNAS_ESTIMACION, regiones=regiones_por_codregeo())
    if fuente == Fuente.INE_SERMIG_COMUNAS:
        return ImportadorEstimacion(
            EstimacionExtranjeros,
            (*COLUMNAS_ESTIMACION, "COMUNA"),
            por_comuna=True,
            regiones=regiones_por_codregeo(),
            comunas=TablaComunas(),
        )
    if fuente in (Fuente.SERMIG_RESIDENCIAS_SOLICITUDES, Fuente.SERMIG_RESIDENCIAS_OTORGADAS):
        otorgadas = fuente == Fuente.SERMIG_RESIDENCIAS_OTORGADAS
        return ImportadorResidencia(
            ResidenciaSermig,
            COLUMNAS_RESIDENCIA,
            comunas=TablaComunas(),
            indicador=IndicadorOficial.RD_OTORGADAS if otorgadas else IndicadorOficial.RD_SOLICITUDES,
            por_pais=otorgadas,
        )
    if fuente == Fuente.SERMIG_REFUGIO:
        return ImportadorRefugio(RefugioSermig, COLUMNAS_REFUGIO)
    if fuente == Fuente.INE_SERMIG_RESUMEN_REGIONES:
        return ImportadorResumenRegiones(CifraOficial, ("CODREGEO_INE", "REGION_CUT"), regiones=regiones_por_codregeo())
    if fuente == Fuente.INE_SERMIG_RESUMEN_COMUNAS:
        return ImportadorResumenComunas(
            CifraOficial,
            COLUMNAS_RESUMEN_COMUNAS,
            leer_paises=paises_extranjeros,
            comunas=_comunas_con_region(),
        )
    if fuente == Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS:
        return ImportadorResumenComunas(
            CifraOficial,
            COLUMNAS_RESUMEN_COMUNAS,
            leer_columna=columna_residencias,
            leer_paises=paises_residencias,
            comunas=_comunas_con_region(),
        )
    raise ErrorDeImportacion(f"Fuente desconocida: «{fuente}».")


def _comunas_con_region() -> dict[str, str]:
    return dict(Comuna.objects.values_list("cut", "region_id"))

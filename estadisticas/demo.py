"""Demo official data: the reference summaries and the official samples of ``data/``.

Idempotent: a source and release already completed is skipped, so ``seed_demo`` can run again.
The samples are excerpts (the first 300 rows of INE's ``baseregiones.csv``, 25 rows of each
SERMIG microdata file): their figures are small, and they carry their own release labels
("…-muestra") so they never replace a full file's figures of the same release.
"""

from collections.abc import Iterable
from pathlib import Path

from municipios.models import Comuna

from . import services
from .importadores.lectura import DATA_DIR
from .minutas import minuta_solicitar
from .models import Fuente, Importacion, Minuta
from .periodos import Periodo, periodo_actual
from .resumenes import resumenes_refrescar

# (file, source, release), oldest first: the import choice of ``estadisticas.oficiales`` is the
# most recently completed import, so the full summaries are loaded after the samples and win.
ARCHIVOS: tuple[tuple[str, str, str], ...] = (
    ("ine_sermig_estimacion_baseregiones_muestra.csv", Fuente.INE_SERMIG_REGIONES, "2023-12-muestra"),
    ("sermig_rd_solicitudes_2021_muestra.csv", Fuente.SERMIG_RESIDENCIAS_SOLICITUDES, "2021-muestra"),
    ("sermig_rd_otorgadas_2021_muestra.csv", Fuente.SERMIG_RESIDENCIAS_OTORGADAS, "2021-muestra"),
    ("sermig_refugio_muestra.csv", Fuente.SERMIG_REFUGIO, "muestra"),
    # Dec-2023 INE-SERMIG release (its 2023 column is the 2024 release: see the import's report).
    ("extranjeros_estimados_ine_sermig_regiones.csv", Fuente.INE_SERMIG_RESUMEN_REGIONES, "2023-12"),
    ("extranjeros_estimados_ine_sermig_comunas.csv", Fuente.INE_SERMIG_RESUMEN_COMUNAS, "2023-12"),
    ("residencias_sermig_comunas_2023.csv", Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS, "2023"),
)


def cargar_oficiales(directorio: Path = DATA_DIR) -> list[Importacion]:
    """Import the demo files not yet imported (source and release completed); returns the new
    imports. Raises ``RuntimeError`` if one fails (the demo data would be incomplete)."""
    hechas = set(Importacion.objects.filter(estado=Importacion.Estado.COMPLETADA).values_list("fuente", "release"))
    nuevas = []
    for nombre, fuente, release in ARCHIVOS:
        if (fuente, release) in hechas:
            continue
        importacion = services.importar_ruta(fuente=fuente, release=release, ruta=directorio / nombre)
        if importacion.estado != Importacion.Estado.COMPLETADA:
            raise RuntimeError(f"{nombre}: {importacion.error}")
        nuevas.append(importacion)
    return nuevas


def generar_minutas_demo(cuts: Iterable[str], periodo: Periodo | None = None) -> list[Minuta]:
    """Refresh the summary tables and request the minutas of the demo comunas for the current
    semester (with eager Celery, as in ``make run``, they are rendered before this returns)."""
    resumenes_refrescar()
    periodo = periodo or periodo_actual()
    return [minuta_solicitar(comuna=comuna, periodo=periodo) for comuna in Comuna.objects.filter(cut__in=list(cuts))]

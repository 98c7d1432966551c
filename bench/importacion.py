"""Official data import, rows per second ÷ PostgreSQL ``COPY`` of the same rows (issue 7: ≥ 0.3).

(a) the real path: a ``baseregiones.csv``-shaped Latin-1 file (INE-SERMIG microdata; fixed
seed) imported with ``estadisticas.services.importar_ruta``, as the management command does:
the file stored and hashed, read row by row, every cell converted and checked, the rows
inserted in batches, the figures derived by GROUP BY, the totals and the report written,
one transaction committed. (b) the floor: the very rows (a) stored, as PostgreSQL's own
``COPY … TO`` writes them, streamed back with ``COPY … FROM STDIN`` into the same table
(same index, same foreign keys, checked before the clock stops, same commit): the database
ingesting the rows with no application in front of it. For information, the same ``COPY``
into a bare temporary table (no index, no foreign key, no WAL) is timed too.

Order: one untimed warm-up import of a small file, then the imports and the ``COPY`` runs as
pairs, back to back, alternating which goes first; the ratio is of the medians. Every import
and every ``COPY`` is deleted once timed (untimed): no row of the benchmark stays behind
for the dashboards to cite.
"""

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from django.db import connection, transaction
from psycopg import sql

from estadisticas.models import EstimacionExtranjeros, Fuente, Importacion
from estadisticas.services import importar_ruta

from .base import Cifra, Opciones, Seccion

FILAS = 500_000
RONDAS = 3
CALENTAMIENTO = 5_000
META = 0.3
SEMILLA = 7
BLOQUE = 1 << 20  # bytes streamed per COPY write
ENCABEZADO = (
    '"SEXO","EDAD","PAIS","AÑO ESTIMACION","CODREGEO","REGION",'
    '"CENSO AJUSTADO","RRAA_REGULAR","RRAA_IRREGULAR","RRAA_TOTAL","ESTIMACION"\n'
)
PAISES = ("VENEZUELA", "PERÚ", "HAITÍ", "COLOMBIA", "BOLIVIA", "ARGENTINA", "ECUADOR", "CHINA", "ESPAÑA")
REGIONES = ("TARAPACÁ", "ANTOFAGASTA", "ATACAMA", "COQUIMBO", "VALPARAÍSO", "O'HIGGINS", "MAULE", "BIOBÍO")
# The table's columns a converted row fills (all but the id), in the model's order.
COLUMNAS = [cast(str, f.column) for f in EstimacionExtranjeros._meta.concrete_fields if not f.primary_key]


def generar_archivo(ruta: Path, filas: int) -> None:
    """A ``baseregiones.csv``-shaped Latin-1 file: sex, age bracket, country, year and
    CODREGEO (1 to 17, 17 being "Región ignorada"), some empty cells (zero)."""
    azar = random.Random(SEMILLA)  # noqa: S311 - reproducible data, not secrets
    with ruta.open("w", encoding="latin-1", newline="") as salida:
        salida.write(ENCABEZADO)
        for i in range(filas):
            estimacion = azar.randint(0, 900)
            regular, irregular = estimacion // 2, estimacion // 5
            censo = "" if i % 7 == 0 else str(azar.randint(0, estimacion))
            edad = f"{(i % 17) * 5:02d} A {(i % 17) * 5 + 4:02d}"
            salida.write(
                f'"{"HM"[i % 2]}","{edad}","{PAISES[i % len(PAISES)]}",{2018 + i % 6},{i % 17 + 1},'
                f'"{REGIONES[i % len(REGIONES)]}","{censo}","{regular}","{irregular}",'
                f'"{regular + irregular}",{estimacion}\n'
            )


def _borrar(importacion: Importacion) -> None:
    if importacion.archivo.name:
        importacion.archivo.storage.delete(importacion.archivo.name)
    importacion.delete()  # cascades to its rows and figures


def _importar(ruta: Path, release: str) -> tuple[float, Importacion]:
    inicio = time.perf_counter()
    importacion = importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release=release, ruta=ruta)
    segundos = time.perf_counter() - inicio
    if importacion.estado != Importacion.Estado.COMPLETADA:
        raise RuntimeError(f"bench import failed: {importacion.error}")
    return segundos, importacion


def _volcar(origen: Importacion, destino: Importacion, ruta: Path) -> int:
    """The rows of ``origen`` in ``COPY`` text format, carrying ``destino``'s id."""
    columnas = sql.SQL(", ").join(
        sql.Literal(destino.pk) if c == "importacion_id" else sql.Identifier(c) for c in COLUMNAS
    )
    consulta = sql.SQL(
        "COPY (SELECT {columnas} FROM {tabla} WHERE importacion_id = {id} ORDER BY id) TO STDOUT"
    ).format(columnas=columnas, tabla=sql.Identifier(EstimacionExtranjeros._meta.db_table), id=sql.Literal(origen.pk))
    with connection.cursor() as cursor, ruta.open("wb") as salida, cursor.cursor.copy(consulta) as copia:
        for bloque in copia:
            salida.write(bloque)
    return ruta.stat().st_size


def _copiar(ruta: Path, tabla: str) -> None:
    consulta = sql.SQL("COPY {tabla} ({columnas}) FROM STDIN").format(
        tabla=sql.Identifier(tabla), columnas=sql.SQL(", ").join(map(sql.Identifier, COLUMNAS))
    )
    with connection.cursor() as cursor, ruta.open("rb") as entrada, cursor.cursor.copy(consulta) as copia:
        while bloque := entrada.read(BLOQUE):
            copia.write(bloque)


def _copia_misma_tabla(ruta: Path, destino: Importacion) -> float:
    """COPY into the real table, the deferred foreign keys checked, committed; then deleted."""
    inicio = time.perf_counter()
    with transaction.atomic():
        _copiar(ruta, EstimacionExtranjeros._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    segundos = time.perf_counter() - inicio
    EstimacionExtranjeros.objects.filter(importacion=destino).delete()
    return segundos


def _copia_tabla_temporal(ruta: Path) -> float:
    tabla = "bench_estimacion_copia"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.cursor.execute(
                sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING IDENTITY) ON COMMIT DROP").format(
                    sql.Identifier(tabla), sql.Identifier(EstimacionExtranjeros._meta.db_table)
                )
            )
        inicio = time.perf_counter()
        _copiar(ruta, tabla)
        return time.perf_counter() - inicio


def medir(opciones: Opciones, *, filas: int = FILAS, rondas: int = RONDAS) -> Seccion:
    """Measure (a) and (b); see the module docstring for the method."""
    carga_inicial = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-importacion-") as directorio:
        carpeta = Path(directorio)
        archivo, volcado = carpeta / "baseregiones.csv", carpeta / "filas.copy"
        inicio = time.perf_counter()
        generar_archivo(archivo, filas)
        t_generar = time.perf_counter() - inicio
        mb_archivo = archivo.stat().st_size / 1024 / 1024
        calentamiento = carpeta / "calentamiento.csv"
        generar_archivo(calentamiento, min(CALENTAMIENTO, filas))
        _borrar(_importar(calentamiento, "bench-calentamiento")[1])

        # The floor's rows: those of a first import (timed as round 0), dumped by PostgreSQL.
        real: list[float] = []
        segundos, referencia = _importar(archivo, "bench-0")
        real.append(segundos)
        destino = Importacion.objects.create(fuente=Fuente.INE_SERMIG_REGIONES, release="bench-copia")
        try:
            tamano = _volcar(referencia, destino, volcado)
            cifras_derivadas = referencia.totales["cifras"]
            _borrar(referencia)
            piso: list[float] = []
            temporal: list[float] = []

            def importar() -> None:
                segundos, importacion = _importar(archivo, f"bench-{len(real)}")
                real.append(segundos)
                _borrar(importacion)

            def copiar() -> None:
                piso.append(_copia_misma_tabla(volcado, destino))

            for ronda in range(rondas):
                pasos: list[Callable[[], None]] = [copiar, importar] if ronda % 2 == 0 else [importar, copiar]
                for paso in pasos:
                    paso()
                temporal.append(_copia_tabla_temporal(volcado))
            piso.append(_copia_misma_tabla(volcado, destino))  # as many floors as imports
        finally:
            _borrar(destino)

    t_real, t_piso, t_temporal = statistics.median(real), statistics.median(piso), statistics.median(temporal)
    cifras = [
        Cifra(
            f"import of a {filas:,}-row baseregiones.csv, rows/s ÷ COPY of the same rows into the same table",
            t_piso / t_real,
            META,
            sentido=">=",
        )
    ]
    absolutos = [
        ("File", f"{filas:,} rows, {mb_archivo:.0f} MiB Latin-1 CSV (generated in {t_generar:.1f} s, untimed)"),
        ("(a) import, median of " + str(len(real)), f"{t_real:.2f} s = {filas / t_real:,.0f} rows/s"),
        ("(a) import, each", " · ".join(f"{s:.2f} s" for s in real)),
        ("(b) COPY into the same table, median of " + str(len(piso)), f"{t_piso:.2f} s = {filas / t_piso:,.0f} rows/s"),
        ("(b) COPY, each", " · ".join(f"{s:.2f} s" for s in piso)),
        ("COPY text streamed", f"{tamano / 1024 / 1024:.0f} MiB"),
        (
            "For information: COPY into a bare temporary table (no index, no FK, no WAL)",
            f"{t_temporal:.2f} s = {filas / t_temporal:,.0f} rows/s; (a) ÷ it: {t_temporal / t_real:.2f}x; "
            f"(b) ÷ it: {t_temporal / t_piso:.2f}x",
        ),
        ("Official figures derived per import (GROUP BY)", f"{cifras_derivadas:,}"),
        ("Load average (1 min) at start / end", f"{carga_inicial:.1f} / {os.getloadavg()[0]:.1f}"),
    ]
    metodo = [" ".join(parrafo.split()) for parrafo in (__doc__ or "").split("\n\n")[1:]]
    return Seccion(titulo="Official data import", cifras=cifras, absolutos=absolutos, metodo=metodo)

"""Official imports insert their rows with PostgreSQL COPY (``estadisticas.importadores.copia``):
the same rows as before, a number of SQL statements that does not grow with the file."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estadisticas.importadores import copia
from estadisticas.importadores.microdatos import ImportadorEstimacion
from estadisticas.models import EstimacionExtranjeros, Fuente, Importacion
from estadisticas.services import importar_ruta

pytestmark = pytest.mark.django_db

ENCABEZADO = (
    '"SEXO","EDAD","PAIS","AÑO ESTIMACION","CODREGEO","REGION",'
    '"CENSO AJUSTADO","RRAA_REGULAR","RRAA_IRREGULAR","RRAA_TOTAL","ESTIMACION"\n'
)
# The importer's own: importacion, año, sexo, edad, país, CODREGEO, región, comuna, nombre, 5 numbers.
CAMPOS = ImportadorEstimacion.campos


def _archivo(ruta: Path, filas: int) -> Path:
    with ruta.open("w", encoding="latin-1", newline="") as salida:
        salida.write(ENCABEZADO)
        for i in range(filas):
            salida.write(f'"M","30 A 34","PERÚ",2022,{i % 17 + 1},"X","","1","2","3",{i % 50}\n')
    return ruta


def _importacion() -> Importacion:
    return Importacion.objects.create(fuente=Fuente.INE_SERMIG_REGIONES, release="r")


def test_it_copies_rows_of_database_values() -> None:
    # Given: rows as tuples, one with NULLs (no región, no comuna)
    importacion = _importacion()
    filas = [
        (importacion.pk, 2022, "M", "30 A 34", "PERÚ", 13, "13", None, "", 9, 4, 3, 7, 7),
        (importacion.pk, 2023, "H", "00 A 04", "Haití\tcon tab", 17, None, None, "", 0, 0, 0, 0, 0),
    ]

    # When: copied on PostgreSQL, no statement goes through Django's cursor wrapper
    with CaptureQueriesContext(connection) as consultas:
        copia.copiar(EstimacionExtranjeros, CAMPOS, filas)

    # Then
    assert len(consultas) == 0
    guardadas = EstimacionExtranjeros.objects.filter(importacion=importacion).order_by("anio")
    assert list(guardadas.values_list(*CAMPOS)) == filas


def test_it_falls_back_to_bulk_create_off_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    importacion = _importacion()
    monkeypatch.setattr(connection, "vendor", "sqlite")

    with CaptureQueriesContext(connection) as consultas:
        copia.copiar(
            EstimacionExtranjeros,
            CAMPOS,
            [(importacion.pk, 2022, "M", "30 A 34", "PERÚ", 13, "13", None, "", 9, 4, 3, 7, 7)],
        )

    assert [q["sql"].split()[0] for q in consultas] == ["INSERT"]
    assert EstimacionExtranjeros.objects.get(importacion=importacion).estimacion == 7


def test_an_empty_batch_does_nothing() -> None:
    with CaptureQueriesContext(connection) as consultas:
        copia.copiar(EstimacionExtranjeros, CAMPOS, [])
    assert len(consultas) == 0


def test_the_statements_of_an_import_do_not_grow_with_the_file(tmp_path: Path) -> None:
    # Given: two files, the second with ten times the rows (several COPY batches)
    pequeno, grande = _archivo(tmp_path / "p.csv", 500), _archivo(tmp_path / "g.csv", 5_000)

    # When
    with CaptureQueriesContext(connection) as del_pequeno:
        uno = importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release="p", ruta=pequeno)
    with CaptureQueriesContext(connection) as del_grande:
        otro = importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release="g", ruta=grande)

    # Then: every row stored, with the same statements (COPY batches are not Django queries)
    assert (uno.estado, otro.estado) == (Importacion.Estado.COMPLETADA, Importacion.Estado.COMPLETADA)
    assert EstimacionExtranjeros.objects.filter(importacion=otro).count() == 5_000
    assert otro.totales["por_anio"]["2022"]["estimacion"] == sum(i % 50 for i in range(5_000))
    assert len(del_grande) == len(del_pequeno)
    assert not [q for q in del_grande if q["sql"].startswith('INSERT INTO "estadisticas_estimacionextranjeros"')]

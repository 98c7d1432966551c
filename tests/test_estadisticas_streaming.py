"""Streaming import: memory stays flat as the file grows (a million-row file imports in bounded
memory), and the stored totals equal the file's."""

import random
import tracemalloc
from pathlib import Path

import pytest

from estadisticas import services
from estadisticas.models import CifraOficial, EstimacionExtranjeros, Fuente, Importacion
from estadisticas.services import importar_ruta

pytestmark = pytest.mark.django_db

ENCABEZADO = (
    '"SEXO","EDAD","PAIS","AÑO ESTIMACION","CODREGEO","REGION",'
    '"CENSO AJUSTADO","RRAA_REGULAR","RRAA_IRREGULAR","RRAA_TOTAL","ESTIMACION"\n'
)
PAISES = ("VENEZUELA", "PERÚ", "HAITÍ", "COLOMBIA", "BOLIVIA", "ARGENTINA")


def _archivo(ruta: Path, filas: int) -> int:
    """A baseregiones.csv-shaped Latin-1 file of ``filas`` rows; returns its ESTIMACION total."""
    azar = random.Random(filas)
    total = 0
    with ruta.open("w", encoding="latin-1", newline="") as salida:
        salida.write(ENCABEZADO)
        for i in range(filas):
            estimacion = azar.randint(0, 500)
            total += estimacion
            edad = f"{(i % 16) * 5:02d} A {(i % 16) * 5 + 4:02d}"
            pais = PAISES[i % len(PAISES)]
            vacio = "" if i % 7 == 0 else str(estimacion)  # empty cells mean zero
            salida.write(f'"{"HM"[i % 2]}","{edad}","{pais}",2022,{i % 16 + 1},"X","{vacio}","","","",{estimacion}\n')
    return total


def _importar_midiendo(ruta: Path, release: str) -> tuple[Importacion, int]:
    tracemalloc.start()
    try:
        importacion = importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release=release, ruta=ruta)
        _actual, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return importacion, pico


def test_memory_does_not_grow_with_the_file(tmp_path):
    pequeno, grande = tmp_path / "pequeno.csv", tmp_path / "grande.csv"
    _archivo(pequeno, 2_000)
    total_grande = _archivo(grande, 12_000)

    _importacion, pico_pequeno = _importar_midiendo(pequeno, "p")
    importacion, pico_grande = _importar_midiendo(grande, "g")

    assert importacion.estado == Importacion.Estado.COMPLETADA, importacion.error
    # Six times the rows, about the same peak: rows are read, converted and inserted in
    # batches, never held all at once.
    assert pico_grande < 1.5 * pico_pequeno
    assert pico_grande < 40 * 1024 * 1024
    assert EstimacionExtranjeros.objects.filter(importacion=importacion).count() == 12_000
    nacional = CifraOficial.objects.get(
        importacion=importacion, indicador="extranjeros", region__isnull=True, comuna__isnull=True, anio=2022
    )
    assert nacional.valor == total_grande
    assert importacion.totales["por_anio"]["2022"]["estimacion"] == total_grande


def test_an_unexpected_failure_marks_the_import_as_failed(tmp_path, monkeypatch):
    ruta = tmp_path / "archivo.csv"
    _archivo(ruta, 10)

    def se_cae(*args, **kwargs):
        raise ConnectionError("se perdió la conexión")

    monkeypatch.setattr(services, "copiar", se_cae)
    with pytest.raises(ConnectionError):
        importar_ruta(fuente=Fuente.INE_SERMIG_REGIONES, release="r", ruta=ruta)

    importacion = Importacion.objects.get(release="r")
    assert importacion.estado == Importacion.Estado.ERROR
    assert "Error inesperado" in importacion.error
    assert not EstimacionExtranjeros.objects.filter(importacion=importacion).exists()

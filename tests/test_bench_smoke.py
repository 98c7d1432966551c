"""The benchmark machinery at tiny size (``make bench`` itself is not part of the suite):
three minutas through the real path and the bare renders, the report written to a
temporary file, never to ``docs/benchmarks.md``."""

import io
from pathlib import Path
from typing import Any

import pytest

from bench import datos, runner
from bench.minutas import elegir_comunas
from estadisticas.demo import cargar_oficiales
from estadisticas.models import Minuta
from estadisticas.resumenes import resumenes_refrescar

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_it_measures_three_minutas_and_writes_the_report(media: Path, tmp_path: Path) -> None:
    # Given: official figures, a summary refresh and the national spread for three comunas
    periodo = datos.periodo_bench()
    cuts = [c.cut for c in elegir_comunas(3)]
    cargar_oficiales()
    resumenes_refrescar()
    assert datos.sembrar_resumenes(periodo=periodo, cuts=cuts) > 0
    informe_real = runner.INFORME.read_bytes() if runner.INFORME.exists() else None
    salida = tmp_path / "benchmarks.md"
    consola = io.StringIO()

    # When
    secciones = runner.ejecutar(comunas=3, salida=salida, preparar=False, consola=consola)

    # Then: both ratios measured, with targets, printed and written
    (seccion,) = secciones
    assert [c.meta for c in seccion.cifras] == [1.25, 0.25]
    assert all(c.medido > 0 for c in seccion.cifras)
    texto = consola.getvalue()
    assert "3 minutas generated ÷ 3 bare WeasyPrint renders of the same HTML" in texto
    assert "(target ≤ 1.25x, issue 7)" in texto
    informe = salida.read_text()
    for fragmento in ("## Machine", "| CPU |", "| PostgreSQL |", "## Summary", "≤ 1.25x (issue 7)", "| Minutas | 3 |"):
        assert fragmento in informe
    # The three jobs really rendered (then were skipped once), their PDFs in the media dir
    minutas = Minuta.objects.filter(periodo=periodo.codigo, comuna_id__in=cuts)
    assert sorted(minutas.values_list("comuna_id", "estado", "omitidas")) == [
        (cut, Minuta.Estado.LISTA, 1) for cut in sorted(cuts)
    ]
    assert all((media / str(m.archivo.name)).read_bytes().startswith(b"%PDF") for m in minutas)
    # and the committed report was not touched
    assert (runner.INFORME.read_bytes() if runner.INFORME.exists() else None) == informe_real


def test_it_reports_a_missed_target() -> None:
    from bench.base import Cifra, Seccion
    from bench.informe import consola, markdown

    seccion = Seccion("Minutas", [Cifra("lenta", 1.4, 1.25), Cifra("rápida", 0.5, 0.4, sentido=">=")])

    assert consola([seccion]).splitlines() == [
        "Minutas: lenta: 1.40x (target ≤ 1.25x, issue 7) NOT met",
        "Minutas: rápida: 0.50x (target ≥ 0.40x, issue 7) met",
    ]
    assert "| Minutas | lenta | 1.40x | ≤ 1.25x (issue 7) | **no** |" in markdown([seccion], [("CPU", "x")])

"""The benchmark machinery at tiny size (``make bench`` itself is not part of the suite):
three minutas through the real path and the bare renders, the report written to a
temporary file, never to ``docs/benchmarks.md``; an official import of 1,000 rows against
COPY, a few case edits with and without history, and one-second wrk runs against gunicorn."""

import io
from pathlib import Path
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from bench import auditoria, carga, datos, importacion, runner
from bench.base import Opciones
from bench.minutas import elegir_comunas
from bench.servidor import leer_wrk
from bench.web.datos import Persona, Personas
from casos.models import Caso, EstadoCaso
from casos.models import Persona as PersonaCaso
from estadisticas.demo import cargar_oficiales
from estadisticas.models import CifraOficial, EstimacionExtranjeros, Importacion, Minuta
from estadisticas.resumenes import resumenes_refrescar

from .casos_fixtures import caso

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
    secciones = runner.ejecutar(comunas=3, salida=salida, solo=["minutas"], preparar=False, consola=consola)

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


# --- Official import, audit trail and load test, at tiny size ---------------------------------


def test_it_measures_an_import_against_copy_and_leaves_nothing_behind(media: Path) -> None:
    # When
    seccion = importacion.medir(Opciones(periodo=datos.periodo_bench()), filas=1_000, rondas=1)

    # Then: the ratio against its target; every import and COPY of the run deleted
    (cifra,) = seccion.cifras
    assert (cifra.meta, cifra.sentido) == (0.3, ">=")
    assert cifra.medido > 0
    assert "1,000 rows" in dict(seccion.absolutos)["File"]
    assert not Importacion.objects.exists()
    assert not EstimacionExtranjeros.objects.exists()
    assert not CifraOficial.objects.exists()
    assert not list(media.rglob("*.csv"))


def test_it_measures_a_write_with_and_without_its_history() -> None:
    seccion = auditoria.medir(Opciones(periodo=datos.periodo_bench()), escrituras=5)

    (cifra,) = seccion.cifras
    assert (cifra.meta, cifra.sentido) == (1.5, "<=")
    assert cifra.medido > 0
    assert dict(seccion.absolutos)["History rows written by (a) / (b)"] == f"{5 + auditoria.CALENTAMIENTO} / 0"
    # the throwaway cases, their person and their history are gone
    assert not Caso.objects.exists()
    assert not Caso.history.exists()
    assert not PersonaCaso.objects.exists()


WRK = """Running 1s test @ http://127.0.0.1:8000/api/v1/casos/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.29ms    1.22ms  17.76ms   80.00%
    Req/Sec     1.51k   102.14     1.73k    71.00%
  Latency Distribution
     50%  850.00us
     75%    5.80ms
     90%    6.56ms
     99%    1.02s
  1506 requests in 1.00s, 11.71MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 2, write 0, timeout 0
Requests/sec:   1505.44
"""


def test_it_reads_the_report_of_wrk() -> None:
    carga = leer_wrk(WRK)

    assert (carga.peticiones, carga.segundos, carga.errores) == (1506, 1.0, 5)
    assert (carga.p50, carga.p99) == pytest.approx((0.00085, 1.02))
    assert carga.rps == pytest.approx(1506)


@pytest.mark.django_db(transaction=True)
def test_it_loads_the_api_and_the_bare_view_under_gunicorn(municipal: Any, regional: Any, nacional: Any) -> None:
    # Given: a few cases of the RM and the bench users with their tokens
    for _ in range(3):
        caso(municipal, estado=EstadoCaso.DERIVADO)

    def con_token(usuario: Any, casos: int) -> Persona:
        return Persona(
            usuario=usuario, token=Token.objects.get_or_create(user=usuario)[0].key, casos=casos, etiqueta="x"
        )

    municipal_p = con_token(municipal, 3)
    gente = Personas(
        nacional=con_token(nacional, 3),
        regional=con_token(regional, 3),
        regional_chica=con_token(regional, 3),
        municipal_10=municipal_p,
        municipal_1000=municipal_p,
    )

    # When: gunicorn with the production settings, one worker, one one-second wrk run a side
    seccion = carga.medir_carga(
        gente, duracion=1, calentamiento=0, workers=1, paginas=False, estaticos=False, orden="AB"
    )

    # Then: both sides of both pairs served the same 3 rows, without errors; ratios measured
    assert [(c.meta, c.sentido) for c in seccion.cifras] == [(0.4, ">="), (0.4, ">=")]
    assert all(c.medido > 0 for c in seccion.cifras)
    assert dict(seccion.absolutos)["Rows per response"] == "regional officer, región 13: 3 · national officer: 3"


def test_the_capacity_note_rests_on_the_measured_figures() -> None:
    from bench import capacidad
    from bench.base import Capacidad, Cifra, Seccion
    from bench.informe import markdown

    # Given: every page measured at 100 req/s, the API at 50, and 3,600 minutas an hour
    paginas = [Capacidad(f"pagina:{clave}", clave, 100.0, "req/s") for clave in carga.CLAVES_PAGINAS]
    secciones = [
        Seccion(
            "Under load",
            [],
            capacidad=[
                *paginas,
                Capacidad("api:x", "API", 50.0, "req/s"),
                Capacidad("memoria_worker", "w", 120, "MiB"),
            ],
        ),
        Seccion("Minutas", [], capacidad=[Capacidad("minutas_hora", "m", 3600.0, "per hour")]),
        Seccion("Case list API", [Cifra("case list API at row 100,000 ÷ page 1 (x)", 1.07, 1.5)]),
    ]

    # When
    texto = "\n".join(capacidad.nota(secciones))

    # Then: the mix is the weighted harmonic mean (90 % of the traffic at 100, 10 % at 50)
    assert capacidad.mezcla_rps(capacidad._medidas(secciones)) == pytest.approx(1 / (0.9 / 100 + 0.1 / 50))
    assert "one machine serves 91 requests per second" in texto
    assert "the semester's 346 minutas take 5.8 minutes on one process" in texto
    assert "costs 1.07x its first page" in texto
    assert "| API | 50 req/s |" in texto
    assert "## Capacity" in markdown(secciones, [("CPU", "x")])
    # and no note without a load measurement
    assert capacidad.nota([secciones[1]]) == []


def test_bench_logins_pass_the_second_factor(nacional: Any, regional: Any) -> None:
    """SERMIG staff must pass the second factor on every page: the bench's sessions do, as a
    code from their app would, so the dashboards it measures answer 200 (not the 2FA page)."""
    from django.conf import settings

    from bench.web.medicion import cliente

    assert settings.SELLO_2FA_OBLIGATORIO
    assert cliente(usuario=nacional).get("/estadisticas/nacional/").status_code == 200
    assert cliente(usuario=regional).get("/estadisticas/region/13/").status_code == 200

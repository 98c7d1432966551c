"""Minutas estadísticas comunales: job states, one job per comuna/period/version, idempotent
generation, skip when unchanged, retry after a failure or a killed worker, and the numbers
inside the PDF read back with pdftotext against the database."""

import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casos.models import Caso, TipoCaso
from estadisticas import minutas, tasks
from estadisticas.minuta_datos import VERSION_PLANTILLA, datos_minuta
from estadisticas.models import CifraOficial, Fuente, Importacion, IndicadorOficial, Minuta
from estadisticas.periodos import periodo_actual
from estadisticas.resumenes import resumenes_refrescar
from municipios.models import Comuna

from .capacitaciones_fixtures import asistir, capacitacion, dispositivo, inscripcion
from .casos_fixtures import caso

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_propia(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def al_confirmar(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _texto_pdf(minuta: Minuta) -> str:
    ruta = Path(minuta.archivo.path)
    salida = subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(salida.split())


def _estimacion(comuna_id: str, region_id: str, valores: dict[int, int], release: str = "2023-12") -> Importacion:
    importacion = Importacion.objects.create(
        fuente=Fuente.INE_SERMIG_RESUMEN_COMUNAS,
        release=release,
        estado=Importacion.Estado.COMPLETADA,
        terminado_en=timezone.now(),
    )
    CifraOficial.objects.bulk_create(
        CifraOficial(
            importacion=importacion,
            indicador=IndicadorOficial.EXTRANJEROS,
            comuna_id=comuna_id,
            region_id=region_id,
            anio=anio,
            valor=valor,
        )
        for anio, valor in valores.items()
    )
    return importacion


@pytest.fixture
def datos_independencia(municipal, regional):
    """Independencia: 20 regularización cases, 3 trata cases (sensitive, below 5), a training
    with two attendees and an operativo; an official estimate; summaries refreshed."""
    for _ in range(20):
        caso(municipal, estado="derivado")
    for _ in range(3):
        caso(municipal, estado="derivado", tipo=TipoCaso.TRATA)
    cap = capacitacion(regional, invitadas=[municipal.municipalidad])
    for i in range(2):
        asistir(cap, inscripcion(cap, f"Persona {i}", f"p{i}@muni.cl", municipalidad=municipal.municipalidad), regional)
    dispositivo(municipal, "13108")
    _estimacion("13108", "13", {2018: 28_731, 2022: 43_106})
    resumenes_refrescar()
    return Comuna.objects.get(cut="13108")


def test_a_requested_minuta_is_generated_with_the_database_figures(datos_independencia, municipal, al_confirmar):
    with al_confirmar(execute=True):
        minuta = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual(), usuario=municipal)
    # Celery runs eagerly in tests: the job ran when the request's transaction committed.
    minuta.refresh_from_db()

    assert minuta.estado == Minuta.Estado.LISTA
    assert minuta.version_plantilla == VERSION_PLANTILLA
    assert minuta.archivo.name.endswith(".pdf")
    assert minuta.tamano > 10_000
    texto = _texto_pdf(minuta)
    assert "Minuta estadística comunal: Independencia" in texto
    assert texto.startswith("Servicio Nacional de Migraciones")
    assert f"Casos ingresados en el periodo {Caso.objects.filter(comuna_id='13108').count()}" in texto
    assert "43.106 28,7 %" in texto  # the estimate and its share of the 2022 projection
    assert "personas extranjeras estimadas (2022)" in texto
    assert "publicación 2023-12" in texto
    # 3 trata cases: shown as "< 5", and the other type hidden too so 23 - 20 is impossible.
    assert "Trata o tráfico de personas <5" in texto
    assert "Regularización migratoria reservado" in texto
    assert "Capacitaciones con participación municipal 1" in texto
    assert "Personas capacitadas (asistieron al menos a una sesión) 2" in texto
    assert "Personas atendidas en operativos 76" in texto


def test_a_comuna_without_comunal_estimate_says_so_and_shows_the_region(municipal_otra, al_confirmar):
    _estimacion("13108", "13", {2022: 43_106})
    importacion = Importacion.objects.create(
        fuente=Fuente.INE_SERMIG_RESUMEN_REGIONES,
        release="2023-12",
        estado=Importacion.Estado.COMPLETADA,
        terminado_en=timezone.now(),
    )
    CifraOficial.objects.create(
        importacion=importacion, indicador=IndicadorOficial.EXTRANJEROS, region_id="13", anio=2022, valor=1_011_500
    )
    resumenes_refrescar()
    alhue = Comuna.objects.get(cut="13502")

    datos = datos_minuta(alhue, periodo_actual())

    assert datos["estimacion"]["comunal"] is False
    assert datos["estimacion"]["serie_regional"] == [{"anio": 2022, "valor": 1_011_500}]
    with al_confirmar(execute=True):
        minuta = minutas.minuta_solicitar(comuna=alhue, periodo=periodo_actual())
    minuta.refresh_from_db()
    texto = _texto_pdf(minuta)
    assert "no publican una estimación para esta comuna" in texto
    assert "10.000 personas extranjeras" in texto


def test_the_task_delivered_twice_gives_one_job_and_one_file(datos_independencia, al_confirmar):
    with al_confirmar(execute=True):
        minuta = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual())
    minuta.refresh_from_db()
    primero = minuta.archivo.name

    assert tasks.minuta_generar.apply(args=[minuta.pk]).get() == "sin_cambios"
    assert tasks.minuta_generar.apply(args=[minuta.pk]).get() == "sin_cambios"

    minuta.refresh_from_db()
    assert Minuta.objects.filter(comuna_id="13108").count() == 1
    assert minuta.archivo.name == primero
    assert minuta.omitidas == 2
    carpeta = Path(minuta.archivo.path).parent
    assert [p.name for p in carpeta.glob(f"minuta-13108-{minuta.periodo}-*.pdf")] == [Path(primero).name]


def test_requesting_again_reuses_the_job(datos_independencia, municipal):
    uno = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual(), usuario=municipal)
    dos = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual(), usuario=municipal)

    assert uno.pk == dos.pk
    assert Minuta.objects.count() == 1


def test_the_database_refuses_a_second_job_for_the_same_comuna_period_and_version(datos_independencia):
    Minuta.objects.create(comuna_id="13108", periodo="2026-S1", version_plantilla=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        Minuta.objects.create(comuna_id="13108", periodo="2026-S1", version_plantilla=1)
    # Another template version is another minuta.
    Minuta.objects.create(comuna_id="13108", periodo="2026-S1", version_plantilla=2)


def test_changed_inputs_regenerate_and_replace_the_file(datos_independencia, municipal, al_confirmar):
    with al_confirmar(execute=True):
        minuta = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual())
    minuta.refresh_from_db()
    viejo = Path(minuta.archivo.path)
    huella = minuta.huella

    for _ in range(5):
        caso(municipal, estado="derivado")
    resumenes_refrescar()
    with al_confirmar(execute=True):
        assert minutas.minuta_generar(minuta_id=minuta.pk) == "generada"

    minuta.refresh_from_db()
    assert minuta.huella != huella
    assert not viejo.exists()
    assert "Casos ingresados en el periodo 28" in _texto_pdf(minuta)


def test_a_refresh_that_changes_no_figure_does_not_regenerate(datos_independencia, al_confirmar):
    with al_confirmar(execute=True):
        minuta = minutas.minuta_solicitar(comuna=datos_independencia, periodo=periodo_actual())
    resumenes_refrescar()

    assert minutas.minuta_generar(minuta_id=minuta.pk) == "sin_cambios"


def test_a_failed_render_is_recorded_and_retried(datos_independencia, monkeypatch, al_confirmar):
    def falla(*args, **kwargs):
        raise RuntimeError("WeasyPrint se quedó sin memoria")

    monkeypatch.setattr(minutas, "render_pdf", falla)
    minuta = Minuta.objects.create(
        comuna_id="13108", periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA
    )

    with pytest.raises(RuntimeError):
        minutas.minuta_generar(minuta_id=minuta.pk)

    minuta.refresh_from_db()
    assert minuta.estado == Minuta.Estado.ERROR
    assert "WeasyPrint se quedó sin memoria" in minuta.error
    assert minuta.intentos == 1
    assert not minuta.archivo
    monkeypatch.undo()
    # The retry sweep picks up failed jobs with attempts left.
    with al_confirmar(execute=True):
        assert minutas.minutas_reintentar() == 1
    minuta.refresh_from_db()
    assert minuta.estado == Minuta.Estado.LISTA
    assert minuta.error == ""


def test_a_job_abandoned_by_a_killed_worker_is_retried(datos_independencia, al_confirmar):
    # What a worker killed mid-render leaves: "generando" committed, nothing else (the render
    # ran inside the transaction that died with it), and no lock held.
    minuta = Minuta.objects.create(
        comuna_id="13108",
        periodo=periodo_actual().codigo,
        version_plantilla=VERSION_PLANTILLA,
        estado=Minuta.Estado.GENERANDO,
        iniciada_en=timezone.now() - timedelta(hours=1),
    )

    with al_confirmar(execute=True):
        assert minutas.minutas_reintentar() == 1

    minuta.refresh_from_db()
    assert minuta.estado == Minuta.Estado.LISTA
    assert minuta.archivo


def test_jobs_out_of_attempts_are_left_for_a_person(datos_independencia):
    Minuta.objects.create(
        comuna_id="13108",
        periodo=periodo_actual().codigo,
        version_plantilla=VERSION_PLANTILLA,
        estado=Minuta.Estado.ERROR,
        intentos=minutas.MAX_INTENTOS,
    )

    assert minutas.minutas_reintentar() == 0


def test_the_beat_queues_every_comuna_once(monkeypatch, al_confirmar):
    encoladas: list[int] = []
    monkeypatch.setattr(tasks.minuta_generar, "delay", encoladas.append)

    periodo = periodo_actual()
    with al_confirmar(execute=True):
        assert minutas.minutas_programar(periodo=periodo) == 346
    with al_confirmar(execute=True):
        minutas.minutas_programar(periodo=periodo)

    assert Minuta.objects.filter(periodo=periodo.codigo).count() == 346
    assert len(encoladas) == 2 * 346
    assert len(set(encoladas)) == 346


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_while_the_first_renders_does_nothing(datos_independencia):
    minuta = Minuta.objects.create(
        comuna_id="13108", periodo=periodo_actual().codigo, version_plantilla=VERSION_PLANTILLA
    )
    bloqueada = threading.Event()
    soltar = threading.Event()

    def primer_worker():
        with transaction.atomic():
            Minuta.objects.select_for_update().get(pk=minuta.pk)
            bloqueada.set()
            soltar.wait(10)
        connection.close()

    hilo = threading.Thread(target=primer_worker)
    hilo.start()
    bloqueada.wait(10)
    try:
        assert minutas.minuta_generar(minuta_id=minuta.pk) == "ocupada"
    finally:
        soltar.set()
        hilo.join()
    minuta.refresh_from_db()
    assert not minuta.archivo

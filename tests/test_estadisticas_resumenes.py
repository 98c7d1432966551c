"""Summary tables: the refresh counts what is in the database, is idempotent, replaces only
the months asked for, and the suppressed case table is built from them alone."""

import pytest
from django.db.models import Sum

from casos.models import Caso, TipoCaso
from estadisticas import selectors
from estadisticas.models import Indicador, ResumenMensual, ResumenSello
from estadisticas.periodos import Periodo, periodo_actual
from estadisticas.resumenes import resumenes_refrescar
from sello.models import EstadoSello

from .capacitaciones_fixtures import asistir, capacitacion, dispositivo, inscripcion
from .casos_fixtures import caso, persona
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db


def _valor(cut: str, indicador: str, categoria: str) -> int:
    return (
        ResumenMensual.objects.filter(comuna_id=cut, indicador=indicador, categoria=categoria).aggregate(
            n=Sum("valor")
        )["n"]
        or 0
    )


def test_the_refresh_counts_cases_by_every_dimension(municipal, municipal_otra):
    for _ in range(4):
        caso(municipal, estado="derivado")
    caso(municipal, estado="en_gestion", tipo=TipoCaso.NNA, vencido=True)
    caso(municipal_otra)

    resumenes_refrescar()

    assert _valor("13108", Indicador.CASOS_TIPO, "regularizacion") == 4
    assert _valor("13108", Indicador.CASOS_TIPO, "nna") == 1
    assert _valor("13108", Indicador.CASOS_ESTADO, "derivado") == 4
    assert _valor("13108", Indicador.CASOS_ESTADO, "en_gestion") == 1
    assert _valor("13108", Indicador.CASOS_NACIONALIDAD, "HT") == 5
    assert _valor("13108", Indicador.CASOS_SEXO, "mujer") == 5
    assert _valor("13108", Indicador.CASOS_NNA, "no") == 5
    assert _valor("13108", Indicador.CASOS_VENCIDOS, "vencidos") == 1
    assert _valor("13125", Indicador.CASOS_ESTADO, "borrador") == 1
    for indicador in (Indicador.CASOS_TIPO, Indicador.CASOS_ESTADO, Indicador.CASOS_SEXO):
        total = ResumenMensual.objects.filter(indicador=indicador).aggregate(n=Sum("valor"))["n"]
        assert total == Caso.objects.count()


def test_the_refresh_counts_trainings_attendance_and_operativos(municipal, regional):
    cap = capacitacion(regional, invitadas=[municipal.municipalidad])
    ana = inscripcion(cap, "Ana", "ana@muni.cl", municipalidad=municipal.municipalidad)
    inscripcion(cap, "Luis", "luis@muni.cl", municipalidad=municipal.municipalidad)
    asistir(cap, ana, regional)
    dispositivo(municipal, "13108", mujeres=10, hombres=5, otros=0, nna=2, mayores_60=1)

    resumenes_refrescar()

    assert _valor("13108", Indicador.CAPACITACIONES, "sermig_regional") == 1
    assert _valor("13108", Indicador.PERSONAS_CAPACITADAS, "personas") == 1
    assert _valor("13108", Indicador.ASISTENCIAS, "presente") == 2
    assert _valor("13108", Indicador.OPERATIVOS, "migraciones_en_tu_barrio") == 1
    assert _valor("13108", Indicador.ATENCIONES_OPERATIVOS, "mujeres") == 10
    assert _valor("13108", Indicador.ATENCIONES_OPERATIVOS, "hombres") == 5


def test_the_refresh_snapshots_every_seal(municipal, quilicura, municipal_otra, regional):
    construir(quilicura, EstadoSello.CERTIFICADA, municipal=municipal_otra, regional=regional)

    resumenes_refrescar()

    resumen = ResumenSello.objects.get(comuna_id="13125")
    assert resumen.estado == EstadoSello.CERTIFICADA
    assert resumen.vigente_hasta is not None


def test_refreshing_twice_gives_the_same_rows(municipal):
    caso(municipal, estado="derivado")
    resumenes_refrescar()
    primera = sorted(ResumenMensual.objects.values_list("comuna_id", "anio", "mes", "indicador", "categoria", "valor"))

    resumenes_refrescar()

    assert (
        sorted(ResumenMensual.objects.values_list("comuna_id", "anio", "mes", "indicador", "categoria", "valor"))
        == primera
    )


def test_a_partial_refresh_keeps_earlier_months(municipal):
    ResumenMensual.objects.create(
        comuna_id="13108", anio=2020, mes=3, indicador=Indicador.CASOS_TIPO, categoria="consulta", valor=7
    )
    caso(municipal, estado="derivado")

    resumenes_refrescar(desde=periodo_actual().inicio)

    assert ResumenMensual.objects.filter(anio=2020, mes=3).get().valor == 7
    assert _valor("13108", Indicador.CASOS_TIPO, "regularizacion") == 1


def test_the_case_table_reads_only_the_summaries(municipal, django_assert_num_queries):
    for tipo in (TipoCaso.TRATA, TipoCaso.NNA, TipoCaso.VIOLENCIA):
        for _ in range(6):
            caso(municipal, estado="derivado", tipo=tipo)
    for _ in range(6):
        caso(municipal, estado="derivado", persona_obj=persona(municipal, nna=True))
    resumenes_refrescar()
    selectors._MEMO.clear()

    # 1 latest refresh, 2 comuna → región map, 3 the period's figures.
    with django_assert_num_queries(3) as consultas:
        tabla = selectors.tabla_casos(periodo_actual())
    assert not any("casos_caso" in c["sql"] for c in consultas.captured_queries)
    assert tabla.celda(selectors.COMUNA, "13108", Indicador.CASOS_TIPO, "trata").publico == 6
    assert tabla.total(selectors.REGION, "13").publico == 24
    assert tabla.total(selectors.NACIONAL, "").publico == 24
    # Memoised until the next refresh: one query to learn there was none.
    with django_assert_num_queries(1):
        selectors.tabla_casos(periodo_actual())


def test_a_period_without_data_is_empty_not_an_error():
    tabla = selectors.tabla_casos(Periodo(2016, 1))

    assert tabla.total(selectors.NACIONAL, "").publico == 0
    assert tabla.dimension(selectors.COMUNA, "13108", Indicador.CASOS_TIPO) == []


def test_operativos_of_two_types_in_a_month_add_up(municipal):
    dispositivo(municipal, "13108", mujeres=10, hombres=5, otros=0, nna=0, mayores_60=0)
    dispositivo(municipal, "13108", tipo="apoya_mujer_migrante", mujeres=7, hombres=0, otros=1, nna=0, mayores_60=0)

    resumenes_refrescar()

    assert _valor("13108", Indicador.OPERATIVOS, "migraciones_en_tu_barrio") == 1
    assert _valor("13108", Indicador.OPERATIVOS, "apoya_mujer_migrante") == 1
    assert _valor("13108", Indicador.ATENCIONES_OPERATIVOS, "mujeres") == 17
    assert _valor("13108", Indicador.ATENCIONES_OPERATIVOS, "otros") == 1

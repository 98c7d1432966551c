"""Official figures: summary importers, figures derived from microdata, and the selectors the
dashboards and minutas cite (``estadisticas.oficiales``)."""

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from estadisticas import demo, oficiales, services
from estadisticas.importadores import ErrorDeImportacion, paises
from estadisticas.models import CifraOficial, EstimacionExtranjeros, Fuente, Importacion, IndicadorOficial

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
RESUMEN_REGIONES = DATA / "extranjeros_estimados_ine_sermig_regiones.csv"
RESUMEN_COMUNAS = DATA / "extranjeros_estimados_ine_sermig_comunas.csv"
RESUMEN_RESIDENCIAS = DATA / "residencias_sermig_comunas_2023.csv"
BASEREGIONES = DATA / "ine_sermig_estimacion_baseregiones_muestra.csv"
OTORGADAS = DATA / "sermig_rd_otorgadas_2021_muestra.csv"
REFUGIO = DATA / "sermig_refugio_muestra.csv"

# INE-SERMIG, Dec-2023 release: national totals of ESTIMACION (README of the reference data).
PUBLICADOS = {2018: 1_300_005, 2019: 1_474_730, 2020: 1_501_995, 2021: 1_564_160, 2022: 1_625_074}
EXTRANJEROS = IndicadorOficial.EXTRANJEROS


def _importar(ruta: Path, fuente: str, release: str = "2023-12") -> Importacion:
    imp = services.importar_ruta(fuente=fuente, release=release, ruta=ruta)
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    return imp


def _importar_texto(texto: str, fuente: str, release: str = "2023-12", **kwargs: bool) -> Importacion:
    imp = services.importacion_registrar(
        fuente=fuente, release=release, archivo=io.BytesIO(texto.encode()), nombre="archivo.csv", **kwargs
    )
    return services.importacion_ejecutar(imp)


def _valores(cifras: dict[int, oficiales.Cifra]) -> dict[int, int]:
    return {anio: c.valor for anio, c in cifras.items()}


def _lineas(ruta: Path) -> list[dict[str, str]]:
    with ruta.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- Región summary -------------------------------------------------------------------------


def test_el_archivo_de_regiones_suma_los_totales_publicados() -> None:
    # The 16 regions alone fall short: INE's "Región ignorada" (CODREGEO 17) completes the total.
    lineas = _lineas(RESUMEN_REGIONES)
    for anio, publicado in PUBLICADOS.items():
        regiones = sum(int(f[f"est_{anio}"]) for f in lineas if f["region_cut"])
        ignorada = sum(int(f[f"est_{anio}"]) for f in lineas if f["codregeo_ine"] == "17")
        total = next(int(f[f"est_{anio}"]) for f in lineas if f["region_ine"] == "TOTAL PAÍS")
        assert regiones + ignorada == total == publicado
        assert regiones < publicado


def test_resumen_regiones_da_los_totales_nacionales_publicados() -> None:
    imp = _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    nacional = oficiales.cifras(indicador=EXTRANJEROS)
    # 2023 is the 2024 release's estimate, stored as a year of this import and noted in its report.
    assert _valores(nacional) == {**PUBLICADOS, 2023: 1_918_583}
    assert imp.reporte["notas"] == ["La columna «EST_2023_RELEASE2024» es de una publicación posterior (2024)."]
    assert imp.reporte["sin_region"] == {"extranjeros 2023": 1_918_583 - 1_806_880}
    assert imp.reporte["region_ignorada"]["linea"] == 18
    assert imp.reporte["region_ignorada"]["valores"]["extranjeros 2022"] == 103_270
    assert _valores(oficiales.cifras(indicador=IndicadorOficial.EXTRANJEROS_IRREGULARES)) == {2022: 107_223}
    # Totals reported = the file's total line = what the database holds.
    assert imp.totales["por_indicador"]["extranjeros"] == {str(a): v for a, v in _valores(nacional).items()}
    assert services.totales_en_bd(imp) == imp.totales
    assert imp.filas == 18
    assert imp.totales["cifras"] == CifraOficial.objects.count() == 16 * 7 + 7
    # The regions plus the ignorada line add up to the national figure.
    regiones = CifraOficial.objects.filter(indicador=EXTRANJEROS, anio=2022, region__isnull=False)
    assert regiones.count() == 16
    assert regiones.aggregate(s=Sum("valor"))["s"] + 103_270 == PUBLICADOS[2022]


def test_codregeo_se_traduce_por_region_cut() -> None:
    _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS, region_id="15"))[2018] == 24_787  # CODREGEO 1: Arica
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS, region_id="13"))[2022] == 938_904  # CODREGEO 7: RM
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS, region_id="16"))[2020] == 10_889  # CODREGEO 10: Ñuble


ENCABEZADO_REGIONES = "codregeo_ine,region_cut,region_ine,est_2022\n"


def test_region_cut_que_contradice_codregeo_es_un_error() -> None:
    imp = _importar_texto(ENCABEZADO_REGIONES + "1,01,ARICA,10\n,,TOTAL PAÍS,10\n", Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert imp.estado == Importacion.Estado.ERROR
    assert imp.error == "Línea 2: CODREGEO 1 corresponde a la región 15, pero el archivo indica «01»."
    assert CifraOficial.objects.count() == 0


def test_suma_distinta_del_total_pais_es_un_error() -> None:
    texto = ENCABEZADO_REGIONES + "1,15,ARICA,10\n17,,REGIÓN IGNORADA,5\n,,TOTAL PAÍS,16\n"
    imp = _importar_texto(texto, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert imp.estado == Importacion.Estado.ERROR
    assert "(15) no coincide con el total país del archivo (16)" in imp.error
    assert CifraOficial.objects.count() == 0


def test_codregeo_desconocido_se_reporta() -> None:
    texto = ENCABEZADO_REGIONES + "1,15,ARICA,10\n40,99,NARNIA,7\n,,TOTAL PAÍS,17\n"
    imp = _importar_texto(texto, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert imp.estado == Importacion.Estado.ERROR
    assert imp.reporte["no_reconocidas"] == [{"nombre": "CODREGEO 40, región «99»", "filas": 1, "lineas": [3]}]
    assert CifraOficial.objects.count() == 0
    imp = _importar_texto(texto, Fuente.INE_SERMIG_RESUMEN_REGIONES, permitir_no_reconocidas=True)
    assert imp.estado == Importacion.Estado.COMPLETADA
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS)) == {2022: 17}
    assert imp.reporte["no_reconocidas"][0]["lineas"] == [3]


def test_reimportar_la_misma_publicacion_reemplaza() -> None:
    primera = _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    segunda = _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    primera.refresh_from_db()
    assert primera.estado == Importacion.Estado.REEMPLAZADA
    assert CifraOficial.objects.count() == CifraOficial.objects.filter(importacion=segunda).count() == 119
    assert oficiales.cifras(indicador=EXTRANJEROS)[2022].cita.importacion_id == segunda.pk


def test_otra_publicacion_se_conserva_y_cifras_elige_la_mas_reciente() -> None:
    diciembre = _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES, "2023-12")
    revisado = RESUMEN_REGIONES.read_text(encoding="utf-8").replace("938904", "938910").replace("1625074", "1625080")
    junio = _importar_texto(revisado, Fuente.INE_SERMIG_RESUMEN_REGIONES, "2024-06")
    diciembre.refresh_from_db()
    assert diciembre.estado == junio.estado == Importacion.Estado.COMPLETADA
    assert CifraOficial.objects.count() == 2 * 119
    rm = oficiales.cifras(indicador=EXTRANJEROS, region_id="13")
    assert rm[2022].valor == 938_910
    assert rm[2022].cita == oficiales.Cita(
        fuente="Estimación INE-SERMIG de extranjeros, resumen por región", release="2024-06", importacion_id=junio.pk
    )
    assert oficiales.cifras(indicador=EXTRANJEROS)[2022].valor == 1_625_080
    assert [c.release for c in oficiales.fuentes_disponibles()] == ["2024-06", "2023-12"]


# --- Comuna summaries -------------------------------------------------------------------------


def test_resumen_comunas_por_comuna_y_paises() -> None:
    imp = _importar(RESUMEN_COMUNAS, Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    santiago = oficiales.cifras(indicador=EXTRANJEROS, comuna_id="13101")
    assert _valores(santiago) == {2018: 185_230, 2019: 210_080, 2020: 223_458, 2021: 222_981, 2022: 222_649}
    assert set(CifraOficial.objects.filter(comuna_id="13101").values_list("region_id", flat=True)) == {"13"}
    top = oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, comuna_id="13101")
    assert [(p, c.valor, c.anio) for p, c in top] == [
        ("Venezuela", 110_128, 2022),
        ("Perú", 44_118, 2022),
        ("Colombia", 28_715, 2022),
    ]
    assert len(oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, comuna_id="13101", n=2)) == 2
    lineas = _lineas(RESUMEN_COMUNAS)
    assert imp.filas == len(lineas) == 42
    assert imp.totales["por_indicador"]["extranjeros"]["2022"] == sum(int(f["est_2022"]) for f in lineas)
    assert services.totales_en_bd(imp) == imp.totales
    # Only the large comunas: no national or regional figure comes from this file.
    assert oficiales.cifras(indicador=EXTRANJEROS) == {}
    assert oficiales.cifras(indicador=EXTRANJEROS, region_id="13") == {}


def test_resumen_residencias() -> None:
    imp = _importar(RESUMEN_RESIDENCIAS, Fuente.SERMIG_RESIDENCIAS_RESUMEN_COMUNAS, "2023")
    lineas = _lineas(RESUMEN_RESIDENCIAS)
    assert imp.filas == 346
    for indicador in ("rt_solicitudes", "rt_otorgadas", "rd_solicitudes", "rd_otorgadas"):
        assert imp.totales["por_indicador"][indicador] == {"2023": sum(int(f[f"{indicador}_2023"]) for f in lineas)}
    assert imp.totales["por_indicador"]["rd_solicitudes"] == {"2023": 228_782}
    assert services.totales_en_bd(imp) == imp.totales
    assert _valores(oficiales.cifras(indicador=IndicadorOficial.RT_OTORGADAS, comuna_id="01101")) == {2023: 2101}
    top = oficiales.por_categoria(indicador=IndicadorOficial.OTORGADAS_PAIS, comuna_id="01101", anio=2023)
    assert [(p, c.valor) for p, c in top] == [("Bolivia", 1148), ("Perú", 357), ("Colombia", 213)]
    tarapaca = oficiales.cifras_comunas_de_region(indicador=IndicadorOficial.RD_OTORGADAS, region_id="01", anio=2023)
    assert {cut: c.valor for cut, c in tarapaca.items()} == {
        f["cut"]: int(f["rd_otorgadas_2023"]) for f in lineas if f["region_cut"] == "01"
    }
    assert len(tarapaca) == 7


def test_cut_desconocido_se_reporta_y_no_se_escribe() -> None:
    texto = "cut,comuna,region_cut,est_2022,top3_paises_2022\n13108,Independencia,13,5,Perú (5)\n99999,Gotham,13,7,\n"
    imp = _importar_texto(texto, Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    assert imp.estado == Importacion.Estado.ERROR
    assert "«CUT 99999 Gotham» (líneas 3)" in imp.error
    assert imp.reporte["no_reconocidas"] == [{"nombre": "CUT 99999 Gotham", "filas": 1, "lineas": [3]}]
    assert CifraOficial.objects.count() == 0
    imp = _importar_texto(texto, Fuente.INE_SERMIG_RESUMEN_COMUNAS, permitir_no_reconocidas=True)
    assert imp.estado == Importacion.Estado.COMPLETADA
    assert imp.filas == 1
    assert imp.totales["por_indicador"] == {"extranjeros": {"2022": 5}}
    assert imp.reporte["no_reconocidas"][0]["nombre"] == "CUT 99999 Gotham"


def test_comuna_en_otra_region_es_un_error() -> None:
    imp = _importar_texto(
        "cut,comuna,region_cut,est_2022\n13108,Independencia,05,5\n", Fuente.INE_SERMIG_RESUMEN_COMUNAS
    )
    assert imp.estado == Importacion.Estado.ERROR
    assert imp.error == "Línea 2: la comuna 13108 es de la región 13, pero el archivo indica «05»."


def test_archivo_de_otra_fuente_se_rechaza() -> None:
    with RESUMEN_RESIDENCIAS.open("rb") as f:
        imp = services.importacion_registrar(
            fuente=Fuente.INE_SERMIG_RESUMEN_COMUNAS, release="x", archivo=f, nombre=RESUMEN_RESIDENCIAS.name
        )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.ERROR
    assert "no trae columnas de cifras reconocidas" in imp.error


def test_paises() -> None:
    assert paises("Venezuela (110128), Perú (44118), Otro País (3)", 2, "X") == [
        ("Venezuela", 110_128),
        ("Perú", 44_118),
        ("Otro País", 3),
    ]
    assert paises("", 2, "X") == []
    with pytest.raises(ErrorDeImportacion, match="Línea 7: la columna «TOP3» no tiene la forma"):
        paises("Venezuela 110128", 7, "TOP3")


# --- Derived from microdata -----------------------------------------------------------------


def test_derivacion_de_baseregiones_igual_a_las_sumas_de_las_estimaciones() -> None:
    imp = _importar(BASEREGIONES, Fuente.INE_SERMIG_REGIONES)
    filas = EstimacionExtranjeros.objects.filter(importacion=imp)
    derivadas = CifraOficial.objects.filter(importacion=imp, indicador=EXTRANJEROS)
    por_region = {
        (f["region_id"], f["anio"]): f["s"]
        for f in filas.filter(region__isnull=False).values("region_id", "anio").annotate(s=Sum("estimacion"))
    }
    assert {
        (c.region_id, c.anio): c.valor for c in derivadas.filter(region__isnull=False, comuna__isnull=True)
    } == por_region
    nacional = {f["anio"]: f["s"] for f in filas.values("anio").annotate(s=Sum("estimacion"))}
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS)) == nacional
    # The national figure includes CODREGEO 17 (no región), as the file's totals do.
    assert {str(a): v for a, v in nacional.items()} == {a: t["estimacion"] for a, t in imp.totales["por_anio"].items()}
    assert filas.filter(region__isnull=True).exists()
    por_pais = {
        (f["anio"], f["pais"]): f["s"] for f in filas.values("anio", "pais").annotate(s=Sum("estimacion")) if f["s"]
    }
    pais_nacional = CifraOficial.objects.filter(
        importacion=imp, indicador=IndicadorOficial.EXTRANJEROS_PAIS, region__isnull=True
    )
    assert {(c.anio, c.categoria): c.valor for c in pais_nacional} == por_pais
    assert imp.totales["cifras"] == CifraOficial.objects.filter(importacion=imp).count()
    assert services.totales_en_bd(imp) == imp.totales


def test_derivacion_de_residencias_otorgadas() -> None:
    imp = _importar(OTORGADAS, Fuente.SERMIG_RESIDENCIAS_OTORGADAS, "2021")
    lineas = _lineas(OTORGADAS)
    assert _valores(oficiales.cifras(indicador=IndicadorOficial.RD_OTORGADAS)) == {2021: len(lineas)}
    por_comuna = dict(
        CifraOficial.objects.filter(importacion=imp, indicador="rd_otorgadas", comuna__isnull=False)
        .values_list("comuna_id")
        .annotate(n=Sum("valor"))
    )
    contadas = dict(imp.residencias.values_list("comuna_id").annotate(n=Count("pk")))
    assert por_comuna == contadas
    osorno = oficiales.cifras(indicador=IndicadorOficial.RD_OTORGADAS, comuna_id="10301")
    assert osorno[2021].cita.fuente == "SERMIG: residencias otorgadas (microdatos)"
    region_de_osorno = CifraOficial.objects.filter(importacion=imp, comuna_id="10301").values_list("region_id")
    assert set(region_de_osorno) == {("10",)}
    paises_nacional = oficiales.por_categoria(indicador=IndicadorOficial.OTORGADAS_PAIS, n=100)
    assert {p: c.valor for p, c in paises_nacional} == dict(Counter(f["PAÍS"] for f in lineas))


def test_derivacion_de_refugio() -> None:
    _importar(REFUGIO, Fuente.SERMIG_REFUGIO, "2023")
    por_anio = Counter(int(f["AÑO"]) for f in _lineas(REFUGIO))
    assert _valores(oficiales.cifras(indicador=IndicadorOficial.REFUGIO_SOLICITUDES)) == dict(por_anio)


def test_entre_microdatos_y_resumen_gana_la_importacion_mas_reciente() -> None:
    muestra = _importar(BASEREGIONES, Fuente.INE_SERMIG_REGIONES, "2023-12-muestra")
    resumen = _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert oficiales.cifras(indicador=EXTRANJEROS)[2022].cita.importacion_id == resumen.pk
    otra = _importar(BASEREGIONES, Fuente.INE_SERMIG_REGIONES, "2024-muestra")
    nacional = oficiales.cifras(indicador=EXTRANJEROS)
    # The whole series comes from that one import, never mixed.
    assert {c.cita.importacion_id for c in nacional.values()} == {otra.pk}
    assert muestra.pk != otra.pk


def test_importaciones_con_error_no_se_leen() -> None:
    _importar_texto(ENCABEZADO_REGIONES + "1,01,ARICA,10\n", Fuente.INE_SERMIG_RESUMEN_REGIONES)
    assert oficiales.cifras(indicador=EXTRANJEROS) == {}
    assert oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS) == []
    assert oficiales.fuentes_disponibles() == []


# --- Selectors: ordering, bounded queries -------------------------------------------------------


def test_por_categoria_ordena_por_valor_y_usa_el_ultimo_anio() -> None:
    imp = Importacion.objects.create(
        fuente=Fuente.INE_SERMIG_COMUNAS, release="r", estado=Importacion.Estado.COMPLETADA, terminado_en=timezone.now()
    )
    valores = {2021: {"Haití": 9, "Perú": 50}, 2022: {"Bolivia": 7, "Perú": 30, "Colombia": 30, "Haití": 40}}
    CifraOficial.objects.bulk_create(
        CifraOficial(importacion=imp, indicador="extranjeros_pais", anio=a, categoria=p, valor=v)
        for a, por_pais in valores.items()
        for p, v in por_pais.items()
    )
    top = oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, n=3)
    assert [(p, c.valor, c.anio) for p, c in top] == [("Haití", 40, 2022), ("Colombia", 30, 2022), ("Perú", 30, 2022)]
    anterior = oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, anio=2021)
    assert [(p, c.valor) for p, c in anterior] == [("Perú", 50), ("Haití", 9)]
    assert oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, anio=2019) == []


def test_consultas_acotadas(django_assert_num_queries) -> None:
    _importar(RESUMEN_COMUNAS, Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    _importar(RESUMEN_COMUNAS, Fuente.INE_SERMIG_RESUMEN_COMUNAS, "2024")
    _importar(RESUMEN_REGIONES, Fuente.INE_SERMIG_RESUMEN_REGIONES)
    with django_assert_num_queries(1):  # the figures of the newest import (chosen in a subquery)
        assert len(oficiales.cifras(indicador=EXTRANJEROS, comuna_id="13101")) == 5
    with django_assert_num_queries(2):  # the import and year; the top n
        assert len(oficiales.por_categoria(indicador=IndicadorOficial.EXTRANJEROS_PAIS, comuna_id="13101")) == 3
    with django_assert_num_queries(1):  # every comuna's row of its newest import
        rm = oficiales.cifras_comunas_de_region(indicador=EXTRANJEROS, region_id="13", anio=2022)
    assert len(rm) == 26
    assert {c.cita.release for c in rm.values()} == {"2024"}
    with django_assert_num_queries(1):
        assert len(oficiales.fuentes_disponibles()) == 3


COMUNAS = "cut,comuna,region_cut,est_2022\n"


def test_cifras_comunas_de_region_coincide_con_cifras_por_comuna() -> None:
    _importar(RESUMEN_COMUNAS, Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    _importar_texto(
        "cut,comuna,region_cut,est_2022\n13108,Independencia,13,1\n", Fuente.INE_SERMIG_RESUMEN_COMUNAS, "x"
    )
    por_region = oficiales.cifras_comunas_de_region(indicador=EXTRANJEROS, region_id="13", anio=2022)
    assert por_region["13108"].valor == 1
    assert por_region["13101"].cita.release == "2023-12"
    for cut, cifra in por_region.items():
        assert oficiales.cifras(indicador=EXTRANJEROS, comuna_id=cut)[2022] == cifra


def test_cifras_comunas_de_region_sigue_la_eleccion_por_comuna() -> None:
    _importar(RESUMEN_COMUNAS, Fuente.INE_SERMIG_RESUMEN_COMUNAS)
    # A newer import with only 2021 for Independencia: Independencia's series is that import's,
    # which has no 2022, so the comuna has no 2022 figure (as cifras() would say).
    _importar_texto(
        "cut,comuna,region_cut,est_2021\n13108,Independencia,13,1\n", Fuente.INE_SERMIG_RESUMEN_COMUNAS, "x"
    )
    rm = oficiales.cifras_comunas_de_region(indicador=EXTRANJEROS, region_id="13", anio=2022)
    assert "13108" not in rm
    assert "13101" in rm
    assert 2022 not in oficiales.cifras(indicador=EXTRANJEROS, comuna_id="13108")


# --- Progress and demo ------------------------------------------------------------------------


def test_el_avance_se_publica_en_la_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    publicados: dict[str, list[int]] = defaultdict(list)
    original = services.cache.set

    def registrar(clave: str, valor: int, *args: object) -> None:
        publicados[clave].append(valor)
        original(clave, valor, *args)

    monkeypatch.setattr(services, "PASO_PROGRESO", 100)
    monkeypatch.setattr(services.cache, "set", registrar)
    imp = _importar(BASEREGIONES, Fuente.INE_SERMIG_REGIONES)
    assert publicados == {services.clave_progreso(imp.pk): [0, 100, 200, 300]}
    assert services.progreso(imp.pk) is None  # cleared when the import ends


def test_demo_carga_y_es_idempotente() -> None:
    nuevas = demo.cargar_oficiales()
    assert len(nuevas) == len(demo.ARCHIVOS) == 7
    assert all(i.estado == Importacion.Estado.COMPLETADA for i in nuevas)
    assert demo.cargar_oficiales() == []
    assert _valores(oficiales.cifras(indicador=EXTRANJEROS))[2022] == PUBLICADOS[2022]
    assert oficiales.cifras(indicador=EXTRANJEROS, comuna_id="13108")[2022].cita.release == "2023-12"
    assert Importacion.objects.count() == 7

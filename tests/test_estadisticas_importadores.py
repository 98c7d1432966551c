"""Official data imports: exact totals, CODREGEO mapping, replacement, releases, reports."""

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from estadisticas import services
from estadisticas.importadores import TablaComunas, abrir, fecha_excel, normalizar
from estadisticas.models import CifraOficial, EstimacionExtranjeros, Fuente, Importacion, ResidenciaSermig
from estadisticas.tasks import importar

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "estadisticas" / "data"
REGIONES = DATA / "ine_sermig_estimacion_baseregiones_muestra.csv"
OTORGADAS = DATA / "sermig_rd_otorgadas_2021_muestra.csv"
SOLICITUDES = DATA / "sermig_rd_solicitudes_2021_muestra.csv"
REFUGIO = DATA / "sermig_refugio_muestra.csv"


def _estimacion_del_archivo(ruta: Path) -> dict[str, int]:
    with ruta.open(encoding="latin-1", newline="") as f:
        suma: dict[str, int] = defaultdict(int)
        for fila in csv.DictReader(f):
            suma[fila["AÑO ESTIMACION"]] += int(fila["ESTIMACION"] or 0)
    return dict(suma)


def _conteo_por_anio(ruta: Path, columna: str) -> dict[str, int]:
    with ruta.open(encoding="utf-8", newline="") as f:
        return dict(Counter(fila[columna] for fila in csv.DictReader(f)))


def _importar(ruta: Path, fuente: str, release: str = "2023-12") -> Importacion:
    return services.importar_ruta(fuente=fuente, release=release, ruta=ruta)


def test_regiones_totales_exactos_y_checksum() -> None:
    imp = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES)
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    assert imp.filas == 300
    assert len(imp.checksum) == 64
    esperado = _estimacion_del_archivo(REGIONES)
    assert {a: t["estimacion"] for a, t in imp.totales["por_anio"].items()} == esperado
    assert services.totales_en_bd(imp) == imp.totales


def test_codregeo_a_cut() -> None:
    imp = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES)
    filas = EstimacionExtranjeros.objects.filter(importacion=imp)
    assert set(filas.filter(codregeo=7).values_list("region_id", flat=True)) == {"13"}
    assert set(filas.filter(codregeo=17).values_list("region_id", flat=True)) == {None}
    assert set(filas.filter(codregeo=5).values_list("region_id", flat=True)) == {"04"}


def test_codregeo_1_es_arica() -> None:
    contenido = (
        '"SEXO","EDAD","PAIS","AÑO ESTIMACION","CODREGEO","REGION","CENSO AJUSTADO","RRAA_REGULAR",'
        '"RRAA_IRREGULAR","RRAA_TOTAL","ESTIMACION"\n"M","05 A 09","PERÚ",2022,1,"ARICA Y PARINACOTA","3","","","",3\n'
    ).encode("latin-1")
    imp = services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_REGIONES, release="x", archivo=io.BytesIO(contenido), nombre="r.csv"
    )
    imp = services.importacion_ejecutar(imp)
    fila = EstimacionExtranjeros.objects.get(importacion=imp)
    assert fila.region_id == "15"
    assert fila.pais == "PERÚ"
    assert fila.rraa_total == 0


def test_reimportar_mismo_release_reemplaza() -> None:
    primera = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES)
    segunda = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES)
    primera.refresh_from_db()
    assert primera.estado == Importacion.Estado.REEMPLAZADA
    assert segunda.estado == Importacion.Estado.COMPLETADA
    assert EstimacionExtranjeros.objects.count() == 300
    assert EstimacionExtranjeros.objects.filter(importacion=segunda).count() == 300
    # The replaced import's derived figures go with its rows.
    assert set(CifraOficial.objects.values_list("importacion_id", flat=True)) == {segunda.pk}


def test_otro_release_se_conserva() -> None:
    a = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES, "2023-12")
    b = _importar(REGIONES, Fuente.INE_SERMIG_REGIONES, "2024-12")
    a.refresh_from_db()
    assert a.estado == b.estado == Importacion.Estado.COMPLETADA
    assert EstimacionExtranjeros.objects.count() == 600


def _comunas_csv(nombres: list[str]) -> bytes:
    lineas = [
        "SEXO;EDAD;PAIS;AÑO ESTIMACION;CODREGEO;REGION;COMUNA;"
        "CENSO AJUSTADO;RRAA_REGULAR;RRAA_IRREGULAR;RRAA_TOTAL;ESTIMACION"
    ]
    lineas += [f"H;20 A 24;VENEZUELA;2022;7;METROPOLITANA DE SANTIAGO;{n};10;;2;2;12" for n in nombres]
    return ("\n".join(lineas) + "\n").encode("latin-1")


def test_comunas_archivo_latin1_punto_y_coma() -> None:
    contenido = _comunas_csv(["INDEPENDENCIA", "ESTACIÓN CENTRAL", "OTRAS COMUNAS"])
    imp = services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_COMUNAS, release="2023-12", archivo=io.BytesIO(contenido), nombre="c.csv"
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    assert sorted(EstimacionExtranjeros.objects.values_list("comuna_id", flat=True), key=str) == [
        "13106",
        "13108",
        None,
    ]
    assert imp.totales["por_anio"]["2022"]["estimacion"] == 36
    assert services.totales_en_bd(imp) == imp.totales


def test_comuna_desconocida_se_reporta_con_su_linea_y_no_se_escribe() -> None:
    contenido = _comunas_csv(["INDEPENDENCIA", "GOTHAM", "QUILICURA"])
    imp = services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_COMUNAS, release="2023-12", archivo=io.BytesIO(contenido), nombre="c.csv"
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.ERROR
    assert "GOTHAM" in imp.error
    assert "líneas 3" in imp.error
    assert imp.reporte["no_reconocidas"] == [{"nombre": "GOTHAM", "filas": 1, "lineas": [3]}]
    assert EstimacionExtranjeros.objects.count() == 0


def test_comuna_desconocida_permitida_queda_en_reporte() -> None:
    contenido = _comunas_csv(["INDEPENDENCIA", "GOTHAM"])
    imp = services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_COMUNAS,
        release="2023-12",
        archivo=io.BytesIO(contenido),
        nombre="c.csv",
        permitir_no_reconocidas=True,
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.COMPLETADA
    assert imp.filas == 1
    assert imp.reporte["no_reconocidas"][0]["lineas"] == [3]


def test_archivo_sin_columna_error_claro_y_nada_escrito() -> None:
    _importar(REGIONES, Fuente.INE_SERMIG_REGIONES)
    contenido = b"SEXO,EDAD,PAIS\nH,00 A 04,PERU\n"
    imp = services.importacion_registrar(
        fuente=Fuente.INE_SERMIG_REGIONES, release="2023-12", archivo=io.BytesIO(contenido), nombre="m.csv"
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.ERROR
    assert "faltan columnas" in imp.error
    assert "ESTIMACION" in imp.error
    # The previous complete import of the release is untouched.
    assert EstimacionExtranjeros.objects.count() == 300
    assert Importacion.objects.filter(estado=Importacion.Estado.COMPLETADA).count() == 1


def test_cabecera_latin1() -> None:
    with REGIONES.open("rb") as f:
        nombres, _filas = abrir(f, REGIONES.name)
    assert "AÑO ESTIMACION" in nombres


def test_fecha_excel() -> None:
    assert fecha_excel("29221") == date(1980, 1, 1)
    assert fecha_excel("29221.0") == date(1980, 1, 1)
    assert fecha_excel("") is None


@pytest.mark.parametrize(
    ("variante", "cut"),
    [
        ("Coihaique", "11101"),
        ("COYHAIQUE", "11101"),
        ("Aisén", "11201"),
        ("Paihuano", "04105"),
        ("La Calera", "05502"),
        ("Llay Llay", "05703"),
        ("Marchigüe", "06204"),
        ("Ranquil", "16206"),
        ("Los Angeles", "08301"),
        ("ñuñoa", "13120"),
    ],
)
def test_variantes_de_comunas(variante: str, cut: str) -> None:
    assert TablaComunas().buscar(variante) == cut


def test_normalizar() -> None:
    assert normalizar("  Los  ÁNGELES ") == "los angeles"


@pytest.mark.parametrize(
    ("ruta", "fuente"),
    [(OTORGADAS, Fuente.SERMIG_RESIDENCIAS_OTORGADAS), (SOLICITUDES, Fuente.SERMIG_RESIDENCIAS_SOLICITUDES)],
)
def test_residencias_totales_exactos(ruta: Path, fuente: str) -> None:
    imp = _importar(ruta, fuente, "2021-RD")
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    assert imp.totales["por_anio"] == _conteo_por_anio(ruta, "AÑO")
    assert services.totales_en_bd(imp) == imp.totales
    primera = ResidenciaSermig.objects.filter(importacion=imp).order_by("pk").first()
    assert primera is not None
    with ruta.open(encoding="utf-8", newline="") as f:
        fila = next(csv.DictReader(f))
    assert primera.nacimiento == fecha_excel(fila["NACIMIENTO"])


def test_residencias_comuna_desconocida_reportada() -> None:
    contenido = (
        "SEXO,PAÍS,NACIMIENTO,ACTIVIDAD,PROFESIÓN,ESTUDIOS,COMUNA,PROVINCIA,REGIÓN,TIT_DEP,AUTORIDAD,AÑO,MES\n"
        "Mujer,Perú,29221,Empleado,Empleado,Medio,Coihaique,Coyhaique,Aysén,T,SERMIG,2021,3\n"
        "Mujer,Perú,29221,Empleado,Empleado,Medio,Narnia,X,Y,T,SERMIG,2021,3\n"
    ).encode()
    imp = services.importacion_registrar(
        fuente=Fuente.SERMIG_RESIDENCIAS_OTORGADAS, release="2021", archivo=io.BytesIO(contenido), nombre="r.csv"
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.ERROR
    assert imp.reporte["no_reconocidas"] == [{"nombre": "Narnia", "filas": 1, "lineas": [3]}]
    assert ResidenciaSermig.objects.count() == 0


def test_refugio_totales_exactos() -> None:
    imp = _importar(REFUGIO, Fuente.SERMIG_REFUGIO, "2023")
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    assert imp.totales["por_anio"] == _conteo_por_anio(REFUGIO, "AÑO")
    assert services.totales_en_bd(imp) == imp.totales


def test_tarea_ejecuta_importacion_registrada_e_idempotente() -> None:
    with REFUGIO.open("rb") as f:
        imp = services.importacion_registrar(
            fuente=Fuente.SERMIG_REFUGIO, release="2023", archivo=f, nombre=REFUGIO.name
        )
    assert importar(imp.pk)["estado"] == Importacion.Estado.COMPLETADA
    assert importar(imp.pk)["filas"] == 14
    imp.refresh_from_db()
    assert services.totales_en_bd(imp) == imp.totales
    assert importar(999999) == {"estado": "inexistente"}


def test_comando(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("importar_oficial", "--fuente", Fuente.INE_SERMIG_REGIONES, "--release", "2023-12", str(REGIONES))
    salida = capsys.readouterr().out
    assert "300 filas" in salida
    assert '"estimacion"' in salida


def test_residencias_xlsx_solo_lectura() -> None:
    from openpyxl import Workbook

    libro = Workbook()
    hoja = libro.active
    assert hoja is not None
    encabezado = ["SEXO", "PAÍS", "NACIMIENTO", "ACTIVIDAD", "PROFESIÓN", "ESTUDIOS", "COMUNA"]
    hoja.append([*encabezado, "PROVINCIA", "TIT_DEP", "AUTORIDAD", "AÑO", "MES"])
    hoja.append(["Mujer", "Perú", 29221, "Empleado", "Empleado", "Medio", "Llay Llay", "", "T", "SERMIG", 2021, 4])
    hoja.append(["Hombre", "Haití", 33637, "Empleado", "Obrero", "Básico", "Marchigüe", "", "D", "SERMIG", 2022, 5])
    contenido = io.BytesIO()
    libro.save(contenido)
    imp = services.importacion_registrar(
        fuente=Fuente.SERMIG_RESIDENCIAS_SOLICITUDES, release="2021", archivo=contenido, nombre="rt.xlsx"
    )
    imp = services.importacion_ejecutar(imp)
    assert imp.estado == Importacion.Estado.COMPLETADA, imp.error
    # Figures for each comuna, its región and the country, per year.
    assert imp.totales == {"filas": 2, "por_anio": {"2021": 1, "2022": 1}, "cifras": 6}
    assert services.totales_en_bd(imp) == imp.totales
    primera = ResidenciaSermig.objects.get(anio=2021)
    assert (primera.comuna_id, primera.nacimiento, primera.mes) == ("05703", date(1980, 1, 1), 4)

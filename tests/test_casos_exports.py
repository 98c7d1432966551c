"""Exports of the case list (CSV and XLSX): who may export, scoped exactly like the list,
sensitive names and documents masked, spreadsheet formulas neutralised, constant queries."""

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from casos.exports import neutralizar
from casos.models import Caso, EstadoCaso, TipoCaso

from .casos_fixtures import caso as nuevo_caso
from .casos_fixtures import persona as nueva_persona
from .conftest import PERSONAS, client_for

pytestmark = pytest.mark.django_db

CSV = "/casos/exportar.csv"
XLSX = "/casos/exportar.xlsx"
ENCABEZADOS = [
    "Folio",
    "Comuna",
    "Tipo",
    "Subtipo",
    "Prioridad",
    "Estado",
    "Fecha de derivación",
    "Plazo de respuesta",
    "Vencido",
    "Asignado a",
    "Persona",
    "Nacionalidad",
    "NNA",
    "Documento",
    "N° de solicitud SERMIG",
]


def contenido(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def filas_csv(response: Any) -> list[list[str]]:
    texto = contenido(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texto, newline=""), delimiter=";"))


def filas_xlsx(response: Any) -> list[list[str]]:
    hoja = load_workbook(io.BytesIO(response.content)).active
    assert hoja is not None
    for fila in hoja.iter_rows():
        for celda in fila:
            assert celda.data_type in ("s", "n"), f"{celda.coordinate} is {celda.data_type}"
    return [["" if v is None else str(v) for v in fila] for fila in hoja.iter_rows(values_only=True)]


def exportar(user: Any, formato: str, **params: str) -> list[list[str]]:
    response = client_for(user).get(CSV if formato == "csv" else XLSX, params)
    assert response.status_code == 200
    return filas_csv(response) if formato == "csv" else filas_xlsx(response)


def folios(filas: list[list[str]]) -> set[str]:
    return {f[0] for f in filas[1:]}


FORMATOS = pytest.mark.parametrize("formato", ["csv", "xlsx"])


# --- Who may export -------------------------------------------------------------------------

ESPERADO = {
    "anonimo": 302,
    "municipal": 200,
    "municipal_otra": 200,
    "regional": 200,
    "regional_otra": 200,
    "nacional": 200,
    "evaluador": 403,  # the Comité Evaluador sees no cases
}


@FORMATOS
@pytest.mark.parametrize("nombre", PERSONAS)
def test_access_by_persona(formato, nombre, persona, municipal, municipal_otra, regional, regional_otra, evaluador):
    c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    response = client_for(persona(nombre)).get(CSV if formato == "csv" else XLSX)
    assert response.status_code == ESPERADO[nombre]
    if response.status_code != 200:
        assert c.folio.encode() not in contenido(response)


# --- Scoped like the list -------------------------------------------------------------------


@pytest.fixture
def casos_de_todos(municipal, municipal_otra, municipal_valparaiso) -> dict[str, Caso]:
    return {
        "independencia": nuevo_caso(municipal, estado=EstadoCaso.DERIVADO),
        "independencia_borrador": nuevo_caso(municipal),
        "quilicura": nuevo_caso(municipal_otra, estado=EstadoCaso.DERIVADO),
        "valparaiso": nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO),
    }


@FORMATOS
@pytest.mark.parametrize(
    ("nombre", "esperados"),
    [
        ("municipal", {"independencia", "independencia_borrador"}),
        ("municipal_otra", {"quilicura"}),
        ("regional", {"independencia", "independencia_borrador", "quilicura"}),
        ("regional_otra", {"valparaiso"}),
        ("nacional", {"independencia", "independencia_borrador", "quilicura", "valparaiso"}),
    ],
)
def test_export_is_scoped_like_the_list(
    formato, nombre, esperados, persona, casos_de_todos, regional, regional_otra, nacional
):
    filas = exportar(persona(nombre), formato)
    assert filas[0] == ENCABEZADOS
    assert folios(filas) == {casos_de_todos[k].folio for k in esperados}


@FORMATOS
def test_export_applies_the_list_filters(formato, casos_de_todos, regional) -> None:
    assert folios(exportar(regional, formato, estado="borrador")) == {casos_de_todos["independencia_borrador"].folio}
    assert folios(exportar(regional, formato, comuna="13125")) == {casos_de_todos["quilicura"].folio}
    # A comuna outside the territory does not widen the scope.
    assert folios(exportar(regional, formato, comuna="05101")) == set()


@FORMATOS
def test_a_bad_filter_is_refused(formato, casos_de_todos, regional) -> None:
    response = client_for(regional).get(CSV if formato == "csv" else XLSX, {"estado": "inventado"})
    assert response.status_code == 400
    assert casos_de_todos["independencia"].folio.encode() not in contenido(response)


# --- Masking --------------------------------------------------------------------------------


@FORMATOS
def test_sensitive_names_and_every_document_are_masked(formato, municipal, regional) -> None:
    victima = nueva_persona(municipal, nombres="Rosa Elena", apellidos="Pérez Díaz", numero_documento="AB123456")
    sensible = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA, persona_obj=victima)
    nna = nueva_persona(municipal, nombres="Luis", apellidos="Mora", nna=True)
    caso_nna = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=nna)
    comun = nueva_persona(municipal, nombres="Jean", apellidos="Baptiste")
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=comun)

    response = client_for(regional).get(CSV if formato == "csv" else XLSX)
    filas = filas_csv(response) if formato == "csv" else filas_xlsx(response)
    por_folio = {f[0]: dict(zip(ENCABEZADOS, f, strict=True)) for f in filas[1:]}
    texto = "\n".join(";".join(f) for f in filas)

    assert por_folio[sensible.folio]["Persona"] == "R. E. P. D."
    assert por_folio[caso_nna.folio]["Persona"] == "L. M."
    assert por_folio[caso_nna.folio]["NNA"] == "Sí"
    assert por_folio[sensible.folio]["Nacionalidad"] == "Haití"
    assert "Jean Baptiste" in texto
    for secreto in ("Rosa", "Pérez", "Luis", "Mora", victima.documento_normalizado, nna.documento_normalizado):
        assert secreto not in texto
    assert por_folio[sensible.folio]["Documento"].endswith(victima.documento_normalizado[-3:])
    if formato == "csv":
        crudo = contenido(client_for(regional).get(CSV))
        assert b"Rosa" not in crudo
        assert "Pérez".encode() not in crudo


# --- Formula neutralisation -----------------------------------------------------------------

HOSTILES = ['=HYPERLINK("http://evil.cl","clic")', "+1", "-1", "@SUM(1)"]
# Also in the N° SERMIG, a field copied verbatim (names are trimmed: a leading tab vanishes).
HOSTILES_SERMIG = [*HOSTILES, "\tx", "\r=1"]


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ana", "Ana"),
        ("", ""),
        ("1-1", "1-1"),
    ],
)
def test_neutralizar(valor, esperado) -> None:
    assert neutralizar(valor) == esperado


@FORMATOS
def test_formulas_are_neutralised(formato, municipal, regional) -> None:
    nombres, sermig = {}, {}
    for hostil in HOSTILES:
        p = nueva_persona(municipal, nombres=hostil, apellidos="")
        nombres[nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=p).folio] = hostil
    for hostil in HOSTILES_SERMIG:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        Caso.objects.filter(pk=c.pk).update(numero_solicitud_sermig=hostil)
        sermig[c.folio] = hostil
    # A sensitive case's initials of a hostile name are neutralised too.
    p = nueva_persona(municipal, nombres="=cmd", apellidos="")
    sensible = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA, persona_obj=p)

    filas = exportar(regional, formato)

    columnas = {f[0]: dict(zip(ENCABEZADOS, f, strict=True)) for f in filas[1:]}
    for folio, hostil in nombres.items():
        assert columnas[folio]["Persona"] == f"'{hostil}"
    for folio, hostil in sermig.items():
        # XML turns a carriage return into a line feed when the workbook is read back.
        esperado = f"'{hostil}" if formato == "csv" else f"'{hostil}".replace("\r", "\n")
        assert columnas[folio]["N° de solicitud SERMIG"] == esperado
    assert columnas[sensible.folio]["Persona"] == "'=."
    for fila in filas:
        for celda in fila:
            assert not celda.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_cells_are_never_formulas(municipal, regional) -> None:
    p = nueva_persona(municipal, nombres="=1+1", apellidos="")
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=p)
    response = client_for(regional).get(XLSX)
    hoja = load_workbook(io.BytesIO(response.content)).active
    assert hoja is not None
    tipos = {celda.data_type for fila in hoja.iter_rows() for celda in fila if celda.value is not None}
    assert tipos == {"s"}
    assert hoja["K2"].value == "'=1+1"


# --- File format ----------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_semicolons_and_an_attachment(municipal, regional) -> None:
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    response = client_for(regional).get(CSV)
    cuerpo = contenido(response)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="casos-')
    assert "no-store" in response["Cache-Control"]
    assert cuerpo.startswith(b"\xef\xbb\xbfFolio;Comuna;Tipo;")
    assert b"Independencia" in cuerpo
    assert cuerpo.count(b"\r\n") == 2


def test_xlsx_is_a_workbook_attachment(municipal, regional) -> None:
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    response = client_for(regional).get(XLSX)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert filas_xlsx(response)[1][1] == "Independencia"


# --- Query counts ---------------------------------------------------------------------------


@FORMATOS
@pytest.mark.parametrize("nombre", ["municipal", "regional"])
def test_query_count_does_not_grow(formato, nombre, persona, municipal, regional, django_assert_num_queries) -> None:
    user = persona(nombre)
    client = client_for(user)
    url = CSV if formato == "csv" else XLSX
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, asignado_a=regional)
    # 1 session, 2 user (with municipalidad), 3 the cases (comuna, región, person and
    # assignee joined), read in chunks from one cursor.
    with django_assert_num_queries(3):
        assert len(contenido(client.get(url))) > 0
    for n in range(29):
        nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, tipo=TipoCaso.NNA if n % 2 else TipoCaso.CONSULTA)
    with django_assert_num_queries(3):
        response = client.get(url)
        filas = filas_csv(response) if formato == "csv" else filas_xlsx(response)
    assert len(filas) == 31


def test_the_export_links_keep_the_query_string(rf, regional) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/casos/", {"estado": "derivado", "tipo": "nna"})
    request.user = regional
    html = render_to_string("casos/_exportar.html", request=request)
    assert 'href="/casos/exportar.csv?estado=derivado&amp;tipo=nna"' in html
    assert 'href="/casos/exportar.xlsx?estado=derivado&amp;tipo=nna"' in html

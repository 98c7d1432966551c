"""Shared pieces of the IDOR probes (``tests/test_idor*.py``) and the field-level checks
(``tests/test_campos_sensibles.py``).

- ``foto()``: the state of every table that a request could change (history tables included),
  to assert that a refused write changed nothing at all;
- ``preparar_idor()``: besides ``tests.policies`` ``preparar_todo()`` (Independencia, Quilicura,
  Santiago, Ñuñoa), objects that only nested probes need: an internal note *with an
  attachment* in Independencia's "caso-sensible", a message with an attachment in Quilicura's
  case, and a training of the Valparaíso regional team with a participant and a past session;
- ``marcas(...)``: the strings (uuids, folios, names) that identify a territory's objects, to
  assert that a response shows none of them.
"""

import functools

from django.apps import apps
from django.db import connection
from django.db.models import Model

from casos.models import Caso, Mensaje
from municipios.models import Municipalidad, Usuario

MARCA_NOTA_INTERNA = "Nota interna con adjunto IDOR"
MARCA_QUILICURA = "Mensaje con adjunto de Quilicura IDOR"
TITULO_VALPARAISO = "Capacitación regional Valparaíso IDOR"

APPS_CON_DATOS = ("municipios", "sello", "casos", "capacitaciones", "estadisticas", "authtoken", "auth")
# Reference data never written by a request, and columns a login legitimately updates.
SIN_FOTO = {"municipios.Region", "municipios.Provincia", "municipios.Comuna"}
COLUMNAS_IGNORADAS = {"last_login"}


def modelos_con_datos() -> list[type[Model]]:
    return [
        m
        for app in APPS_CON_DATOS
        for m in apps.get_app_config(app).get_models()
        if m._meta.label not in SIN_FOTO and not m._meta.proxy
    ]


@functools.cache
def _consulta_foto(*, completa: bool) -> str:
    # Table and column names come from the models' metadata (quoted), never from input.
    partes = []
    for modelo in modelos_con_datos():
        qn = connection.ops.quote_name
        columnas = ", ".join(qn(f.column) for f in modelo._meta.concrete_fields if f.attname not in COLUMNAS_IGNORADAS)
        tabla, pk = qn(modelo._meta.db_table), qn(modelo._meta.pk.column)
        fila = f"md5(COALESCE(string_agg(ROW({columnas})::text, '|' ORDER BY {pk}), ''))" if completa else "''"
        partes.append(f"SELECT '{modelo._meta.label}', COUNT(*), {fila} FROM {tabla}")  # noqa: S608
    return " UNION ALL ".join(partes)


def foto(*, completa: bool = True) -> dict[str, tuple[int, str]]:
    """A checksum of every row of every table a request could write (history tables included),
    computed by PostgreSQL in one statement; with ``completa`` False, the row counts only (what a
    refused GET could change: a row written, e.g. an access-log entry)."""
    with connection.cursor() as cursor:
        cursor.execute(_consulta_foto(completa=completa))
        return {tabla: (n, suma) for tabla, n, suma in cursor.fetchall()}


def diferencias(antes: dict[str, tuple[int, str]], despues: dict[str, tuple[int, str]]) -> list[str]:
    return [tabla for tabla in antes if antes[tabla] != despues.get(tabla)]


def usuario(username: str) -> Usuario:
    return Usuario.objects.get(username=username)


def preparar_idor() -> None:
    """Objects for the nested probes (run after ``preparar_todo()``; personas exist)."""
    from capacitaciones.models import Capacitacion

    from .capacitaciones_fixtures import capacitacion, inscripcion
    from .casos_fixtures import caso
    from .sello_fixtures import archivo_pdf

    regional = usuario("p.regional")
    sensible = Caso.objects.get(descripcion="caso-sensible")
    Mensaje.objects.create(
        caso=sensible, autor=regional, texto=MARCA_NOTA_INTERNA, interno=True, adjunto=archivo_pdf(regional, "nota.pdf")
    )
    otra = usuario("p.municipal.otra")
    quilicura = Caso.objects.get(descripcion="caso-quilicura")
    Mensaje.objects.create(caso=quilicura, autor=otra, texto=MARCA_QUILICURA, adjunto=archivo_pdf(otra, "q.pdf"))
    valparaiso = Municipalidad.objects.get(comuna_id="05101")
    cap = capacitacion(usuario("p.regional.otra"), invitadas=[valparaiso], titulo=TITULO_VALPARAISO)
    inscripcion(cap, "Marta Valdés", "marta@valparaiso.cl", municipalidad=valparaiso)
    assert Capacitacion.objects.filter(titulo=TITULO_VALPARAISO).exists()
    # A case of Valparaíso (another región), for probes from the Región Metropolitana.
    if Usuario.objects.filter(username="p.municipal.valpo").exists():
        caso(usuario("p.municipal.valpo"), estado="derivado", descripcion="caso-valparaiso")


def marcas_de_caso(caso: Caso) -> set[str]:
    return {str(caso.uuid), caso.folio, str(caso.persona.uuid)}

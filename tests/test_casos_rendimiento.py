"""The case lists at national scale (issue 7): what the benchmarks found, kept by tests.

- the list orderings match the indexes of ``casos/migrations/0003_indices_listas.py`` (the
  API's cursor, the pages' order, the regional queue's), and the indexes are in the database;
- the API's deep pages are a keyset condition on ``creado_en`` (no large OFFSET, no COUNT);
- the API's list rows (read directly, not field by field) equal the declared fields' output;
- the national list's total is the planner's estimate (no COUNT(*) of a million rows) while
  a filtered or territorial list counts exactly;
- query counts do not grow with the rows.
"""

import importlib
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casos import selectors
from casos.api import CasoOutputSerializer, CasoViewSet
from casos.models import Caso, EstadoCaso, Persona, TipoCaso

from .casos_fixtures import caso
from .casos_fixtures import persona as migrante
from .conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

CASOS = "/api/v1/casos/"
MIGRACION = importlib.import_module("casos.migrations.0003_indices_listas")
INDICES = {op.index.name: op.index for op in MIGRACION.Migration.operations}


def campos(orden: tuple[str, ...] | list[str]) -> list[str]:
    return [campo.replace("pk", "id") for campo in orden]


def sql_de(consultas: Any) -> list[str]:
    return [q["sql"] for q in consultas.captured_queries]


# --- Indexes and orderings ------------------------------------------------------------------


def test_the_list_orderings_are_the_indexes_orderings() -> None:
    # The API's cursor and the pages' default order read caso_reciente (the country, a
    # región through its comunas) and caso_comuna_reciente (a comuna) in index order.
    assert campos(CasoViewSet.cursor_ordering) == INDICES["caso_reciente"].fields == ["-creado_en", "-id"]
    assert campos(Caso._meta.ordering) == INDICES["caso_reciente"].fields
    assert INDICES["caso_comuna_reciente"].fields == ["comuna", "-creado_en", "-id"]


def test_the_indexes_are_in_the_database() -> None:
    with connection.cursor() as cursor:
        restricciones = connection.introspection.get_constraints(cursor, Caso._meta.db_table)
    assert restricciones["caso_reciente"]["columns"] == ["creado_en", "id"]
    assert restricciones["caso_reciente"]["orders"] == ["DESC", "DESC"]
    assert restricciones["caso_comuna_reciente"]["columns"] == ["comuna_id", "creado_en", "id"]
    assert restricciones["caso_comuna_reciente"]["orders"] == ["ASC", "DESC", "DESC"]
    assert restricciones["caso_cola"]["index"]


def test_the_regional_queue_reads_its_partial_index(municipal, nacional) -> None:
    # Its first sort key is an expression (unassigned first): only the planner can tell that
    # it matches the index's. A test table is tiny, so sequential scans are ruled out for the
    # plan to show which index gives the queue's order.
    caso(municipal, estado=EstadoCaso.DERIVADO)
    consulta = selectors.cola_regional(usuario=nacional)[:25]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = consulta.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(fila[0] for fila in cursor.fetchall())
    assert "Index Scan using caso_cola on casos_caso" in plan
    assert "Sort" not in plan


# --- The API's cursor -------------------------------------------------------------------------


def test_a_deep_page_is_a_keyset_condition_without_count(municipal, nacional) -> None:
    for _ in range(7):
        caso(municipal)
    client = api_client_for(nacional)
    respuesta = client.get(CASOS, {"page_size": 3})
    siguiente = respuesta.json()["next"]
    with CaptureQueriesContext(connection) as consultas:
        pagina = client.get(siguiente).json()
    (lista,) = [q for q in sql_de(consultas) if 'FROM "casos_caso"' in q]
    assert re.search(r'WHERE .*"casos_caso"\."creado_en" < ', lista)
    assert "OFFSET" not in lista
    # The rows are read as dicts (selectors.filas): Django orders by the columns' positions,
    # which are creado_en and id, the index's order.
    creado_en, pk = selectors.CAMPOS_FILA.index("creado_en") + 1, selectors.CAMPOS_FILA.index("pk") + 1
    assert f"ORDER BY {creado_en} DESC, {pk} DESC LIMIT" in lista
    assert '"casos_caso"."creado_en" AS "creado_en"' in lista
    assert '"casos_caso"."id" AS "pk"' in lista
    assert not [q for q in sql_de(consultas) if "COUNT(" in q.upper()]
    esperados = list(Caso.objects.order_by("-creado_en", "-pk").values_list("folio", flat=True)[3:6])
    assert [f["folio"] for f in pagina["results"]] == esperados


# --- The API's list rows ----------------------------------------------------------------------


def test_the_list_rows_equal_the_declared_fields(municipal, regional) -> None:
    # Given cases with and without assignee, deadline and escalation, sensitive or not
    casos = [
        caso(municipal),
        caso(municipal, estado=EstadoCaso.EN_GESTION, tipo=TipoCaso.TRATA, asignado_a=regional),
        caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=migrante(municipal, nna=True), vencido=True),
    ]
    Caso.objects.filter(pk=casos[0].pk).update(plazo=None, subtipo="residencia_temporal")
    regional.first_name = regional.last_name = ""
    regional.save()
    filas = selectors.casos_para_listar(usuario=regional).order_by("pk")
    assert len(filas) == 3
    for fila in filas:
        # Then the direct reading gives exactly what DRF's field-by-field path gives, in the
        # project's time zone and in UTC ("Z")
        for zona in ("America/Santiago", "UTC"):
            with timezone.override(ZoneInfo(zona)):
                serializer = CasoOutputSerializer(fila)
                assert serializer.data == serializer.representacion_generica(fila)
                # and so does the row read as a dict, the list endpoint's way
                como_dict = selectors.filas(filas.filter(pk=fila.pk)).get()
                assert CasoOutputSerializer(como_dict).data == serializer.representacion_generica(fila)
    with timezone.override(ZoneInfo("UTC")):
        assert CasoOutputSerializer(filas[0]).data["creado_en"].endswith("Z")
    assert [f.persona.nombres for f in filas][2] == "Wislande"
    assert CasoOutputSerializer(filas[2]).data["persona"]["nombre"] == "W. J."
    assert CasoOutputSerializer(filas[1]).data["asignado_a"] == regional.username


def test_the_list_reads_only_its_columns(municipal, nacional) -> None:
    caso(municipal, descripcion="Una descripción larga " * 50)
    with CaptureQueriesContext(connection) as consultas:
        assert api_client_for(nacional).get(CASOS).status_code == 200
    (lista,) = [q for q in sql_de(consultas) if 'FROM "casos_caso"' in q]
    assert '"casos_caso"."descripcion"' not in lista
    assert '"municipios_usuario"."password"' not in lista
    assert "municipios_region" not in lista


# --- The national list's total ----------------------------------------------------------------


def test_the_national_total_is_the_planners_estimate(municipal, nacional, monkeypatch) -> None:
    # Given a case table the planner knows (ANALYZE) and counted as big
    for _ in range(3):
        caso(municipal)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE casos_caso")
    monkeypatch.setattr(selectors, "ESTIMAR_DESDE", 1)
    client = client_for(nacional)
    # When the national officer opens the unfiltered list
    with CaptureQueriesContext(connection) as consultas:
        response = client.get(reverse("casos:lista"))
    # Then its total is the estimate, read without counting the cases
    assert response.context["page"].paginator.count == 3
    assert "pg_class" in " ".join(sql_de(consultas))
    assert not [q for q in sql_de(consultas) if "COUNT(" in q.upper() and "casos_caso" in q]
    # and a filtered list still counts exactly
    with CaptureQueriesContext(connection) as consultas:
        response = client.get(reverse("casos:lista"), {"estado": EstadoCaso.BORRADOR})
    assert response.context["page"].paginator.count == 3
    assert [q for q in sql_de(consultas) if "COUNT(" in q.upper() and "casos_caso" in q]


@pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
def test_a_territory_is_counted_as_its_cases_minus_blocked_peoples(nombre, persona, municipal) -> None:
    # Given cases of a blocked person among others, in two states
    bloqueada = migrante(municipal)
    Persona.objects.filter(pk=bloqueada.pk).update(bloqueada=True)
    for _ in range(2):
        caso(municipal, persona_obj=bloqueada)
    caso(municipal, estado=EstadoCaso.DERIVADO)
    caso(municipal)
    usuario = persona(nombre)
    for filtro in ({}, {"estado": EstadoCaso.BORRADOR}, {"estado": EstadoCaso.DERIVADO}):
        # When counted without joining every case with its person
        contados = selectors.contar_visibles(usuario=usuario, filtrar=lambda qs, f=filtro: qs.filter(**f))
        # Then the count is that of the cases the user sees (national staff see blocked people)
        assert contados == selectors.casos_visibles(usuario=usuario).filter(**filtro).count()
    assert selectors.contar_visibles(usuario=usuario, filtrar=lambda qs: qs) == (4 if nombre == "nacional" else 2)


def test_blocked_people_have_their_own_index() -> None:
    with connection.cursor() as cursor:
        restricciones = connection.introspection.get_constraints(cursor, Persona._meta.db_table)
    assert restricciones["persona_bloqueada"]["columns"] == ["id"]


@pytest.mark.parametrize("nombre", ["municipal", "regional"])
def test_other_roles_count_exactly(nombre, persona, municipal, monkeypatch) -> None:
    caso(municipal)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE casos_caso")
    monkeypatch.setattr(selectors, "ESTIMAR_DESDE", 1)
    assert selectors.total_estimado(usuario=persona(nombre)) is None
    response = client_for(persona(nombre)).get(reverse("casos:lista"))
    assert response.context["page"].paginator.count == 1


def test_a_small_table_is_counted_exactly(municipal, nacional) -> None:
    caso(municipal)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE casos_caso")
    assert selectors.total_estimado(usuario=nacional) is None


# --- Query counts -----------------------------------------------------------------------------


def muchos(municipal: Any, regional: Any, n: int = 30) -> None:
    for i in range(n):
        caso(
            municipal,
            estado=EstadoCaso.EN_GESTION if i % 2 else EstadoCaso.DERIVADO,
            tipo=TipoCaso.VIOLENCIA if i % 3 else TipoCaso.CONSULTA,
            asignado_a=regional if i % 2 else None,
            vencido=i % 4 == 0,
        )


def test_the_national_list_query_count_does_not_grow(municipal, regional, nacional, django_assert_num_queries) -> None:
    client = client_for(nacional)
    url = reverse("casos:lista")
    caso(municipal, estado=EstadoCaso.DERIVADO)
    # 1 session, 2 user, 3 the planner's estimate (pg_class), 4 count (the table is small),
    # 5 the page of cases, 6 unread notifications (nav).
    with django_assert_num_queries(6):
        client.get(url)
    muchos(municipal, regional)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["filas"]) == 25


@pytest.mark.parametrize("nombre", ["regional", "nacional"])
def test_the_queue_query_count_does_not_grow(nombre, persona, municipal, regional, django_assert_num_queries) -> None:
    client = client_for(persona(nombre))
    url = reverse("casos:cola")
    caso(municipal, estado=EstadoCaso.DERIVADO)
    # 1 session, 2 user, 3 count, 4 the page of the queue, 5 unread notifications (nav),
    # 6 the people cases may be assigned to (the form's choices).
    with django_assert_num_queries(6):
        client.get(url)
    muchos(municipal, regional)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
def test_the_api_list_costs_two_queries_at_any_depth(nombre, persona, municipal, regional) -> None:
    muchos(municipal, regional, n=12)
    client = api_client_for(persona(nombre))
    url: str | None = f"{CASOS}?page_size=5"
    paginas = 0
    while url:
        # 1 the token with its user, 2 the page (comuna, person and assignee joined).
        with CaptureQueriesContext(connection) as consultas:
            respuesta = client.get(url).json()
        assert len(consultas.captured_queries) == 2
        url, paginas = respuesta["next"], paginas + 1
    assert paginas == 3

"""REST API of trainings, operativos and good practices: scoped exactly like the pages for every
persona, counts without personal data in lists, participants (never the RUN) only for whoever
organises, filters, cursor pagination, read-only, and constant query counts."""

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from capacitaciones.models import (
    Asistencia,
    BuenaPractica,
    Capacitacion,
    DispositivoTerritorial,
    EstadoInscripcion,
    Inscripcion,
    Sesion,
)

from .capacitaciones_fixtures import capacitacion, dispositivo, inscripcion, practica
from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO, api_client_for

pytestmark = pytest.mark.django_db

CAPACITACIONES = "/api/v1/capacitaciones/"
DISPOSITIVOS = "/api/v1/dispositivos/"
PRACTICAS = "/api/v1/buenas-practicas/"
RUN = "12.345.678-5"


def recorrer(client: APIClient, url: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Follow the cursor pagination to the end."""
    filas: list[dict[str, Any]] = []
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        filas.extend(response.json()["results"])
        if not response.json()["next"]:
            return filas
        response = client.get(response.json()["next"])


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def marcar(sesion: Sesion, inscrita: Inscripcion, estado: str, por: Any) -> None:
    Asistencia.objects.create(sesion=sesion, inscripcion=inscrita, estado=estado, marcada_por=por)


# --- Capacitaciones -----------------------------------------------------------------------


@pytest.fixture
def capacitaciones(
    municipal, municipal_otra, regional, regional_otra, nacional, independencia, quilicura
) -> dict[str, Capacitacion]:
    """SERMIG RM's training inviting Independencia (2 past sessions, 1 upcoming; 3 registered,
    1 waiting, 1 cancelled; attendance marked), each municipality's own, Valparaíso's and a
    national one inviting Quilicura."""
    rm = capacitacion(regional, invitadas=[independencia], titulo="Regional RM", cupo=3, sesiones_futuras=1)
    s1, s2, _s3 = rm.sesiones.order_by("inicio")
    ana = inscripcion(rm, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    Inscripcion.objects.filter(pk=ana.pk).update(run=RUN)
    luis = inscripcion(rm, "Luis Soto", "luis@independencia.cl", municipalidad=independencia)
    rosa = inscripcion(rm, "Rosa Díaz", "rosa@independencia.cl", municipalidad=independencia)
    inscripcion(rm, "Pedro Rojas", "pedro@independencia.cl", estado=EstadoInscripcion.LISTA_ESPERA)
    inscripcion(rm, "Carla Vega", "carla@independencia.cl", estado=EstadoInscripcion.CANCELADA)
    for sesion, inscrita, estado in [
        (s1, ana, "presente"),
        (s1, luis, "atrasado"),
        (s1, rosa, "justificado"),
        (s2, ana, "presente"),
        (s2, luis, "ausente"),
    ]:
        marcar(sesion, inscrita, estado, regional)
    return {
        "rm": rm,
        "independencia": capacitacion(municipal, titulo="Municipal Independencia"),
        "quilicura": capacitacion(municipal_otra, titulo="Municipal Quilicura"),
        "valparaiso": capacitacion(regional_otra, titulo="Regional Valparaíso"),
        "nacional": capacitacion(nacional, invitadas=[quilicura], titulo="Nacional"),
    }


def detalle_capacitacion(c: Capacitacion) -> str:
    return f"{CAPACITACIONES}{c.uuid}/"


class TestCapacitacionesLista:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("municipal", ["independencia", "rm"]),
            ("municipal_otra", ["nacional", "quilicura"]),
            ("regional", ["independencia", "nacional", "quilicura", "rm"]),
            ("regional_otra", ["valparaiso"]),
            ("nacional", ["independencia", "nacional", "quilicura", "rm", "valparaiso"]),
            ("evaluador", []),
            ("sin_rol", []),
        ],
    )
    def test_it_is_scoped_like_the_pages(self, nombre, esperadas, persona, capacitaciones) -> None:
        por_uuid = {str(c.uuid): clave for clave, c in capacitaciones.items()}
        filas = recorrer(api_client_for(persona(nombre)), CAPACITACIONES)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperadas

    def test_anonymous_gets_401(self, capacitaciones) -> None:
        response = APIClient().get(CAPACITACIONES)
        assert response.status_code == 401
        assert error(response)["code"] == "not_authenticated"

    def test_it_shows_sessions_and_counts(self, municipal, capacitaciones, independencia) -> None:
        rm = capacitaciones["rm"]
        fila = next(f for f in recorrer(api_client_for(municipal), CAPACITACIONES) if f["uuid"] == str(rm.uuid))
        assert fila["titulo"] == "Regional RM"
        assert (fila["tema"], fila["tema_label"]) == ("regularizacion", "Regularización migratoria")
        assert (fila["modalidad"], fila["modalidad_label"]) == ("presencial", "Presencial")
        assert (fila["organizador"], fila["organizador_label"]) == ("sermig_regional", "SERMIG regional")
        assert fila["region"] == "13"
        assert fila["municipalidad_organizadora"] is None
        assert fila["invitadas"] == [
            {"uuid": str(independencia.uuid), "nombre": independencia.nombre, "comuna": INDEPENDENCIA}
        ]
        assert fila["audiencias"] == ["dideco", "omil"]
        assert (fila["cupo"], fila["horas"], fila["asistencia_minima"]) == (3, "6.0", 75)
        assert (fila["inscritas"], fila["en_lista_de_espera"]) == (3, 1)
        sesiones = [(s["presentes"], s["atrasados"], s["justificados"], s["ausentes"]) for s in fila["sesiones"]]
        assert sesiones == [(1, 1, 1, 0), (1, 0, 0, 1), (0, 0, 0, 0)]
        primera = rm.sesiones.order_by("inicio").first()
        assert primera is not None
        assert fila["sesiones"][0]["lugar"] == "Salón municipal"
        assert fila["sesiones"][0]["inicio"] == timezone.localtime(primera.inicio).isoformat()
        assert fila["sesiones"][0]["fin"] == timezone.localtime(primera.fin).isoformat()

    def test_a_municipal_training_names_its_organiser(self, regional, capacitaciones, independencia) -> None:
        fila = next(
            f
            for f in recorrer(api_client_for(regional), CAPACITACIONES)
            if f["uuid"] == str(capacitaciones["independencia"].uuid)
        )
        assert fila["organizador"] == "municipalidad"
        assert fila["region"] is None
        assert fila["municipalidad_organizadora"] == {
            "uuid": str(independencia.uuid),
            "nombre": independencia.nombre,
            "comuna": INDEPENDENCIA,
        }

    @pytest.mark.parametrize("nombre", ["regional", "nacional", "municipal"])
    def test_lists_carry_no_personal_data(self, nombre, persona, capacitaciones) -> None:
        response = api_client_for(persona(nombre)).get(CAPACITACIONES)
        body = response.content.decode()
        for dato in ("Ana Pérez", "Pedro", "@independencia.cl", "12345678", "12.345.678"):
            assert dato not in body
        assert all("participantes" not in f for f in response.json()["results"])

    def test_it_is_ordered_newest_first_and_paginated_by_cursor(self, nacional) -> None:
        creadas = [capacitacion(nacional, titulo=f"C{i}") for i in range(5)]
        client = api_client_for(nacional)
        primera = client.get(CAPACITACIONES, {"page_size": 2}).json()
        assert [f["titulo"] for f in primera["results"]] == ["C4", "C3"]
        assert "cursor=" in primera["next"]
        todas = recorrer(client, CAPACITACIONES, {"page_size": 2})
        assert [f["uuid"] for f in todas] == [str(c.uuid) for c in reversed(creadas)]

    @pytest.mark.parametrize(
        ("params", "esperadas"),
        [
            ({"organizador": "municipalidad"}, ["independencia", "quilicura"]),
            ({"organizador": "sermig_regional"}, ["rm", "valparaiso"]),
            ({"organizador": "sermig_nacional"}, ["nacional"]),
            ({"tema": "regularizacion"}, ["independencia", "nacional", "quilicura", "rm", "valparaiso"]),
            ({"tema": "nna"}, []),
            ({"modalidad": "virtual"}, []),
            # Organised in the región or inviting its municipalities.
            ({"region": "13"}, ["independencia", "nacional", "quilicura", "rm"]),
            ({"region": "05"}, ["valparaiso"]),
            ({"q": "municipal"}, ["independencia", "quilicura"]),
        ],
    )
    def test_filters(self, params, esperadas, nacional, capacitaciones) -> None:
        por_uuid = {str(c.uuid): clave for clave, c in capacitaciones.items()}
        filas = recorrer(api_client_for(nacional), CAPACITACIONES, params)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperadas

    def test_filter_by_the_year_of_a_session(self, nacional, capacitaciones) -> None:
        antigua = capacitacion(nacional, titulo="Antigua", sesiones_pasadas=0)
        Sesion.objects.create(
            capacitacion=antigua,
            inicio=timezone.make_aware(datetime(2019, 12, 31, 23, 0)),
            fin=timezone.make_aware(datetime(2019, 12, 31, 23, 30)),
            lugar="Sala",
        )
        client = api_client_for(nacional)
        assert [f["titulo"] for f in recorrer(client, CAPACITACIONES, {"anio": 2019})] == ["Antigua"]
        assert recorrer(client, CAPACITACIONES, {"anio": 2020}) == []

    @pytest.mark.parametrize(
        ("campo", "valor"),
        [("tema", "x"), ("modalidad", "remota"), ("organizador", "otro"), ("region", "99"), ("anio", "10000")],
    )
    def test_bad_filter_values_are_a_400(self, campo, valor, nacional) -> None:
        response = api_client_for(nacional).get(CAPACITACIONES, {campo: valor})
        assert response.status_code == 400
        assert error(response)["code"] == "invalid"
        assert campo in error(response)["fields"]

    @pytest.mark.parametrize("nombre", ["nacional", "regional", "municipal"])
    def test_query_count_does_not_grow_with_rows(
        self, nombre, persona, municipal, regional, independencia, django_assert_num_queries
    ) -> None:
        client = api_client_for(persona(nombre))

        def nueva(i: int) -> None:
            cap = capacitacion(regional, invitadas=[independencia], titulo=f"C{i}", sesiones_futuras=1)
            marcar(cap.sesiones.first(), inscripcion(cap, "Ana", f"a{i}@x.cl"), "presente", regional)

        nueva(0)
        # 1 the token with its user and municipalidad, 2 the page with its registration counts,
        # 3 its sessions with attendance counts, 4 its invitations with each municipality.
        # No COUNT(*): cursor pagination.
        with django_assert_num_queries(4):
            assert len(client.get(CAPACITACIONES).json()["results"]) == 1
        for i in range(1, 25):
            nueva(i)
        with django_assert_num_queries(4):
            assert len(client.get(CAPACITACIONES).json()["results"]) == 25


class TestCapacitacionDetalle:
    @pytest.mark.parametrize("nombre", ["regional", "nacional"])
    def test_the_organiser_sees_the_participants_never_their_run(self, nombre, persona, capacitaciones) -> None:
        response = api_client_for(persona(nombre)).get(detalle_capacitacion(capacitaciones["rm"]))
        assert response.status_code == 200
        datos = response.json()
        assert [(p["nombre"], p["institucion"], p["unidad"], p["estado"]) for p in datos["participantes"]] == [
            ("Ana Pérez", "Municipalidad", "DIDECO", "inscrita"),
            ("Luis Soto", "Municipalidad", "DIDECO", "inscrita"),
            ("Rosa Díaz", "Municipalidad", "DIDECO", "inscrita"),
            ("Pedro Rojas", "Municipalidad", "DIDECO", "espera"),
        ]
        assert datos["participantes"][3]["estado_label"] == "En lista de espera"
        body = response.content.decode()
        for secreto in ("12345678", "12.345.678", "@independencia.cl", "Carla"):
            assert secreto not in body
        assert set(datos["participantes"][0]) == {"nombre", "institucion", "unidad", "estado", "estado_label"}
        assert (datos["inscritas"], datos["en_lista_de_espera"]) == (3, 1)
        assert len(datos["sesiones"]) == 3

    def test_an_invited_municipality_sees_the_training_not_the_participants(self, municipal, capacitaciones) -> None:
        response = api_client_for(municipal).get(detalle_capacitacion(capacitaciones["rm"]))
        assert response.status_code == 200
        datos = response.json()
        assert datos["participantes"] is None
        assert datos["descripcion"] == ""
        assert "Ana Pérez" not in response.content.decode()

    def test_a_municipality_sees_the_participants_of_its_own_training(self, municipal, capacitaciones) -> None:
        propia = capacitaciones["independencia"]
        inscripcion(propia, "Marta Lagos", "marta@independencia.cl")
        datos = api_client_for(municipal).get(detalle_capacitacion(propia)).json()
        assert [p["nombre"] for p in datos["participantes"]] == ["Marta Lagos"]

    def test_the_region_sees_a_municipal_training_but_does_not_organise_it(self, regional, capacitaciones) -> None:
        datos = api_client_for(regional).get(detalle_capacitacion(capacitaciones["independencia"])).json()
        assert datos["participantes"] is None

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol"])
    def test_outside_the_scope_is_a_404(self, nombre, persona, capacitaciones) -> None:
        response = api_client_for(persona(nombre)).get(detalle_capacitacion(capacitaciones["rm"]))
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
        assert "Regional RM" not in response.content.decode()

    def test_anonymous_gets_401(self, capacitaciones) -> None:
        assert APIClient().get(detalle_capacitacion(capacitaciones["rm"])).status_code == 401

    def test_a_malformed_uuid_is_a_404(self, nacional) -> None:
        assert api_client_for(nacional).get(f"{CAPACITACIONES}no-es-uuid/").status_code == 404

    @pytest.mark.parametrize("metodo", ["post", "put", "patch", "delete"])
    def test_it_is_read_only(self, metodo, regional, capacitaciones) -> None:
        rm = capacitaciones["rm"]
        antes = (Capacitacion.objects.count(), Capacitacion.objects.get(pk=rm.pk).titulo)
        client = api_client_for(regional)
        url = CAPACITACIONES if metodo == "post" else detalle_capacitacion(rm)
        response = getattr(client, metodo)(url, {"titulo": "Cambiada"}, format="json")
        assert response.status_code == 405
        assert error(response)["code"] == "method_not_allowed"
        assert (Capacitacion.objects.count(), Capacitacion.objects.get(pk=rm.pk).titulo) == antes

    def test_query_count_does_not_grow_with_participants(
        self, regional, independencia, django_assert_num_queries
    ) -> None:
        cap = capacitacion(regional, invitadas=[independencia], cupo=100)
        inscripcion(cap, "Ana", "a@x.cl")
        client = api_client_for(regional)
        # 1 token, 2 the training with its counts, 3 its sessions with attendance counts,
        # 4 its invitations, 5 its participants (only for the organiser).
        with django_assert_num_queries(5):
            assert len(client.get(detalle_capacitacion(cap)).json()["participantes"]) == 1
        for i in range(30):
            inscripcion(cap, f"P{i}", f"p{i}@x.cl", municipalidad=independencia)
        with django_assert_num_queries(5):
            assert len(client.get(detalle_capacitacion(cap)).json()["participantes"]) == 31


# --- Dispositivos -------------------------------------------------------------------------


@pytest.fixture
def operativos(municipal, municipal_otra, regional_otra) -> dict[str, DispositivoTerritorial]:
    return {
        "independencia": dispositivo(municipal, INDEPENDENCIA, fecha=date(2025, 3, 10)),
        "quilicura": dispositivo(
            municipal_otra,
            QUILICURA,
            tipo="apoya_mujer_migrante",
            fecha=date(2025, 8, 1),
            mujeres=20,
            hombres=0,
            otros=0,
            nna=5,
            mayores_60=1,
        ),
        "valparaiso": dispositivo(regional_otra, VALPARAISO, fecha=date(2024, 11, 5)),
    }


class TestDispositivos:
    @pytest.mark.parametrize(
        ("nombre", "esperados"),
        [
            ("municipal", ["independencia"]),
            ("municipal_otra", ["quilicura"]),
            ("regional", ["independencia", "quilicura"]),
            ("regional_otra", ["valparaiso"]),
            ("nacional", ["independencia", "quilicura", "valparaiso"]),
            ("evaluador", []),
            ("sin_rol", []),
        ],
    )
    def test_it_is_scoped_by_territory(self, nombre, esperados, persona, operativos) -> None:
        por_uuid = {str(d.uuid): clave for clave, d in operativos.items()}
        filas = recorrer(api_client_for(persona(nombre)), DISPOSITIVOS)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperados

    def test_anonymous_gets_401(self, operativos) -> None:
        assert APIClient().get(DISPOSITIVOS).status_code == 401

    def test_it_shows_aggregate_counts(self, municipal, operativos) -> None:
        (fila,) = recorrer(api_client_for(municipal), DISPOSITIVOS)
        assert fila == {
            "uuid": str(operativos["independencia"].uuid),
            "tipo": "migraciones_en_tu_barrio",
            "tipo_label": "Migraciones en tu barrio",
            "fecha": "2025-03-10",
            "lugar": "Plaza de armas",
            "comuna": INDEPENDENCIA,
            "comuna_nombre": "Independencia",
            "region": "13",
            "servicios": ["orientacion", "regularizacion"],
            "instituciones": "SERMIG, Registro Civil",
            "mujeres": 40,
            "hombres": 35,
            "otros": 1,
            "nna": 12,
            "mayores_60": 4,
            "total": 76,
            "registrado_en": fila["registrado_en"],
        }

    def test_it_is_ordered_by_date_newest_first(self, nacional, operativos) -> None:
        filas = recorrer(api_client_for(nacional), DISPOSITIVOS, {"page_size": 1})
        assert [f["fecha"] for f in filas] == ["2025-08-01", "2025-03-10", "2024-11-05"]

    @pytest.mark.parametrize(
        ("params", "esperados"),
        [
            ({"tipo": "apoya_mujer_migrante"}, ["quilicura"]),
            ({"tipo": "migraciones_en_tu_barrio"}, ["independencia", "valparaiso"]),
            ({"comuna": QUILICURA}, ["quilicura"]),
            ({"region": "13"}, ["independencia", "quilicura"]),
            ({"region": "05"}, ["valparaiso"]),
            ({"anio": 2025}, ["independencia", "quilicura"]),
            ({"anio": 2024}, ["valparaiso"]),
            ({"anio": 2024, "region": "13"}, []),
        ],
    )
    def test_filters(self, params, esperados, nacional, operativos) -> None:
        por_uuid = {str(d.uuid): clave for clave, d in operativos.items()}
        filas = recorrer(api_client_for(nacional), DISPOSITIVOS, params)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperados

    def test_filters_only_narrow_the_territory(self, municipal, operativos) -> None:
        assert recorrer(api_client_for(municipal), DISPOSITIVOS, {"comuna": QUILICURA}) == []

    @pytest.mark.parametrize(
        ("campo", "valor"), [("tipo", "x"), ("comuna", "99999"), ("region", "99"), ("anio", "dos mil"), ("anio", "0")]
    )
    def test_bad_filter_values_are_a_400(self, campo, valor, nacional) -> None:
        response = api_client_for(nacional).get(DISPOSITIVOS, {campo: valor})
        assert response.status_code == 400
        assert campo in error(response)["fields"]

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
    def test_detail(self, nombre, persona, operativos) -> None:
        response = api_client_for(persona(nombre)).get(f"{DISPOSITIVOS}{operativos['independencia'].uuid}/")
        assert response.status_code == 200
        assert response.json()["total"] == 76

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol"])
    def test_outside_the_territory_is_a_404(self, nombre, persona, operativos) -> None:
        response = api_client_for(persona(nombre)).get(f"{DISPOSITIVOS}{operativos['independencia'].uuid}/")
        assert response.status_code == 404

    def test_it_is_read_only(self, municipal, operativos) -> None:
        antes = DispositivoTerritorial.objects.count()
        response = api_client_for(municipal).post(DISPOSITIVOS, {"tipo": "otro"}, format="json")
        assert response.status_code == 405
        assert DispositivoTerritorial.objects.count() == antes

    def test_query_count_does_not_grow_with_rows(self, regional, municipal, django_assert_num_queries) -> None:
        client = api_client_for(regional)
        dispositivo(municipal, INDEPENDENCIA)
        # 1 token, 2 the page with each comuna (and its región).
        with django_assert_num_queries(2):
            assert len(client.get(DISPOSITIVOS).json()["results"]) == 1
        for i in range(20):
            dispositivo(municipal, INDEPENDENCIA if i % 2 else QUILICURA)
        with django_assert_num_queries(2):
            assert len(client.get(DISPOSITIVOS).json()["results"]) == 21


# --- Buenas prácticas ---------------------------------------------------------------------


@pytest.fixture
def practicas(municipal, municipal_otra, municipal_valparaiso) -> dict[str, BuenaPractica]:
    consulta = practica(municipal_otra, QUILICURA, nombre="Primera consulta comunal de migrantes")
    BuenaPractica.objects.filter(pk=consulta.pk).update(
        descripcion="Consulta ciudadana a personas migrantes y refugiadas.", base_legal="Ley 20.500"
    )
    mediadores = practica(municipal, INDEPENDENCIA, nombre="Mediadores interculturales")
    BuenaPractica.objects.filter(pk=mediadores.pk).update(
        descripcion="Programa de mediación social intercultural en barrios.",
        objetivos="Facilitar el acceso a servicios.",
        actividades="Formación de mediadoras.",
        lineas=[2, 3],
        anio_inicio=2021,
    )
    return {
        "quilicura": consulta,
        "independencia": mediadores,
        "valparaiso": practica(municipal_valparaiso, VALPARAISO, nombre="Mesa regional de migraciones"),
        "enviada": practica(municipal, INDEPENDENCIA, nombre="Enviada", estado="enviada"),
        "borrador": practica(municipal, INDEPENDENCIA, nombre="Borrador", estado="borrador"),
        "observada": practica(municipal, INDEPENDENCIA, nombre="Observada", estado="observada"),
    }


class TestBuenasPracticas:
    @pytest.mark.parametrize(
        "nombre", ["municipal", "municipal_otra", "regional", "regional_otra", "nacional", "evaluador"]
    )
    def test_every_role_reads_the_published_ones(self, nombre, persona, practicas) -> None:
        por_uuid = {str(p.uuid): clave for clave, p in practicas.items()}
        filas = recorrer(api_client_for(persona(nombre)), PRACTICAS)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == ["independencia", "quilicura", "valparaiso"]

    def test_a_user_without_a_role_sees_none(self, sin_rol, practicas) -> None:
        client = api_client_for(sin_rol)
        assert recorrer(client, PRACTICAS) == []
        assert client.get(f"{PRACTICAS}{practicas['quilicura'].uuid}/").status_code == 404

    def test_anonymous_gets_401(self, practicas) -> None:
        assert APIClient().get(PRACTICAS).status_code == 401
        assert APIClient().get(f"{PRACTICAS}{practicas['quilicura'].uuid}/").status_code == 401

    def test_list_and_detail_fields(self, regional_otra, practicas) -> None:
        client = api_client_for(regional_otra)
        fila = next(f for f in recorrer(client, PRACTICAS) if f["uuid"] == str(practicas["independencia"].uuid))
        assert fila["nombre"] == "Mediadores interculturales"
        assert (fila["comuna"], fila["comuna_nombre"], fila["region"]) == (INDEPENDENCIA, "Independencia", "13")
        assert (fila["anio_inicio"], fila["lineas"]) == (2021, [2, 3])
        assert fila["responsable"] == "Oficina de Migrantes y Refugiados"
        assert "objetivos" not in fila
        datos = client.get(f"{PRACTICAS}{practicas['quilicura'].uuid}/").json()
        assert datos["base_legal"] == "Ley 20.500"
        assert datos["objetivos"] == "Conocer las necesidades de la población migrante."
        assert datos["actividades"] == "Mesas territoriales, votación, informe."
        assert {"indicadores", "medios_verificacion", "resultados", "publicada_en"} <= set(datos)
        assert "estado" not in datos
        assert "comentario_revision" not in datos

    @pytest.mark.parametrize("clave", ["enviada", "borrador", "observada"])
    @pytest.mark.parametrize("nombre", ["municipal", "nacional"])
    def test_unpublished_ones_are_a_404_even_for_their_municipality(self, clave, nombre, persona, practicas) -> None:
        response = api_client_for(persona(nombre)).get(f"{PRACTICAS}{practicas[clave].uuid}/")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("params", "esperadas"),
        [
            ({"linea": 5}, ["quilicura", "valparaiso"]),
            ({"linea": 2}, ["independencia"]),
            ({"linea": 1}, []),
            ({"region": "13"}, ["independencia", "quilicura"]),
            ({"region": "05"}, ["valparaiso"]),
            ({"anio": 2016}, ["quilicura", "valparaiso"]),
            ({"anio": 2021}, ["independencia"]),
            # Full text in Spanish: stems match ("consultas" ~ "consulta", "mediadora" ~ "mediadores").
            ({"q": "consultas"}, ["quilicura"]),
            ({"q": "mediadora"}, ["independencia"]),
            ({"q": "migrantes"}, ["independencia", "quilicura", "valparaiso"]),
            ({"q": "migrantes", "region": "13", "linea": 5}, ["quilicura"]),
            ({"q": "inexistente"}, []),
            ({"q": "   "}, ["independencia", "quilicura", "valparaiso"]),
        ],
    )
    def test_filters_and_full_text_search(self, params, esperadas, municipal, practicas) -> None:
        por_uuid = {str(p.uuid): clave for clave, p in practicas.items()}
        filas = recorrer(api_client_for(municipal), PRACTICAS, params)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperadas

    def test_search_never_reaches_unpublished_ones(self, nacional, practicas) -> None:
        assert recorrer(api_client_for(nacional), PRACTICAS, {"q": "observada"}) == []

    @pytest.mark.parametrize(("campo", "valor"), [("linea", "9"), ("linea", "x"), ("region", "99"), ("anio", "1800")])
    def test_bad_filter_values_are_a_400(self, campo, valor, nacional) -> None:
        response = api_client_for(nacional).get(PRACTICAS, {campo: valor})
        assert response.status_code == 400
        assert campo in error(response)["fields"]

    def test_it_is_read_only(self, nacional, practicas) -> None:
        antes = list(BuenaPractica.objects.order_by("pk").values_list("pk", "estado"))
        client = api_client_for(nacional)
        assert client.post(PRACTICAS, {"nombre": "x"}, format="json").status_code == 405
        response = client.patch(f"{PRACTICAS}{practicas['enviada'].uuid}/", {"estado": "publicada"}, format="json")
        assert response.status_code == 405
        assert list(BuenaPractica.objects.order_by("pk").values_list("pk", "estado")) == antes

    def test_query_count_does_not_grow_with_rows(self, evaluador, municipal, django_assert_num_queries) -> None:
        client = api_client_for(evaluador)
        practica(municipal, INDEPENDENCIA, nombre="P0")
        # 1 token, 2 the page with each comuna.
        with django_assert_num_queries(2):
            assert len(client.get(PRACTICAS).json()["results"]) == 1
        for i in range(1, 20):
            practica(municipal, INDEPENDENCIA if i % 2 else QUILICURA, nombre=f"P{i}")
        with django_assert_num_queries(2):
            assert len(client.get(PRACTICAS).json()["results"]) == 20
        with django_assert_num_queries(2):
            assert len(client.get(PRACTICAS, {"q": "migrante"}).json()["results"]) == 20

"""REST API of cases (``/api/v1/casos/``): scoped exactly like the pages for every persona,
sensitive names and documents masked in lists, the access log on opening, create / transitions /
messages allowed and denied with nothing changed, mass assignment refused, business errors in
the one error format, and constant query counts."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from casos.documentos import digito_verificador
from casos.models import AccesoSensible, Caso, EstadoCaso, Mensaje, Persona, TipoCaso, TransicionCaso
from sello.demo import PDF_MINIMO, pdf
from sello.models import Archivo

from .casos_fixtures import caso, mensaje
from .casos_fixtures import persona as migrante
from .conftest import INDEPENDENCIA, api_client_for, client_for

pytestmark = pytest.mark.django_db

CASOS = "/api/v1/casos/"
RUN = "12.345.678-5"  # check digit computed in test_run_de_ejemplo_es_valido


def detalle(c: Caso) -> str:
    return f"{CASOS}{c.uuid}/"


def transiciones(c: Caso) -> str:
    return f"{CASOS}{c.uuid}/transiciones/"


def mensajes(c: Caso) -> str:
    return f"{CASOS}{c.uuid}/mensajes/"


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


def foto() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        tuple(Caso.objects.order_by("pk").values_list("pk", "estado", "version", "asignado_a_id", "vencido")),
        TransicionCaso.objects.count(),
        Mensaje.objects.count(),
        Persona.objects.count(),
        Archivo.objects.count(),
    )


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """A private MEDIA_ROOT, so "nothing was stored" can be checked on disk."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def casos_rm(municipal, municipal_otra, regional) -> dict[str, Caso]:
    """A draft, a sensitive escalated case and one in management in Independencia; one in Quilicura."""
    gestion = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, descripcion="gestion")
    mensaje(gestion, municipal, "Adjunto antecedentes")
    mensaje(gestion, regional, "Nota interna de prueba", interno=True)
    return {
        "borrador": caso(municipal, descripcion="borrador"),
        "sensible": caso(
            municipal,
            estado=EstadoCaso.DERIVADO,
            tipo=TipoCaso.VIOLENCIA,
            persona_obj=migrante(municipal, nombres="Rosa Elena", apellidos="Paz Soto", numero_documento="X"),
            descripcion="sensible",
        ),
        "gestion": gestion,
        "quilicura": caso(municipal_otra, estado=EstadoCaso.DERIVADO, descripcion="quilicura"),
    }


def test_run_de_ejemplo_es_valido() -> None:
    assert digito_verificador("12345678") == "5"


# --- List ---------------------------------------------------------------------------------


class TestLista:
    @pytest.mark.parametrize(
        ("nombre", "esperados"),
        [
            ("municipal", ["borrador", "gestion", "sensible"]),
            ("municipal_otra", ["quilicura"]),
            ("regional", ["borrador", "gestion", "quilicura", "sensible"]),
            ("regional_otra", []),
            ("nacional", ["borrador", "gestion", "quilicura", "sensible"]),
            ("evaluador", []),
            ("sin_rol", []),
        ],
    )
    def test_it_is_scoped_like_the_pages(self, nombre, esperados, persona, casos_rm) -> None:
        por_uuid = {str(c.uuid): clave for clave, c in casos_rm.items()}
        filas = recorrer(api_client_for(persona(nombre)), CASOS)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperados

    def test_anonymous_gets_401(self, casos_rm) -> None:
        response = APIClient().get(CASOS)
        assert response.status_code == 401
        assert error(response)["code"] == "not_authenticated"

    def test_sensitive_names_and_every_document_are_masked(self, regional, casos_rm) -> None:
        response = api_client_for(regional).get(CASOS)
        filas = {f["folio"]: f for f in response.json()["results"]}
        sensible = filas[casos_rm["sensible"].folio]
        assert sensible["sensible"] is True
        assert sensible["persona"] == {
            "nombre": "R. E. P. S.",
            "tipo_documento": "pasaporte",
            "documento": "•" * (len(casos_rm["sensible"].persona.documento_normalizado) - 3)
            + casos_rm["sensible"].persona.documento_normalizado[-3:],
            "es_nna": False,
        }
        normal = filas[casos_rm["gestion"].folio]
        assert normal["persona"]["nombre"] == "Wislande Joseph"
        assert normal["persona"]["documento"].startswith("•")
        body = response.content.decode()
        for secreto in ("Rosa", "Paz Soto", casos_rm["sensible"].persona.documento_normalizado):
            assert secreto not in body
        # Lists show neither the description nor the conversation (let alone internal notes).
        assert "Nota interna" not in body
        assert "descripcion" not in sensible
        # Listing is not opening: nothing is logged.
        assert AccesoSensible.objects.count() == 0

    def test_it_shows_the_list_columns(self, municipal, regional, casos_rm) -> None:
        fila = next(
            f
            for f in api_client_for(municipal).get(CASOS).json()["results"]
            if f["uuid"] == str(casos_rm["gestion"].uuid)
        )
        assert fila["comuna"] == INDEPENDENCIA
        assert fila["comuna_nombre"] == "Independencia"
        assert fila["region"] == "13"
        assert fila["estado"] == "en_gestion"
        assert fila["estado_label"] == "En gestión"
        assert fila["tipo"] == "regularizacion"
        assert fila["asignado_a"] == regional.get_full_name()
        assert fila["version"] == 1

    def test_it_is_ordered_newest_first_and_paginated_by_cursor(self, nacional, municipal) -> None:
        creados = [caso(municipal, descripcion=f"c{i}") for i in range(5)]
        client = api_client_for(nacional)
        primera = client.get(CASOS, {"page_size": 2}).json()
        assert [f["folio"] for f in primera["results"]] == [creados[4].folio, creados[3].folio]
        assert "cursor=" in primera["next"]
        todos = recorrer(client, CASOS, {"page_size": 2})
        assert [f["folio"] for f in todos] == [c.folio for c in reversed(creados)]

    @pytest.mark.parametrize(
        ("params", "esperados"),
        [
            ({"estado": "borrador"}, ["borrador"]),
            ({"estado": "derivado"}, ["quilicura", "sensible"]),
            ({"tipo": "violencia"}, ["sensible"]),
            ({"prioridad": "media"}, ["borrador", "gestion", "quilicura", "sensible"]),
            ({"prioridad": "urgente"}, []),
            ({"comuna": INDEPENDENCIA}, ["borrador", "gestion", "sensible"]),
            ({"vencido": "true"}, []),
            ({"vencido": "false"}, ["borrador", "gestion", "quilicura", "sensible"]),
        ],
    )
    def test_filters(self, params, esperados, regional, casos_rm) -> None:
        por_uuid = {str(c.uuid): clave for clave, c in casos_rm.items()}
        filas = recorrer(api_client_for(regional), CASOS, params)
        assert sorted(por_uuid[f["uuid"]] for f in filas) == esperados

    def test_overdue_filter_and_search_by_folio(self, regional, municipal) -> None:
        vencido = caso(municipal, estado=EstadoCaso.EN_GESTION, vencido=True)
        otro = caso(municipal, estado=EstadoCaso.EN_GESTION)
        client = api_client_for(regional)
        assert [f["folio"] for f in recorrer(client, CASOS, {"vencido": "true"})] == [vencido.folio]
        assert [f["folio"] for f in recorrer(client, CASOS, {"q": otro.folio[-6:]})] == [otro.folio]

    def test_search_does_not_match_names(self, regional, casos_rm) -> None:
        # A name search would reveal which masked case belongs to whom.
        assert recorrer(api_client_for(regional), CASOS, {"q": "Rosa"}) == []

    @pytest.mark.parametrize(("campo", "valor"), [("estado", "inventado"), ("tipo", "x"), ("prioridad", "0")])
    def test_bad_filter_values_are_a_400(self, campo, valor, regional) -> None:
        response = api_client_for(regional).get(CASOS, {campo: valor})
        assert response.status_code == 400
        assert error(response)["code"] == "invalid"
        assert campo in error(response)["fields"]

    @pytest.mark.parametrize("nombre", ["nacional", "regional", "municipal"])
    def test_query_count_does_not_grow_with_rows(self, nombre, persona, municipal, django_assert_num_queries) -> None:
        client = api_client_for(persona(nombre))
        caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=persona("regional"))
        # 1 the token with its user and municipalidad, 2 the page with comuna, región, persona and
        # assignee. No COUNT(*): cursor pagination.
        with django_assert_num_queries(2):
            assert len(client.get(CASOS).json()["results"]) == 1
        for i in range(29):
            caso(municipal, tipo=TipoCaso.NNA if i % 2 else TipoCaso.CONSULTA, asignado_a=persona("regional"))
        with django_assert_num_queries(2):
            assert len(client.get(CASOS).json()["results"]) == 30


# --- Detail -------------------------------------------------------------------------------


class TestDetalle:
    def test_it_reveals_the_person_and_shows_the_timeline(self, municipal, regional, casos_rm) -> None:
        c = casos_rm["sensible"]
        response = api_client_for(regional).get(detalle(c))
        assert response.status_code == 200
        datos = response.json()
        assert datos["persona"]["nombre"] == "Rosa Elena Paz Soto"
        assert datos["persona"]["nombres"] == "Rosa Elena"
        assert datos["persona"]["documento"] == c.persona.documento_normalizado
        assert datos["persona"]["nacionalidad"] == "HT"
        assert datos["descripcion"] == "sensible"
        assert datos["creado_por"] == municipal.get_full_name()
        assert [(t["accion"], t["desde"], t["hasta"], t["usuario"]) for t in datos["transiciones"]] == [
            ("derivar", "borrador", "derivado", municipal.get_full_name())
        ]
        assert [a["accion"] for a in datos["acciones_disponibles"]] == ["asignar"]

    def test_opening_a_sensitive_case_is_logged(self, regional, nacional, casos_rm) -> None:
        c = casos_rm["sensible"]
        api_client_for(regional).get(detalle(c))
        api_client_for(regional).get(detalle(c))
        api_client_for(nacional).get(detalle(c))
        assert list(AccesoSensible.objects.order_by("pk").values_list("caso", "usuario", "via")) == [
            (c.pk, regional.pk, "api"),
            (c.pk, regional.pk, "api"),
            (c.pk, nacional.pk, "api"),
        ]

    def test_opening_a_normal_case_is_not_logged(self, regional, casos_rm) -> None:
        assert api_client_for(regional).get(detalle(casos_rm["gestion"])).status_code == 200
        assert AccesoSensible.objects.count() == 0

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol"])
    def test_other_territories_and_the_committee_get_404_and_nothing_is_logged(self, nombre, persona, casos_rm) -> None:
        response = api_client_for(persona(nombre)).get(detalle(casos_rm["sensible"]))
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
        assert "Rosa" not in response.content.decode()
        assert AccesoSensible.objects.count() == 0

    def test_a_malformed_uuid_is_a_404(self, nacional) -> None:
        assert api_client_for(nacional).get(f"{CASOS}no-es-uuid/").status_code == 404

    def test_a_script_in_the_description_is_returned_as_data(self, municipal) -> None:
        c = caso(municipal, descripcion="<script>alert(1)</script>")
        response = api_client_for(municipal).get(detalle(c))
        assert response["Content-Type"] == "application/json"
        assert response.json()["descripcion"] == "<script>alert(1)</script>"

    @pytest.mark.parametrize("metodo", ["put", "patch", "delete"])
    def test_it_cannot_be_edited_or_deleted_through_the_api(self, metodo, municipal, casos_rm) -> None:
        antes = foto()
        response = getattr(api_client_for(municipal), metodo)(
            detalle(casos_rm["borrador"]), {"estado": "cerrado"}, format="json"
        )
        assert response.status_code == 405
        assert foto() == antes

    def test_query_count_does_not_grow_with_the_timeline(self, regional, municipal, django_assert_num_queries) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, tipo=TipoCaso.TRATA, asignado_a=regional)
        client = api_client_for(regional)
        # 1 token, 2 the case with comuna, región, persona, assignee and author, 3 its timeline
        # with each user, 4 the access-log row (a sensitive case).
        with django_assert_num_queries(4):
            assert len(client.get(detalle(c)).json()["transiciones"]) == 1
        for _ in range(10):
            TransicionCaso.objects.create(caso=c, desde="en_gestion", hasta="en_gestion", accion="x", usuario=regional)
        with django_assert_num_queries(4):
            assert len(client.get(detalle(c)).json()["transiciones"]) == 11


# --- Create -------------------------------------------------------------------------------


def nuevo(**cambios: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {
        "nombres": "Carlos Andrés",
        "apellidos": "Ramírez Peña",
        "tipo_documento": "run",
        "numero_documento": RUN,
        "nacionalidad": "VE",
        "sexo": "hombre",
        "fecha_nacimiento": "1987-07-02",
        "tipo": "regularizacion",
        "subtipo": "residencia_temporal",
        "prioridad": "alta",
        "canal": "presencial",
        "descripcion": "Necesita orientación para solicitar residencia temporal.",
        "consentimiento": True,
        "consentimiento_fecha": str(timezone.localdate()),
    }
    datos.update(cambios)
    return datos


class TestCrear:
    def test_the_officer_registers_the_person_and_the_draft_case(self, municipal) -> None:
        response = api_client_for(municipal).post(CASOS, nuevo(), format="json")
        assert response.status_code == 201, response.content
        datos = response.json()
        anio = timezone.localdate().year
        assert datos["folio"] == f"{INDEPENDENCIA}-{anio}-000001"
        assert datos["estado"] == "borrador"
        assert datos["comuna"] == INDEPENDENCIA
        assert datos["version"] == 1
        assert datos["sensible"] is False
        assert datos["persona"]["nombre"] == "Carlos Andrés Ramírez Peña"
        assert datos["persona"]["documento"] == "123456785"
        assert datos["posibles_duplicados"] == []
        assert [a["accion"] for a in datos["acciones_disponibles"]] == ["derivar"]
        c = Caso.objects.select_related("persona").get(uuid=datos["uuid"])
        assert (c.creado_por, c.persona.creada_por, c.persona.comuna_id) == (municipal, municipal, INDEPENDENCIA)
        assert c.persona.es_nna is False
        assert c.prioridad == "alta"

    def test_a_child_makes_the_case_sensitive_and_its_opening_is_logged(self, municipal) -> None:
        hoy = timezone.localdate()
        datos = nuevo(fecha_nacimiento=str(hoy.replace(year=hoy.year - 10, day=min(hoy.day, 28))))
        response = api_client_for(municipal).post(CASOS, datos, format="json")
        assert response.status_code == 201
        assert response.json()["sensible"] is True
        assert response.json()["persona"]["es_nna"] is True
        assert AccesoSensible.objects.filter(usuario=municipal, via="api").count() == 1

    def test_it_warns_of_the_same_document_in_its_territory_only(self, municipal, municipal_otra) -> None:
        quilicura = api_client_for(municipal_otra).post(CASOS, nuevo(numero_documento="12345678-5"), format="json")
        assert quilicura.json()["posibles_duplicados"] == []
        primero = api_client_for(municipal).post(CASOS, nuevo(), format="json").json()
        # Quilicura's person is not reported to Independencia's officer.
        assert primero["posibles_duplicados"] == []
        segundo = api_client_for(municipal).post(CASOS, nuevo(numero_documento="123456785"), format="json").json()
        assert segundo["posibles_duplicados"] == [{"uuid": primero["uuid"], "folio": primero["folio"]}]

    @pytest.mark.parametrize("numero", ["12.345.678-4", "12345678", "abc", "1-9"])
    def test_an_invalid_run_is_a_field_error_and_nothing_is_created(self, numero, municipal, casos_rm) -> None:
        antes = foto()
        response = api_client_for(municipal).post(CASOS, nuevo(numero_documento=numero), format="json")
        assert response.status_code == 400
        assert error(response)["code"] == "invalid"
        assert error(response)["fields"]["numero_documento"] == [
            "El RUN no es válido: revise el número y el dígito verificador."
        ]
        assert foto() == antes

    def test_a_refused_case_does_not_keep_the_person(self, municipal) -> None:
        # The person is valid, the case is not (subtype of another type): all or nothing.
        antes = foto()
        response = api_client_for(municipal).post(CASOS, nuevo(subtipo="pareja"), format="json")
        assert response.status_code == 400
        assert error(response) == {"code": "invalid", "message": "El subtipo no corresponde al tipo de caso."}
        assert foto() == antes

    def test_consent_without_date_is_refused(self, municipal) -> None:
        antes = foto()
        response = api_client_for(municipal).post(CASOS, nuevo(consentimiento_fecha=None), format="json")
        assert response.status_code == 400
        assert "consentimiento" in error(response)["message"]
        assert foto() == antes

    @pytest.mark.parametrize(
        "campo", ["estado", "folio", "sensible", "comuna", "version", "asignado_a", "creado_por", "vencido"]
    )
    def test_mass_assignment_is_refused_with_400(self, campo, municipal) -> None:
        antes = foto()
        response = api_client_for(municipal).post(CASOS, nuevo(**{campo: "13125"}), format="json")
        assert response.status_code == 400
        assert error(response)["fields"] == {campo: ["Campo no permitido: no se puede enviar por la API."]}
        assert foto() == antes

    @pytest.mark.parametrize(
        ("nombre", "esperado"),
        [
            ("municipal", 201),
            ("municipal_otra", 201),
            ("regional", 403),
            ("regional_otra", 403),
            ("nacional", 403),
            ("evaluador", 403),
            ("sin_rol", 403),
            ("anonimo", 401),
        ],
    )
    def test_only_municipal_officers_create(self, nombre, esperado, persona) -> None:
        antes = foto()
        response = api_client_for(persona(nombre)).post(CASOS, nuevo(), format="json")
        assert response.status_code == esperado, response.content
        if esperado == 201:
            usuario = persona(nombre)
            assert Caso.objects.get().comuna_id == usuario.municipalidad.comuna_id
        else:
            assert foto() == antes
        if esperado == 403:
            assert error(response) == {
                "code": "permission_denied",
                "message": "Solo los funcionarios municipales registran casos.",
            }

    def test_missing_fields_are_named(self, municipal) -> None:
        response = api_client_for(municipal).post(CASOS, {}, format="json")
        assert response.status_code == 400
        assert set(error(response)["fields"]) == {"nombres", "tipo_documento", "tipo", "descripcion"}


# --- Transitions --------------------------------------------------------------------------


def con_consentimiento(c: Caso) -> Caso:
    c.consentimiento, c.consentimiento_fecha = True, timezone.localdate()
    c.save()
    return c


class TestTransiciones:
    def test_the_whole_escalation_as_both_sides(self, municipal, regional, regional_otra) -> None:
        muni, sermig = api_client_for(municipal), api_client_for(regional)
        creado = muni.post(CASOS, nuevo(descripcion="<script>x</script> urge"), format="json").json()
        c = Caso.objects.get(uuid=creado["uuid"])

        def aplicar(client: APIClient, accion: str, version: int, **extra: Any) -> dict[str, Any]:
            response = client.post(transiciones(c), {"accion": accion, "version": version, **extra}, format="json")
            assert response.status_code == 200, response.content
            datos: dict[str, Any] = response.json()
            return datos

        assert aplicar(muni, "derivar", 1)["estado"] == "derivado"
        assert api_client_for(regional_otra).get(detalle(c)).status_code == 404
        asignado = aplicar(sermig, "asignar", 2, asignado_a="p.regional")
        assert (asignado["estado"], asignado["asignado_a"]) == ("en_gestion", regional.get_full_name())
        aplicar(sermig, "solicitar_informacion", 3, comentario="Falta el pasaporte")
        aplicar(muni, "responder", 4, comentario="Adjuntamos copia")
        aplicar(sermig, "resolver", 5, comentario="Se orientó a la persona")
        final = aplicar(muni, "cerrar", 6)
        assert (final["estado"], final["version"]) == ("cerrado", 7)
        historia = muni.get(detalle(c)).json()["transiciones"]
        assert [(t["accion"], t["comentario"]) for t in historia] == [
            ("derivar", ""),
            ("asignar", ""),
            ("solicitar_informacion", "Falta el pasaporte"),
            ("responder", "Adjuntamos copia"),
            ("resolver", "Se orientó a la persona"),
            ("cerrar", ""),
        ]
        # The information request and its answer are also in the conversation.
        assert [m["texto"] for m in muni.get(mensajes(c)).json()] == ["Falta el pasaporte", "Adjuntamos copia"]

    @pytest.mark.parametrize(
        ("nombre", "esperado", "codigo"),
        [
            ("municipal", 200, None),
            ("municipal_otra", 404, "not_found"),
            ("regional", 403, "permission_denied"),
            ("regional_otra", 404, "not_found"),
            ("nacional", 403, "permission_denied"),
            ("evaluador", 404, "not_found"),
            ("sin_rol", 404, "not_found"),
            ("anonimo", 401, "not_authenticated"),
        ],
    )
    def test_derivar_for_every_persona(self, nombre, esperado, codigo, persona, municipal) -> None:
        c = con_consentimiento(caso(municipal))
        antes = foto()
        response = api_client_for(persona(nombre)).post(
            transiciones(c), {"accion": "derivar", "version": 1}, format="json"
        )
        assert response.status_code == esperado, response.content
        if esperado == 200:
            c.refresh_from_db()
            assert (c.estado, c.version) == ("derivado", 2)
        else:
            assert error(response)["code"] == codigo
            assert foto() == antes

    @pytest.mark.parametrize(
        ("nombre", "esperado"),
        [
            ("municipal", 403),
            ("municipal_otra", 404),
            ("regional", 200),
            ("regional_otra", 404),
            ("nacional", 200),
            ("evaluador", 404),
            ("anonimo", 401),
        ],
    )
    def test_asignar_for_every_persona(self, nombre, esperado, persona, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = foto()
        response = api_client_for(persona(nombre)).post(
            transiciones(c), {"accion": "asignar", "version": 1}, format="json"
        )
        assert response.status_code == esperado, response.content
        if esperado == 200:
            c.refresh_from_db()
            assert (c.estado, c.asignado_a) == ("en_gestion", persona(nombre))
        else:
            assert foto() == antes

    def test_a_stale_version_is_a_409_and_nothing_changes(self, regional, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = foto()
        response = api_client_for(regional).post(transiciones(c), {"accion": "asignar", "version": 7}, format="json")
        assert response.status_code == 409
        assert error(response)["code"] == "conflict"
        assert "Otra persona modificó este caso" in error(response)["message"]
        assert foto() == antes

    def test_an_action_the_state_does_not_allow_is_a_409(self, regional, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = foto()
        response = api_client_for(regional).post(
            transiciones(c), {"accion": "resolver", "version": 1, "comentario": "Listo"}, format="json"
        )
        assert response.status_code == 409
        assert error(response) == {
            "code": "transition_not_allowed",
            "message": "No se puede «Resolver» un caso «Derivado a SERMIG».",
        }
        assert foto() == antes

    def test_derivar_without_consent_is_a_400(self, municipal) -> None:
        c = caso(municipal)
        antes = foto()
        response = api_client_for(municipal).post(transiciones(c), {"accion": "derivar", "version": 1}, format="json")
        assert response.status_code == 400
        assert "consentimiento informado" in error(response)["message"]
        assert foto() == antes

    def test_a_required_comment_is_a_400(self, regional, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        antes = foto()
        response = api_client_for(regional).post(
            transiciones(c), {"accion": "solicitar_informacion", "version": 1, "comentario": "  "}, format="json"
        )
        assert response.status_code == 400
        assert foto() == antes

    @pytest.mark.parametrize(
        ("datos", "campo"),
        [
            ({"accion": "inventada", "version": 1}, "accion"),
            ({"accion": "asignar"}, "version"),
            ({"accion": "asignar", "version": 0}, "version"),
            ({"accion": "asignar", "version": "x"}, "version"),
            ({"accion": "asignar", "version": 1, "estado": "cerrado"}, "estado"),
            ({"accion": "asignar", "version": 1, "plazo": "2030-01-01T00:00:00Z"}, "plazo"),
            ({"accion": "cerrar", "version": 1, "asignado_a": "p.regional"}, "asignado_a"),
        ],
    )
    def test_bad_input_is_a_field_error(self, datos, campo, regional, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = foto()
        response = api_client_for(regional).post(transiciones(c), datos, format="json")
        assert response.status_code == 400
        assert campo in error(response)["fields"]
        assert foto() == antes

    def test_assigning_to_a_colleague(self, regional, municipal) -> None:
        from .factories import UsuarioFactory

        colega = UsuarioFactory.regional("13", username="p.regional.colega")
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        response = api_client_for(regional).post(
            transiciones(c), {"accion": "asignar", "version": 1, "asignado_a": "p.regional.colega"}, format="json"
        )
        assert response.status_code == 200
        c.refresh_from_db()
        assert c.asignado_a == colega
        assert TransicionCaso.objects.filter(caso=c).last().usuario == regional

    @pytest.mark.parametrize("username", ["no.existe", "p.regional.otra", "p.municipal", "p.evaluador"])
    def test_assigning_to_someone_who_cannot_take_the_case_is_a_400(
        self, username, regional, regional_otra, evaluador, municipal
    ) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = foto()
        response = api_client_for(regional).post(
            transiciones(c), {"accion": "asignar", "version": 1, "asignado_a": username}, format="json"
        )
        assert response.status_code == 400
        assert error(response)["fields"] == {
            "asignado_a": ["No hay personal SERMIG activo con ese usuario que pueda tomar el caso."]
        }
        assert foto() == antes

    def test_someone_who_may_not_assign_learns_nothing_about_usernames(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        client = api_client_for(municipal)
        for username in ("no.existe", "p.regional"):
            response = client.post(
                transiciones(c), {"accion": "asignar", "version": 1, "asignado_a": username}, format="json"
            )
            assert (response.status_code, error(response)["code"]) == (403, "permission_denied")


# --- Messages -----------------------------------------------------------------------------


class TestMensajes:
    @pytest.mark.parametrize(
        ("nombre", "esperado", "textos"),
        [
            ("municipal", 200, ["Adjunto antecedentes"]),
            ("municipal_otra", 404, None),
            ("regional", 200, ["Adjunto antecedentes", "Nota interna de prueba"]),
            ("regional_otra", 404, None),
            ("nacional", 200, ["Adjunto antecedentes", "Nota interna de prueba"]),
            ("evaluador", 404, None),
            ("anonimo", 401, None),
        ],
    )
    def test_reading_internal_notes_only_for_sermig(self, nombre, esperado, textos, persona, casos_rm) -> None:
        response = api_client_for(persona(nombre)).get(mensajes(casos_rm["gestion"]))
        assert response.status_code == esperado
        if textos is not None:
            assert [m["texto"] for m in response.json()] == textos
        else:
            assert "Nota interna" not in response.content.decode()

    def test_a_message_shows_its_author_and_attachment(self, municipal, municipal_otra, casos_rm, media) -> None:
        client = api_client_for(municipal)
        response = client.post(
            mensajes(casos_rm["gestion"]),
            {"texto": "Va el pasaporte", "adjunto": pdf("pasaporte.pdf")},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        datos = response.json()
        assert datos["autor"] == municipal.get_full_name()
        assert datos["autor_rol"] == "municipal"
        assert datos["interno"] is False
        assert datos["adjunto"] == {
            "nombre_original": "pasaporte.pdf",
            "tamano": len(PDF_MINIMO),
            "tipo": "application/pdf",
            "url": f"http://testserver/casos/adjuntos/{datos['id']}/",
        }
        # The link is the permission-checked download page, in the browser's session.
        descarga = client_for(municipal).get(datos["adjunto"]["url"])
        assert descarga.status_code == 200
        assert b"".join(descarga.streaming_content) == PDF_MINIMO
        assert client_for(municipal_otra).get(datos["adjunto"]["url"]).status_code == 404
        assert client.get(mensajes(casos_rm["gestion"])).json()[-1]["texto"] == "Va el pasaporte"

    def test_reading_the_conversation_of_a_sensitive_case_is_logged(self, regional, casos_rm) -> None:
        api_client_for(regional).get(mensajes(casos_rm["sensible"]))
        api_client_for(regional).get(mensajes(casos_rm["gestion"]))
        assert list(AccesoSensible.objects.values_list("caso", "via")) == [(casos_rm["sensible"].pk, "api")]

    @pytest.mark.parametrize(
        ("nombre", "esperado"),
        [
            ("municipal", 201),
            ("municipal_otra", 404),
            ("regional", 201),
            ("regional_otra", 404),
            ("nacional", 201),
            ("evaluador", 404),
            ("sin_rol", 404),
            ("anonimo", 401),
        ],
    )
    def test_writing_for_every_persona(self, nombre, esperado, persona, casos_rm) -> None:
        antes = foto()
        response = api_client_for(persona(nombre)).post(
            mensajes(casos_rm["gestion"]), {"texto": "Seguimos"}, format="json"
        )
        assert response.status_code == esperado
        if esperado == 201:
            assert Mensaje.objects.filter(autor=persona(nombre), texto="Seguimos").count() == 1
        else:
            assert foto() == antes

    def test_sermig_writes_internal_notes_the_municipality_does_not_see(self, regional, municipal, casos_rm) -> None:
        response = api_client_for(regional).post(
            mensajes(casos_rm["gestion"]), {"texto": "Revisar antecedentes", "interno": True}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["interno"] is True
        textos = [m["texto"] for m in api_client_for(municipal).get(mensajes(casos_rm["gestion"])).json()]
        assert "Revisar antecedentes" not in textos

    def test_the_municipality_cannot_write_internal_notes(self, municipal, casos_rm) -> None:
        antes = foto()
        response = api_client_for(municipal).post(
            mensajes(casos_rm["gestion"]), {"texto": "Secreto", "interno": "true"}, format="multipart"
        )
        assert response.status_code == 403
        assert error(response) == {
            "code": "permission_denied",
            "message": "Las notas internas son solo para el SERMIG.",
        }
        assert foto() == antes

    def test_a_closed_case_takes_no_messages(self, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.CERRADO)
        antes = foto()
        response = api_client_for(municipal).post(mensajes(c), {"texto": "Hola"}, format="json")
        assert response.status_code == 409
        assert error(response)["code"] == "transition_not_allowed"
        assert foto() == antes

    @pytest.mark.parametrize(
        ("nombre", "contenido"),
        [
            ("falso.pdf", b"<html><script>alert(1)</script></html>"),
            ("vacio.pdf", b""),
            ("poliglota.pdf", b"%PDF-1.4 <script>alert(1)</script>"),
            ("programa.exe", b"MZ\x90\x00"),
        ],
    )
    def test_a_hostile_attachment_is_refused_and_nothing_is_stored(
        self, nombre, contenido, municipal, casos_rm, media
    ) -> None:
        antes = foto()
        response = api_client_for(municipal).post(
            mensajes(casos_rm["gestion"]),
            {"texto": "Ver adjunto", "adjunto": SimpleUploadedFile(nombre, contenido, "application/pdf")},
            format="multipart",
        )
        assert response.status_code == 400
        assert error(response)["code"] == "invalid_file"
        assert foto() == antes
        assert [p for p in media.rglob("*") if p.is_file()] == []

    @pytest.mark.parametrize("campo", ["autor", "caso", "creado_en"])
    def test_mass_assignment_is_refused(self, campo, municipal, casos_rm) -> None:
        antes = foto()
        response = api_client_for(municipal).post(
            mensajes(casos_rm["gestion"]), {"texto": "Hola", campo: "1"}, format="json"
        )
        assert response.status_code == 400
        assert list(error(response)["fields"]) == [campo]
        assert foto() == antes

    def test_an_empty_message_is_a_400(self, municipal, casos_rm) -> None:
        response = api_client_for(municipal).post(mensajes(casos_rm["gestion"]), {"texto": ""}, format="json")
        assert response.status_code == 400
        assert "texto" in error(response)["fields"]

    def test_query_count_does_not_grow_with_messages(
        self, regional, municipal, casos_rm, django_assert_num_queries
    ) -> None:
        client = api_client_for(regional)
        c = casos_rm["gestion"]
        # 1 token, 2 the case, 3 the messages with author and attachment.
        with django_assert_num_queries(3):
            assert len(client.get(mensajes(c)).json()) == 2
        for i in range(10):
            mensaje(c, municipal if i % 2 else regional, f"m{i}", interno=bool(i % 3))
        with django_assert_num_queries(3):
            assert len(client.get(mensajes(c)).json()) == 12

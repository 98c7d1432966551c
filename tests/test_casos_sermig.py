"""SERMIG case pages: the regional queue (ordering, masking, filters, pagination, query counts),
the bulk assignment (all or nothing, scoped, every persona), the national access log of
sensitive cases, and the cases' admin (scoped, read-only, masked, logged)."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casos.models import AccesoSensible, Caso, EstadoCaso, PlazoRespuesta, TipoCaso, TransicionCaso

from .casos_fixtures import caso as nuevo_caso
from .casos_fixtures import mensaje
from .casos_fixtures import persona as nueva_persona
from .conftest import PERSONAS, client_for
from .factories import UsuarioFactory

pytestmark = pytest.mark.django_db

COLA = "/casos/cola/"
ASIGNAR = "/casos/cola/asignar/"
ACCESOS = "/casos/accesos/"


def folios(response: Any) -> list[str]:
    return [fila.caso.folio for fila in response.context["filas"]]


def estado_de(casos: list[Caso]) -> list[tuple[str, int | None, int]]:
    """What an assignment changes: state, assignee and version of each case."""
    return [tuple(Caso.objects.filter(pk=c.pk).values_list("estado", "asignado_a", "version").get()) for c in casos]


@pytest.fixture
def regional_rm_2(db: None) -> Any:
    """A second member of the Región Metropolitana team."""
    return UsuarioFactory.regional("13", username="p.regional.dos", first_name="Berta", last_name="Soto")


# --- The queue: who gets in -----------------------------------------------------------------


ESPERADO_COLA = {
    "anonimo": 302,
    "municipal": 403,
    "municipal_otra": 403,
    "regional": 200,
    "regional_otra": 200,
    "nacional": 200,
    "evaluador": 403,  # the Comité Evaluador sees no cases
}


@pytest.mark.parametrize("nombre", PERSONAS)
def test_queue_access_by_persona(nombre, persona, municipal, municipal_otra, regional_otra, evaluador) -> None:
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    response = client_for(persona(nombre)).get(COLA)
    assert response.status_code == ESPERADO_COLA[nombre]
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_queue_is_scoped_to_the_region(municipal, municipal_otra, municipal_valparaiso, regional, regional_otra):
    independencia = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    quilicura = nuevo_caso(municipal_otra, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
    valparaiso = nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO)
    assert sorted(folios(client_for(regional).get(COLA))) == sorted([independencia.folio, quilicura.folio])
    body = client_for(regional_otra).get(COLA).content.decode()
    assert valparaiso.folio in body
    assert independencia.folio not in body
    assert quilicura.folio not in body


def test_queue_has_only_open_escalated_cases(municipal, regional) -> None:
    abiertos = [nuevo_caso(municipal, estado=e) for e in (EstadoCaso.DERIVADO, EstadoCaso.REQUIERE_INFORMACION)]
    cerrados = [nuevo_caso(municipal, estado=e) for e in (EstadoCaso.BORRADOR, EstadoCaso.RESUELTO, EstadoCaso.CERRADO)]
    mostrados = folios(client_for(regional).get(COLA))
    assert sorted(mostrados) == sorted(c.folio for c in abiertos)
    assert not set(mostrados) & {c.folio for c in cerrados}


def test_nacional_sees_every_region(municipal, municipal_valparaiso, nacional) -> None:
    casos = [nuevo_caso(municipal, estado=EstadoCaso.DERIVADO), nuevo_caso(municipal_valparaiso, estado="derivado")]
    assert sorted(folios(client_for(nacional).get(COLA))) == sorted(c.folio for c in casos)


def test_queue_order_unassigned_first_then_overdue_then_deadline(municipal, regional) -> None:
    ahora = timezone.now()
    asignado_a_tiempo = nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
    asignado_vencido = nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, vencido=True)
    libre_tarde = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    libre_pronto = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    libre_vencido = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, vencido=True)
    Caso.objects.filter(pk=libre_tarde.pk).update(plazo=ahora + timedelta(days=9))
    Caso.objects.filter(pk=libre_pronto.pk).update(plazo=ahora + timedelta(days=1))

    response = client_for(regional).get(COLA)

    assert folios(response) == [
        libre_vencido.folio,
        libre_pronto.folio,
        libre_tarde.folio,
        asignado_vencido.folio,
        asignado_a_tiempo.folio,
    ]
    assert [fila.vencido for fila in response.context["filas"]] == [True, False, False, True, False]
    assert response.content.decode().count("Vencido</strong>") == 2


def test_past_deadline_is_labelled_overdue_before_the_periodic_task_runs(municipal, regional) -> None:
    c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    Caso.objects.filter(pk=c.pk).update(plazo=timezone.now() - timedelta(minutes=5))
    response = client_for(regional).get(COLA)
    assert [fila.vencido for fila in response.context["filas"]] == [True]


def test_sensitive_names_are_masked_in_the_queue(municipal, regional) -> None:
    victima = nueva_persona(municipal, nombres="Rosa Elena", apellidos="Pérez Díaz")
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA, persona_obj=victima)
    comun = nueva_persona(municipal, nombres="Jean", apellidos="Baptiste")
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=comun)

    body = client_for(regional).get(COLA).content.decode()

    assert "R. E. P. D." in body
    assert "Rosa" not in body
    assert "Pérez" not in body
    assert "Jean Baptiste" in body
    assert victima.documento_normalizado not in body


def test_queue_filters(municipal, regional) -> None:
    violencia = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA)
    vencido = nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, vencido=True)
    client = client_for(regional)
    assert folios(client.get(COLA, {"tipo": "violencia"})) == [violencia.folio]
    assert folios(client.get(COLA, {"vencido": "true"})) == [vencido.folio]
    assert folios(client.get(COLA, {"q": violencia.folio})) == [violencia.folio]
    assert folios(client.get(COLA, {"estado": "en_gestion"})) == [vencido.folio]


def test_queue_is_paginated_keeping_the_filters(municipal, regional) -> None:
    for _ in range(30):
        nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
    client = client_for(regional)
    primera = client.get(COLA, {"estado": "derivado"})
    assert len(folios(primera)) == 25
    assert 'href="?estado=derivado&amp;page=2"' in primera.content.decode()
    segunda = client.get(COLA, {"estado": "derivado", "page": "2"})
    assert len(folios(segunda)) == 5
    assert not set(folios(primera)) & set(folios(segunda))


def test_queue_escapes_what_it_shows(municipal, regional) -> None:
    hostil = nueva_persona(municipal, nombres="<script>alert(1)</script>", apellidos="X")
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=hostil)
    body = client_for(regional).get(COLA).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("nombre", ["regional", "nacional"])
def test_queue_query_count_does_not_grow(nombre, persona, municipal, regional, nacional, django_assert_num_queries):
    client = client_for(persona(nombre))
    nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA)
    # 1 session, 2 user, 3 count of the queue, 4 the page of cases (comuna, región, person and
    # assignee joined), 5 the people cases can be assigned to (the select), 6 unread
    # notifications (the nav's badge).
    with django_assert_num_queries(6):
        response = client.get(COLA)
    assert len(response.context["filas"]) == 1
    for _ in range(29):
        nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
    with django_assert_num_queries(6):
        response = client.get(COLA)
    assert len(response.context["filas"]) == 25


def test_queue_assignee_choices(regional, regional_otra, nacional, regional_rm_2) -> None:
    inactivo = UsuarioFactory.regional("13", username="p.regional.inactivo", is_active=False)
    opciones = set(client_for(regional).get(COLA).context["form"].fields["asignado_a"].queryset)
    assert opciones == {regional, regional_rm_2}
    assert inactivo not in opciones
    opciones_nacional = set(client_for(nacional).get(COLA).context["form"].fields["asignado_a"].queryset)
    assert opciones_nacional == {regional, regional_rm_2, regional_otra, nacional}


# --- Bulk assignment ------------------------------------------------------------------------


class TestAsignar:
    def test_it_assigns_every_checked_case(self, municipal, municipal_otra, regional, regional_rm_2) -> None:
        derivado = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        de_quilicura = nuevo_caso(municipal_otra, estado=EstadoCaso.DERIVADO)
        en_gestion = nuevo_caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        no_marcado = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)

        client = client_for(regional)
        response = client.post(
            f"{ASIGNAR}?tipo=regularizacion",
            {
                "casos": [str(derivado.uuid), str(de_quilicura.uuid), str(en_gestion.uuid)],
                "asignado_a": regional_rm_2.pk,
            },
        )

        assert response.status_code == 302
        assert response["Location"] == f"{COLA}?tipo=regularizacion"
        for c in (derivado, de_quilicura, en_gestion):
            c.refresh_from_db()
            assert c.asignado_a == regional_rm_2
        assert derivado.estado == de_quilicura.estado == EstadoCaso.EN_GESTION
        assert en_gestion.estado == EstadoCaso.EN_GESTION
        assert TransicionCaso.objects.filter(caso=derivado, accion="asignar", usuario=regional).exists()
        assert TransicionCaso.objects.filter(caso=en_gestion, accion="reasignar", usuario=regional).exists()
        no_marcado.refresh_from_db()
        assert no_marcado.asignado_a is None
        assert no_marcado.estado == EstadoCaso.DERIVADO
        mensajes = [str(m) for m in client.get(COLA).context["messages"]]
        assert mensajes == ["Casos asignados a Berta Soto: 3."]

    def test_nacional_assigns_in_any_region(self, municipal_valparaiso, nacional, regional_otra) -> None:
        c = nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO)
        response = client_for(nacional).post(ASIGNAR, {"casos": [str(c.uuid)], "asignado_a": regional_otra.pk})
        assert response.status_code == 302
        c.refresh_from_db()
        assert c.asignado_a == regional_otra

    def test_a_case_of_another_region_fails_the_whole_request(
        self, municipal, municipal_valparaiso, regional, regional_rm_2
    ) -> None:
        propios = [nuevo_caso(municipal, estado=EstadoCaso.DERIVADO) for _ in range(2)]
        ajeno = nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO)
        antes = estado_de([*propios, ajeno])

        response = client_for(regional).post(
            ASIGNAR, {"casos": [str(c.uuid) for c in [*propios, ajeno]], "asignado_a": regional_rm_2.pk}
        )

        assert response.status_code == 404
        assert ajeno.folio not in response.content.decode()
        assert estado_de([*propios, ajeno]) == antes
        assert not TransicionCaso.objects.filter(accion="asignar").exists()

    def test_a_foreign_case_is_a_404_even_with_other_errors(self, municipal, regional, regional_otra) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        # The assignee is not valid for Valparaíso's team either: the foreign case wins.
        response = client_for(regional_otra).post(ASIGNAR, {"casos": [str(c.uuid)], "asignado_a": regional.pk})
        assert response.status_code == 404
        assert c.folio not in response.content.decode()
        assert estado_de([c]) == [(EstadoCaso.DERIVADO, None, 1)]

    def test_an_unknown_uuid_is_a_404(self, municipal, regional) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(regional).post(
            ASIGNAR, {"casos": [str(c.uuid), "00000000-0000-4000-8000-000000000000"], "asignado_a": regional.pk}
        )
        assert response.status_code == 404
        assert estado_de([c]) == [(EstadoCaso.DERIVADO, None, 1)]

    def test_a_regional_of_another_region_is_refused_clearly(self, municipal, regional, regional_otra) -> None:
        casos = [nuevo_caso(municipal, estado=EstadoCaso.DERIVADO) for _ in range(2)]
        antes = estado_de(casos)

        response = client_for(regional).post(
            ASIGNAR, {"casos": [str(c.uuid) for c in casos], "asignado_a": regional_otra.pk}
        )

        assert response.status_code == 400
        assert "La persona seleccionada no puede recibir casos de su cola" in response.content.decode()
        assert estado_de(casos) == antes
        # The queue is shown again with the checked cases still checked.
        assert all(fila.seleccionado for fila in response.context["filas"])

    def test_nacional_assigning_outside_the_case_region_assigns_none(
        self, municipal, municipal_valparaiso, nacional, regional
    ) -> None:
        # The first case (RM) could be assigned to the RM regional, the second (Valparaíso)
        # cannot: all or nothing.
        # Cases are processed newest first: the RM case is assigned, then Valparaíso's fails.
        casos = [nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO), nuevo_caso(municipal, estado="derivado")]
        antes = estado_de(casos)

        response = client_for(nacional).post(
            ASIGNAR, {"casos": [str(c.uuid) for c in casos], "asignado_a": regional.pk}
        )

        assert response.status_code == 400
        assert "La persona asignada no pertenece a la dirección regional del caso." in response.content.decode()
        assert estado_de(casos) == antes
        assert not TransicionCaso.objects.filter(accion__in=["asignar", "reasignar"]).exists()

    def test_a_case_that_cannot_be_assigned_assigns_none(self, municipal, regional) -> None:
        borrador = nuevo_caso(municipal)
        derivado = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)  # newest: assigned first
        antes = estado_de([derivado, borrador])
        response = client_for(regional).post(
            ASIGNAR, {"casos": [str(derivado.uuid), str(borrador.uuid)], "asignado_a": regional.pk}
        )
        assert response.status_code == 409
        assert "Solo se reasignan casos abiertos." in response.content.decode()
        assert estado_de([derivado, borrador]) == antes

    @pytest.mark.parametrize(
        ("datos", "error"),
        [
            ({}, "Seleccione al menos un caso de la cola."),
            ({"casos": ["no-es-un-uuid"]}, "La selección de casos no es válida."),
        ],
    )
    def test_bad_input_is_a_400(self, datos, error, municipal, regional) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(regional).post(ASIGNAR, {"asignado_a": regional.pk, **datos})
        assert response.status_code == 400
        assert error in response.content.decode()
        assert estado_de([c]) == [(EstadoCaso.DERIVADO, None, 1)]

    def test_missing_assignee_is_a_400(self, municipal, regional) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(regional).post(ASIGNAR, {"casos": [str(c.uuid)]})
        assert response.status_code == 400
        assert estado_de([c]) == [(EstadoCaso.DERIVADO, None, 1)]

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 403),
            ("municipal_otra", 403),
            ("evaluador", 403),
            ("regional_otra", 404),
        ],
    )
    def test_others_are_denied_and_nothing_changes(
        self, nombre, status, persona, municipal, municipal_otra, regional, regional_otra, evaluador
    ) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        asignado = regional_otra if nombre == "regional_otra" else regional
        response = client_for(persona(nombre)).post(ASIGNAR, {"casos": [str(c.uuid)], "asignado_a": asignado.pk})
        assert response.status_code == status
        assert estado_de([c]) == [(EstadoCaso.DERIVADO, None, 1)]
        assert not TransicionCaso.objects.filter(caso=c, accion="asignar").exists()

    def test_get_is_not_allowed(self, regional) -> None:
        assert client_for(regional).get(ASIGNAR).status_code == 405


# --- Access log of sensitive cases ----------------------------------------------------------


ESPERADO_ACCESOS = {
    "anonimo": 302,
    "municipal": 403,
    "municipal_otra": 403,
    "regional": 403,
    "regional_otra": 403,
    "nacional": 200,
    "evaluador": 403,
}


@pytest.fixture
def accesos(municipal, regional, nacional) -> list[AccesoSensible]:
    sensible = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
    otro = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.NNA)
    return [
        AccesoSensible.objects.create(caso=sensible, usuario=regional, via="web"),
        AccesoSensible.objects.create(caso=otro, usuario=nacional, via="api"),
    ]


@pytest.mark.parametrize("nombre", PERSONAS)
def test_access_log_is_for_national_staff_only(nombre, persona, accesos, municipal_otra, regional_otra, evaluador):
    response = client_for(persona(nombre)).get(ACCESOS)
    assert response.status_code == ESPERADO_ACCESOS[nombre]
    if response.status_code != 200:
        assert accesos[0].caso.folio not in response.content.decode()


def test_access_log_shows_who_when_which_and_how(accesos, nacional) -> None:
    response = client_for(nacional).get(ACCESOS)
    body = response.content.decode()
    assert [a.pk for a in response.context["page"]] == [accesos[1].pk, accesos[0].pk]  # newest first
    assert accesos[0].caso.folio in body
    assert "p.regional" in body
    assert "web" in body
    assert accesos[1].caso.folio in body
    assert "api" in body


def test_access_log_filters(accesos, nacional) -> None:
    client = client_for(nacional)
    por_folio = client.get(ACCESOS, {"folio": accesos[0].caso.folio})
    assert [a.pk for a in por_folio.context["page"]] == [accesos[0].pk]
    por_usuario = client.get(ACCESOS, {"usuario": "p.nacional"})
    assert [a.pk for a in por_usuario.context["page"]] == [accesos[1].pk]
    assert client.get(ACCESOS, {"folio": "x" * 21}).status_code == 400


def test_access_log_query_count_does_not_grow(accesos, nacional, regional, django_assert_num_queries) -> None:
    client = client_for(nacional)
    # 1 session, 2 user, 3 count, 4 the page of accesses (case and user joined), 5 unread
    # notifications (the nav's badge).
    with django_assert_num_queries(5):
        client.get(ACCESOS)
    caso = accesos[0].caso
    AccesoSensible.objects.bulk_create(AccesoSensible(caso=caso, usuario=regional) for _ in range(40))
    with django_assert_num_queries(5):
        response = client.get(ACCESOS)
    assert len(response.context["page"]) == 25


# --- Navigation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("nombre", "ve"), [("regional", True), ("nacional", True), ("municipal", False)])
def test_queue_link_in_the_navigation(nombre, ve, persona, municipal, regional, nacional) -> None:
    body = client_for(persona(nombre)).get(reverse("password_change")).content.decode()
    assert (f'href="{COLA}"' in body) is ve


# --- Admin ----------------------------------------------------------------------------------


class TestCasoAdmin:
    def test_changelist_is_scoped_and_masks_sensitive_names(self, municipal, municipal_valparaiso, regional) -> None:
        victima = nueva_persona(municipal, nombres="Rosa", apellidos="Pérez")
        sensible = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA, persona_obj=victima)
        ajeno = nuevo_caso(municipal_valparaiso, estado=EstadoCaso.DERIVADO)

        response = client_for(regional).get("/admin/casos/caso/")

        body = response.content.decode()
        assert response.context["cl"].result_count == 1
        assert sensible.folio in body
        assert "R. P." in body
        assert "Rosa" not in body
        assert "Pérez" not in body
        assert ajeno.folio not in body

    def test_search_by_folio(self, municipal, nacional) -> None:
        buscado = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(nacional).get("/admin/casos/caso/", {"q": buscado.folio})
        assert response.context["cl"].result_count == 1

    def test_changelist_query_count_does_not_grow(self, municipal, nacional, django_assert_num_queries) -> None:
        client = client_for(nacional)
        nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        # 1 session, 2 user, 3 regiones (the región filter), 4-5 filtered and total counts,
        # 6-7 Django's permission tables (the admin's generic checks), 8 the page of cases
        # (comuna, región, person and assignee joined).
        with django_assert_num_queries(8):
            client.get("/admin/casos/caso/")
        for _ in range(30):
            nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.NNA)
        with django_assert_num_queries(8):
            response = client.get("/admin/casos/caso/")
        assert response.context["cl"].result_count == 31

    def test_opening_a_sensitive_case_is_logged_and_shows_internal_notes(self, municipal, regional) -> None:
        victima = nueva_persona(municipal, nombres="Rosa", apellidos="Pérez")
        c = nuevo_caso(
            municipal, estado=EstadoCaso.EN_GESTION, tipo=TipoCaso.TRATA, asignado_a=regional, persona_obj=victima
        )
        mensaje(c, regional, "Nota interna reservada", interno=True)

        response = client_for(regional).get(f"/admin/casos/caso/{c.pk}/change/")

        body = response.content.decode()
        assert response.status_code == 200
        assert "Nota interna reservada" in body
        assert "R. P." in body
        assert "Rosa" not in body
        assert victima.documento_normalizado not in body
        acceso = AccesoSensible.objects.get(caso=c)
        assert (acceso.usuario, acceso.via) == (regional, "admin")

    def test_opening_a_common_case_is_not_logged(self, municipal, regional) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        assert client_for(regional).get(f"/admin/casos/caso/{c.pk}/change/").status_code == 200
        assert not AccesoSensible.objects.exists()

    @pytest.mark.parametrize("nombre", ["regional", "nacional", "regional_otra", "evaluador"])
    def test_nobody_edits_a_case_in_the_admin(
        self, nombre, persona, municipal, regional, regional_otra, nacional, evaluador
    ):
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(persona(nombre)).post(
            f"/admin/casos/caso/{c.pk}/change/", {"estado": "cerrado", "descripcion": "cambiada"}
        )
        assert response.status_code in (302, 403)
        assert Caso.objects.filter(pk=c.pk, estado=EstadoCaso.DERIVADO, version=1).exists()
        assert Caso.objects.get(pk=c.pk).descripcion != "cambiada"
        assert not AccesoSensible.objects.exists()

    def test_other_region_and_evaluador_get_no_content(self, municipal, regional_otra, evaluador) -> None:
        c = nuevo_caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA)
        assert client_for(regional_otra).get(f"/admin/casos/caso/{c.pk}/change/").status_code == 302
        assert client_for(evaluador).get(f"/admin/casos/caso/{c.pk}/change/").status_code == 403
        assert client_for(evaluador).get("/admin/casos/caso/").status_code == 403
        assert not AccesoSensible.objects.exists()


class TestPlazoRespuestaAdmin:
    def url(self) -> str:
        return f"/admin/casos/plazorespuesta/{self.plazo().pk}/change/"

    def plazo(self) -> PlazoRespuesta:
        return PlazoRespuesta.objects.get(tipo="nna", prioridad="urgente")

    def test_nacional_edits_the_hours_with_history(self, nacional) -> None:
        response = client_for(nacional).post(self.url(), {"horas": "8"})
        assert response.status_code == 302
        plazo = self.plazo()
        assert plazo.horas == 8
        assert plazo.history.latest().history_user == nacional

    @pytest.mark.parametrize("horas", ["0", "-1", "abc", str(24 * 90 + 1)])
    def test_bad_hours_are_refused(self, horas, nacional) -> None:
        response = client_for(nacional).post(self.url(), {"horas": horas})
        assert response.status_code == 200  # the admin shows the form again with its error
        assert response.context["adminform"].form.errors
        assert self.plazo().horas == 12

    @pytest.mark.parametrize("nombre", ["regional", "regional_otra", "evaluador", "municipal"])
    def test_others_cannot_edit(self, nombre, persona, regional, regional_otra, evaluador, municipal) -> None:
        response = client_for(persona(nombre)).post(self.url(), {"horas": "1"})
        assert response.status_code in (302, 403)
        assert self.plazo().horas == 12

    def test_regional_reads_but_cannot_revert_through_the_history(self, nacional, regional) -> None:
        client_for(nacional).post(self.url(), {"horas": "8"})
        client_for(nacional).post(self.url(), {"horas": "6"})
        primera = self.plazo().history.earliest()
        url = f"/admin/casos/plazorespuesta/{self.plazo().pk}/history/{primera.pk}/"
        assert client_for(regional).get(self.url()).status_code == 200
        assert client_for(regional).post(url, {"horas": "8"}).status_code == 403
        assert self.plazo().horas == 6


def test_access_log_admin_is_national_only(accesos, regional, nacional) -> None:
    assert client_for(regional).get("/admin/casos/accesosensible/").status_code == 403
    response = client_for(nacional).get("/admin/casos/accesosensible/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert (
        client_for(nacional).post(f"/admin/casos/accesosensible/{accesos[0].pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccesoSensible.objects.count() == 2


def test_persona_is_not_in_the_admin(nacional) -> None:
    # Minimum necessary: people are only seen through their case (masked), never listed.
    assert client_for(nacional).get("/admin/casos/persona/").status_code == 404

"""The case pages shared by the municipality and SERMIG: "Mis casos", registration, the case file
with its timeline, actions and conversation, draft edition and attachment download.

Every page x every persona (allowed, denied and nothing changed; the Comité Evaluador sees no
case: 404), the escalation walked through the pages as a new user would, masking of sensitive
names and the access log, internal notes, hostile uploads, stale edits, escaping, and query
counts that do not grow with the cases."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casos.models import AccesoSensible, Caso, EstadoCaso, Mensaje, Persona, TipoCaso, TransicionCaso
from sello.demo import PDF_MINIMO
from sello.models import Archivo

from .casos_fixtures import caso, mensaje, persona
from .conftest import PERSONAS, client_for
from .factories import UsuarioFactory
from .sello_fixtures import archivo_pdf

pytestmark = pytest.mark.django_db

CONFLICTO = "Otra persona modificó este caso mientras usted lo editaba"
RUN_VALIDO = "12.345.678-5"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def archivos_guardados(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def como(persona_: Callable[[str], Any], nombre: str) -> Client:
    return client_for(persona_(nombre))


def url_de(c: Caso, suffix: str = "") -> str:
    return reverse("casos:detalle", kwargs={"uuid": c.uuid}) + suffix


def estado_de_todo() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        tuple(
            Caso.objects.order_by("pk").values_list(
                "pk", "estado", "version", "asignado_a_id", "descripcion", "consentimiento", "tipo"
            )
        ),
        tuple(TransicionCaso.objects.order_by("pk").values_list("pk", "accion")),
        tuple(Mensaje.objects.order_by("pk").values_list("pk", "texto", "interno")),
        Persona.objects.count(),
        Archivo.objects.count(),
    )


def acciones_en(body: str) -> list[str]:
    """The transitions of the timeline, in the order the page shows them."""
    return re.findall(r'class="evento evento-transicion" data-accion="(\w+)"', body)


def al_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def datos_nuevo(**extra: Any) -> dict[str, Any]:
    datos = {
        "nombres": "Wislande",
        "apellidos": "Joseph Pierre",
        "tipo_documento": "run",
        "numero_documento": RUN_VALIDO,
        "nacionalidad": "HT",
        "sexo": "mujer",
        "fecha_nacimiento": "1990-04-02",
        "tramo_edad": "desconocido",
        "telefono": "+56 9 1234 5678",
        "email": "",
        "tipo": "regularizacion",
        "subtipo": "regularizacion:residencia_temporal",
        "prioridad": "media",
        "canal": "presencial",
        "descripcion": "Necesita orientación para su residencia temporal.",
        "consentimiento": "on",
        "consentimiento_fecha": timezone.localdate().isoformat(),
        "numero_solicitud_sermig": "",
    }
    datos.update(extra)
    return {k: v for k, v in datos.items() if v is not None}


def datos_edicion(c: Caso, **extra: Any) -> dict[str, Any]:
    datos = {
        "tipo": c.tipo,
        "subtipo": f"{c.tipo}:{c.subtipo}" if c.subtipo else "",
        "prioridad": c.prioridad,
        "canal": c.canal,
        "descripcion": c.descripcion,
        "consentimiento_fecha": c.consentimiento_fecha.isoformat() if c.consentimiento_fecha else "",
        "numero_solicitud_sermig": c.numero_solicitud_sermig,
        "version": c.version,
    }
    if c.consentimiento:
        datos["consentimiento"] = "on"
    datos.update(extra)
    return {k: v for k, v in datos.items() if v is not None}


def accion(client: Client, c: Caso, nombre: str, comentario: str = "", **extra: Any) -> Any:
    c.refresh_from_db()
    datos = {"accion": nombre, "version": c.version, "comentario": comentario, **extra}
    return client.post(url_de(c, "accion/"), datos)


# --- The list ---------------------------------------------------------------------------------
class TestLista:
    def test_it_lists_the_comuna_cases_with_sensitive_names_masked(self, municipal, municipal_otra, regional) -> None:
        normal = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        sensible = caso(
            municipal,
            estado=EstadoCaso.DERIVADO,
            tipo=TipoCaso.VIOLENCIA,
            vencido=True,
            persona_obj=persona(municipal, nombres="María José", apellidos="Rojas"),
        )
        otra = caso(municipal_otra, estado=EstadoCaso.DERIVADO)
        response = client_for(municipal).get(reverse("casos:lista"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Mis casos" in body
        assert [f.caso.folio for f in response.context["filas"]] == [sensible.folio, normal.folio]
        assert otra.folio not in body
        assert "Wislande Joseph" in body  # not sensitive: the full name
        assert "M. J. R." in body  # sensitive: initials only
        assert "María José" not in body
        assert "Rojas" not in body
        # Overdue said in words, not only with colour; the assignee; the export links.
        assert [f.vencido for f in response.context["filas"]] == [True, False]
        assert "Vencido" in body
        assert regional.get_full_name() in body
        assert "Sin asignar" in body
        assert reverse("casos:nuevo") in body
        assert reverse("casos:exportar_csv") in body

    @pytest.mark.parametrize(
        ("nombre", "status", "ve"),
        [
            ("anonimo", 302, None),
            ("municipal", 200, {"independencia"}),
            ("municipal_otra", 200, {"quilicura"}),
            ("regional", 200, {"independencia", "quilicura"}),
            ("regional_otra", 200, set()),
            ("nacional", 200, {"independencia", "quilicura"}),
            ("evaluador", 404, None),
        ],
    )
    def test_every_persona_sees_its_territory(self, nombre, status, ve, persona, municipal, municipal_otra) -> None:
        casos = {
            "independencia": caso(municipal, estado=EstadoCaso.DERIVADO),
            "quilicura": caso(municipal_otra, estado=EstadoCaso.DERIVADO),
        }
        response = como(persona, nombre).get(reverse("casos:lista"))
        assert response.status_code == status
        if status == 302:
            assert al_login(response)
        body = response.content.decode()
        for clave, c in casos.items():
            assert (c.folio in body) == (ve is not None and clave in ve)

    def test_filters(self, municipal, regional) -> None:
        borrador = caso(municipal)
        derivado = caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.REFUGIO)
        vencido = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, vencido=True)
        Caso.objects.filter(pk=derivado.pk).update(prioridad="urgente", numero_solicitud_sermig="SOL-777")
        client = client_for(municipal)
        url = reverse("casos:lista")

        def folios(**query: str) -> list[str]:
            response = client.get(url, query)
            assert response.status_code == 200
            return [f.caso.folio for f in response.context["filas"]]

        assert folios(estado="borrador") == [borrador.folio]
        assert folios(tipo="refugio") == [derivado.folio]
        assert folios(prioridad="urgente") == [derivado.folio]
        assert folios(vencido="true") == [vencido.folio]
        assert folios(q="SOL-777") == [derivado.folio]
        assert folios(q=vencido.folio[-6:]) == [vencido.folio]
        assert "comuna" not in client.get(url).context["filtro"].form.fields  # its own comuna only

    def test_query_count_does_not_grow_with_cases(self, municipal, regional, django_assert_num_queries) -> None:
        caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        client = client_for(municipal)
        url = reverse("casos:lista")
        # 1 session, 2 user (with its municipalidad: the scope), 3 count, 4 the page of cases
        # (comuna, región, person and assignee joined), 5 unread notifications (nav).
        with django_assert_num_queries(5):
            response = client.get(url)
        assert len(response.context["filas"]) == 1
        for n in range(30):
            caso(
                municipal,
                estado=EstadoCaso.EN_GESTION if n % 2 else EstadoCaso.DERIVADO,
                tipo=TipoCaso.VIOLENCIA if n % 3 else TipoCaso.CONSULTA,
                asignado_a=regional if n % 2 else None,
                vencido=n % 4 == 0,
            )
        with django_assert_num_queries(5):
            response = client.get(url)
        assert len(response.context["filas"]) == 25

    def test_query_count_for_regional_staff(self, municipal, regional, django_assert_num_queries) -> None:
        client = client_for(regional)
        url = reverse("casos:lista")
        caso(municipal, estado=EstadoCaso.DERIVADO)
        # 1 session, 2 user (with its región: the scope), 3 count, 4 the page, 5 notifications.
        with django_assert_num_queries(5):
            client.get(url)
        for _ in range(10):
            caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
        with django_assert_num_queries(5):
            response = client.get(url)
        assert len(response.context["filas"]) == 11


# --- Registration -----------------------------------------------------------------------------
class TestNuevo:
    def test_it_registers_the_person_and_the_case(self, municipal) -> None:
        client = client_for(municipal)
        form = client.get(reverse("casos:nuevo"))
        assert form.status_code == 200
        body = form.content.decode()
        assert '<option value="HT">Haití</option>' in body  # nationalities in Spanish
        assert 'value="violencia:sexual"' in body
        assert 'value="trata:sexual"' in body
        response = client.post(reverse("casos:nuevo"), datos_nuevo())
        nuevo = Caso.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url_de(nuevo)
        assert re.fullmatch(rf"13108-{timezone.localdate().year}-\d{{6}}", nuevo.folio)
        assert (nuevo.estado, nuevo.tipo, nuevo.subtipo, nuevo.consentimiento) == (
            EstadoCaso.BORRADOR,
            "regularizacion",
            "residencia_temporal",
            True,
        )
        assert (nuevo.persona.documento_normalizado, nuevo.persona.nacionalidad.code) == ("123456785", "HT")
        assert nuevo.persona.comuna_id == "13108"

    def test_an_invalid_run_is_refused_and_nothing_is_created(self, municipal) -> None:
        response = client_for(municipal).post(reverse("casos:nuevo"), datos_nuevo(numero_documento="12.345.678-9"))
        assert response.status_code == 400
        assert "El RUN no es válido" in response.content.decode()
        assert (Persona.objects.count(), Caso.objects.count()) == (0, 0)

    def test_a_subtype_of_another_type_is_refused(self, municipal) -> None:
        response = client_for(municipal).post(
            reverse("casos:nuevo"), datos_nuevo(tipo="trata", subtipo="violencia:sexual")
        )
        assert response.status_code == 400
        assert "El subtipo no corresponde al tipo de caso." in response.content.decode()
        assert (Persona.objects.count(), Caso.objects.count()) == (0, 0)

    def test_a_refused_case_leaves_no_person_behind(self, municipal) -> None:
        # The person is valid; the case is not (consent dated tomorrow): both or neither.
        manana = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = client_for(municipal).post(reverse("casos:nuevo"), datos_nuevo(consentimiento_fecha=manana))
        assert response.status_code == 400
        assert "La fecha del consentimiento no puede ser futura." in response.content.decode()
        assert (Persona.objects.count(), Caso.objects.count()) == (0, 0)

    def test_a_duplicate_document_asks_for_confirmation(self, municipal) -> None:
        existente = persona(
            municipal, tipo_documento="run", numero_documento="12345678-5", documento_normalizado="123456785"
        )
        previo = caso(municipal, persona_obj=existente, estado=EstadoCaso.DERIVADO)
        client = client_for(municipal)
        response = client.post(reverse("casos:nuevo"), datos_nuevo())
        assert response.status_code == 200
        body = response.content.decode()
        assert "Ya hay personas registradas con este documento" in body
        assert previo.folio in body
        assert "Wislande Joseph" in body  # not sensitive
        assert "Confirmo que es otra persona o deseo usar la existente" in body
        assert f'value="{existente.uuid}"' in body
        assert (Persona.objects.count(), Caso.objects.count()) == (1, 1)
        # Confirmed, reusing the existing person: no second person.
        response = client.post(
            reverse("casos:nuevo"), datos_nuevo(confirmar_duplicado="on", persona_existente=str(existente.uuid))
        )
        assert response.status_code == 302
        assert Persona.objects.count() == 1
        assert Caso.objects.exclude(pk=previo.pk).get().persona == existente

    def test_a_confirmed_duplicate_may_be_another_person(self, municipal) -> None:
        persona(municipal, tipo_documento="run", numero_documento="12345678-5", documento_normalizado="123456785")
        response = client_for(municipal).post(
            reverse("casos:nuevo"), datos_nuevo(confirmar_duplicado="on", persona_existente="")
        )
        assert response.status_code == 302
        assert Persona.objects.filter(documento_normalizado="123456785").count() == 2

    def test_a_sensitive_duplicate_shows_initials(self, municipal) -> None:
        nna = persona(municipal, nombres="Ana Sofía", apellidos="Pérez", nna=True, documento_normalizado="PA123456")
        caso(municipal, persona_obj=nna, tipo=TipoCaso.NNA, estado=EstadoCaso.DERIVADO)
        response = client_for(municipal).post(
            reverse("casos:nuevo"), datos_nuevo(tipo_documento="pasaporte", numero_documento="pa-123456")
        )
        body = response.content.decode()
        assert "A. S. P." in body
        assert "Ana Sofía" not in body

    def test_a_duplicate_of_another_comuna_is_not_shown(self, municipal, municipal_otra) -> None:
        persona(municipal_otra, tipo_documento="run", numero_documento="12345678-5", documento_normalizado="123456785")
        response = client_for(municipal).post(reverse("casos:nuevo"), datos_nuevo())
        assert response.status_code == 302
        assert Persona.objects.count() == 2

    def test_a_person_outside_the_duplicates_cannot_be_chosen(self, municipal, municipal_otra) -> None:
        persona(municipal, tipo_documento="run", numero_documento="12345678-5", documento_normalizado="123456785")
        ajena = persona(municipal_otra)
        antes = estado_de_todo()
        response = client_for(municipal).post(
            reverse("casos:nuevo"), datos_nuevo(confirmar_duplicado="on", persona_existente=str(ajena.uuid))
        )
        assert response.status_code == 400
        assert "Elija una de las personas ya registradas" in response.content.decode()
        assert estado_de_todo() == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [("anonimo", 302), ("regional", 403), ("regional_otra", 403), ("nacional", 403), ("evaluador", 404)],
    )
    def test_only_municipal_officers_register_cases(self, nombre, status, persona, municipal) -> None:
        client = como(persona, nombre)
        assert client.get(reverse("casos:nuevo")).status_code == status
        response = client.post(reverse("casos:nuevo"), datos_nuevo())
        assert response.status_code == status
        assert status != 302 or al_login(response)
        assert (Persona.objects.count(), Caso.objects.count()) == (0, 0)

    def test_an_officer_of_another_comuna_registers_in_its_own(self, municipal_otra) -> None:
        client_for(municipal_otra).post(reverse("casos:nuevo"), datos_nuevo())
        assert Caso.objects.get().comuna_id == "13125"


# --- The case file ----------------------------------------------------------------------------
DETALLE = {
    "anonimo": 302,
    "municipal": 200,
    "municipal_otra": 404,
    "regional": 200,
    "regional_otra": 404,
    "nacional": 200,
    "evaluador": 404,
}


class TestDetalle:
    def test_it_shows_the_case_the_person_the_timeline_and_the_actions(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        Caso.objects.filter(pk=c.pk).update(subtipo="prorroga", numero_solicitud_sermig="SOL-42")
        mensaje(c, municipal, "Adjunto los antecedentes")
        mensaje(c, regional, "Revisar con jurídica", interno=True)
        response = client_for(regional).get(url_de(c))
        assert response.status_code == 200
        body = response.content.decode()
        assert c.folio in body
        assert "Wislande Joseph" in body
        assert c.persona.documento_normalizado in body  # revealed on the opened case
        assert "Haití" in body
        assert "Prórroga o vencimiento de permiso" in body
        assert "SOL-42" in body
        assert "Adjunto los antecedentes" in body
        assert "Revisar con jurídica" in body  # internal notes: SERMIG sees them
        assert acciones_en(body) == ["derivar"]
        assert [a.accion for a in response.context["acciones"]] == ["solicitar_informacion", "resolver"]
        assert f'name="version" value="{c.version}"' in body
        assert "Nota interna (solo visible para el SERMIG)" in body
        assert reverse("casos:editar", kwargs={"uuid": c.uuid}) not in body

    def test_the_municipality_does_not_see_internal_notes(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        mensaje(c, regional, "Revisar con jurídica", interno=True)
        mensaje(c, regional, "Necesitamos su pasaporte")
        body = client_for(municipal).get(url_de(c)).content.decode()
        assert "Necesitamos su pasaporte" in body
        assert "Revisar con jurídica" not in body
        assert "Nota interna (solo visible para el SERMIG)" not in body  # no checkbox either

    def test_a_draft_offers_edition_and_escalation_to_its_municipality(self, municipal) -> None:
        c = caso(municipal)
        response = client_for(municipal).get(url_de(c))
        assert reverse("casos:editar", kwargs={"uuid": c.uuid}) in response.content.decode()
        assert [a.accion for a in response.context["acciones"]] == ["derivar"]

    def test_assignment_offers_the_active_regional_team_of_the_case_region(
        self, municipal, regional, regional_otra
    ) -> None:
        UsuarioFactory.regional("13", username="r.rosa", first_name="Rosa", last_name="Meneses")
        UsuarioFactory.regional("13", username="r.baja", first_name="Inés", last_name="Inactiva", is_active=False)
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        response = client_for(regional).get(url_de(c))
        (asignar,) = [a for a in response.context["acciones"] if a.accion == "asignar"]
        opciones = [str(etiqueta) for _valor, etiqueta in asignar.form.fields["asignado_a"].choices]
        assert sorted(opciones) == sorted(["Yo tomo el caso", regional.get_full_name(), "Rosa Meneses"])
        assert "Rosa Meneses" in response.content.decode()

    def test_a_description_is_shown_as_text(self, municipal) -> None:
        c = caso(municipal, descripcion='<script>alert(1)</script><img src=x onerror="alert(2)">')
        body = client_for(municipal).get(url_de(c)).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<script>alert(1)" not in body
        assert "<img src=x" not in body

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, persona, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, descripcion="Descripción reservada")
        antes = estado_de_todo()
        response = como(persona, nombre).get(url_de(c))
        assert response.status_code == DETALLE[nombre]
        assert ("Descripción reservada" in response.content.decode()) == (DETALLE[nombre] == 200)
        assert estado_de_todo() == antes

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_opening_of_a_sensitive_case_is_logged(self, nombre, persona, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
        usuario = persona(nombre)
        client = client_for(usuario)
        for _ in range(2):
            client.get(url_de(c))
        if DETALLE[nombre] == 200:
            assert list(AccesoSensible.objects.values_list("caso", "usuario", "via")) == [(c.pk, usuario.pk, "web")] * 2
        else:
            assert not AccesoSensible.objects.exists()

    def test_sensitive_names_are_initials_in_the_list_and_full_on_the_case(self, municipal, regional) -> None:
        c = caso(
            municipal,
            estado=EstadoCaso.DERIVADO,
            tipo=TipoCaso.VIOLENCIA,
            persona_obj=persona(municipal, nombres="Rose", apellidos="Célestin"),
        )
        client = client_for(regional)
        lista = client.get(reverse("casos:lista")).content.decode()
        assert "R. C." in lista
        assert "Célestin" not in lista
        assert not AccesoSensible.objects.exists()  # the list is not an opening
        detalle = client.get(url_de(c)).content.decode()
        assert "Rose Célestin" in detalle
        assert AccesoSensible.objects.count() == 1

    def test_a_case_that_is_not_sensitive_is_not_logged(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        client_for(regional).get(url_de(c))
        assert not AccesoSensible.objects.exists()

    def test_query_count_does_not_grow_with_the_timeline(self, municipal, regional, django_assert_num_queries) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        client = client_for(regional)
        # 1 session, 2 user (with its región), 3 the case (comuna, región, person, assignee and
        # author joined), 4 transitions with their users, 5 messages with author and attachment,
        # 6 notifications (nav).
        with django_assert_num_queries(6):
            client.get(url_de(c))
        for n in range(10):
            Mensaje.objects.create(
                caso=c,
                autor=municipal if n % 2 else regional,
                texto=f"m{n}",
                interno=n % 3 == 0,
                adjunto=archivo_pdf(municipal) if n % 4 == 0 else None,
            )
            TransicionCaso.objects.create(
                caso=c, desde="en_gestion", hasta="en_gestion", accion="reasignar", usuario=regional
            )
        with django_assert_num_queries(6):
            response = client.get(url_de(c))
        assert len(response.context["eventos"]) == 21


# --- Actions ----------------------------------------------------------------------------------
ASIGNAR = {  # on an escalated case of Independencia
    "anonimo": 302,
    "municipal": 403,
    "municipal_otra": 404,
    "regional": 302,
    "regional_otra": 404,
    "nacional": 302,
    "evaluador": 404,
}
DERIVAR = {  # on a draft of Independencia, with consent
    "anonimo": 302,
    "municipal": 302,
    "municipal_otra": 404,
    "regional": 403,
    "regional_otra": 404,
    "nacional": 403,
    "evaluador": 404,
}


class TestAccion:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_assignment_by_every_persona(self, nombre, persona, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        usuario = persona(nombre)
        antes = estado_de_todo()
        response = accion(client_for(usuario), c, "asignar", "Lo tomo")
        assert response.status_code == ASIGNAR[nombre]
        c.refresh_from_db()
        if nombre in ("regional", "nacional"):
            assert response["Location"] == url_de(c)
            assert (c.estado, c.asignado_a) == (EstadoCaso.EN_GESTION, usuario)
            assert TransicionCaso.objects.filter(
                caso=c, accion="asignar", usuario=usuario, comentario="Lo tomo"
            ).exists()
        else:
            assert nombre != "anonimo" or al_login(response)
            assert estado_de_todo() == antes

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_escalation_by_every_persona(self, nombre, persona, municipal) -> None:
        c = caso(municipal)
        Caso.objects.filter(pk=c.pk).update(consentimiento=True, consentimiento_fecha=timezone.localdate())
        antes = estado_de_todo()
        response = accion(como(persona, nombre), c, "derivar")
        assert response.status_code == DERIVAR[nombre]
        c.refresh_from_db()
        if nombre == "municipal":
            assert c.estado == EstadoCaso.DERIVADO
        else:
            assert nombre != "anonimo" or al_login(response)
            assert estado_de_todo() == antes
        if DERIVAR[nombre] == 403:
            assert "no permite «Derivar a SERMIG»" in response.content.decode()

    def test_escalation_without_consent_is_refused(self, municipal) -> None:
        c = caso(municipal)
        antes = estado_de_todo()
        response = accion(client_for(municipal), c, "derivar")
        assert response.status_code == 400
        assert "se requiere el consentimiento informado" in response.content.decode()
        assert estado_de_todo() == antes

    def test_a_stale_version_is_refused(self, municipal, regional, nacional) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        version_vista = c.version
        assert accion(client_for(nacional), c, "asignar").status_code == 302
        antes = estado_de_todo()
        response = client_for(regional).post(
            url_de(c, "accion/"), {"accion": "asignar", "version": version_vista, "comentario": ""}
        )
        assert response.status_code == 409
        assert CONFLICTO in response.content.decode()
        assert estado_de_todo() == antes
        c.refresh_from_db()
        assert c.asignado_a == nacional

    def test_a_required_comment_is_asked_for(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        antes = estado_de_todo()
        response = accion(client_for(regional), c, "solicitar_informacion", "   ")
        assert response.status_code == 400
        assert "Escriba un comentario" in response.content.decode()
        assert estado_de_todo() == antes

    def test_an_action_not_allowed_in_the_state_is_a_conflict(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = estado_de_todo()
        response = accion(client_for(regional), c, "resolver", "Listo")
        assert response.status_code == 409
        assert "No se puede «Resolver» un caso «Derivado a SERMIG»" in response.content.decode()
        assert estado_de_todo() == antes

    def test_assignment_to_someone_of_another_region_is_refused(self, municipal, regional, regional_otra) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = estado_de_todo()
        response = accion(client_for(regional), c, "asignar", asignado_a=regional_otra.pk)
        assert response.status_code == 400
        assert "no es válida" in response.content.decode()
        assert estado_de_todo() == antes

    def test_an_unknown_action_is_refused(self, municipal) -> None:
        c = caso(municipal)
        antes = estado_de_todo()
        response = accion(client_for(municipal), c, "borrar")
        assert response.status_code == 400
        assert estado_de_todo() == antes

    def test_assignment_to_a_colleague(self, municipal, regional) -> None:
        colega = UsuarioFactory.regional("13", username="r.rosa", first_name="Rosa", last_name="Meneses")
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        assert accion(client_for(regional), c, "asignar", asignado_a=colega.pk).status_code == 302
        c.refresh_from_db()
        assert c.asignado_a == colega


# --- Conversation -----------------------------------------------------------------------------
def subida_cruda(client: Client, url: str, nombre_archivo: str, contenido: bytes, texto: str) -> Any:
    """A multipart POST with the file name exactly as given: the test client would strip a
    path from it before sending, a hostile browser does not."""
    frontera = "frontera-de-prueba"
    partes = [
        f'--{frontera}\r\nContent-Disposition: form-data; name="texto"\r\n\r\n{texto}\r\n'.encode(),
        (
            f'--{frontera}\r\nContent-Disposition: form-data; name="adjunto"; filename="{nombre_archivo}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + contenido
        + b"\r\n",
        f"--{frontera}--\r\n".encode(),
    ]
    return client.post(url, data=b"".join(partes), content_type=f"multipart/form-data; boundary={frontera}")


MENSAJE = {  # on a case of Independencia in management
    "anonimo": 302,
    "municipal": 302,
    "municipal_otra": 404,
    "regional": 302,
    "regional_otra": 404,
    "nacional": 302,
    "evaluador": 404,
}

HOSTILES: dict[str, tuple[Callable[[], SimpleUploadedFile], str]] = {
    "html renombrado .pdf": (
        lambda: SimpleUploadedFile(
            "informe.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "application/pdf"
        ),
        "no es un documento permitido",
    ),
    "pdf políglota con html": (
        lambda: SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>", "application/pdf"),
        "no es un documento permitido",
    ),
    "vacío": (lambda: SimpleUploadedFile("vacio.pdf", b"", "application/pdf"), "El archivo está vacío."),
    "sobre el límite": (
        lambda: SimpleUploadedFile("grande.pdf", PDF_MINIMO + b"%" * 2048, "application/pdf"),
        "El archivo supera el tamaño máximo",
    ),
}


class TestMensajes:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, persona, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        antes = estado_de_todo()
        response = como(persona, nombre).post(url_de(c, "mensajes/"), {"texto": "¿Hay novedades?"})
        assert response.status_code == MENSAJE[nombre]
        if nombre != "anonimo" and MENSAJE[nombre] == 302:
            assert response["Location"] == url_de(c, "#conversacion")
            assert Mensaje.objects.get().texto == "¿Hay novedades?"
        else:
            assert nombre != "anonimo" or al_login(response)
            assert estado_de_todo() == antes

    def test_a_message_with_an_attachment(self, municipal, regional, media) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        adjunto = SimpleUploadedFile("pasaporte.pdf", PDF_MINIMO, content_type="application/pdf")
        response = client_for(municipal).post(url_de(c, "mensajes/"), {"texto": "Copia", "adjunto": adjunto})
        assert response.status_code == 302
        m = Mensaje.objects.get()
        assert (m.interno, m.adjunto.nombre_original, m.adjunto.tipo) == (False, "pasaporte.pdf", "application/pdf")
        assert len(archivos_guardados(media)) == 1
        body = client_for(regional).get(url_de(c)).content.decode()
        assert reverse("casos:adjunto", kwargs={"pk": m.pk}) in body

    def test_sermig_writes_internal_notes(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        response = client_for(regional).post(url_de(c, "mensajes/"), {"texto": "Consultar a jurídica", "interno": "on"})
        assert response.status_code == 302
        assert Mensaje.objects.get().interno is True
        assert "Consultar a jurídica" not in client_for(municipal).get(url_de(c)).content.decode()

    def test_a_municipal_officer_cannot_write_internal_notes(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        antes = estado_de_todo()
        response = client_for(municipal).post(url_de(c, "mensajes/"), {"texto": "Secreto", "interno": "on"})
        assert response.status_code == 403
        assert "Las notas internas son solo para el SERMIG." in response.content.decode()
        assert estado_de_todo() == antes

    def test_a_closed_case_takes_no_messages(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.CERRADO)
        antes = estado_de_todo()
        response = client_for(municipal).post(url_de(c, "mensajes/"), {"texto": "Hola"})
        assert response.status_code == 409
        assert estado_de_todo() == antes

    def test_an_empty_message_is_refused(self, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        antes = estado_de_todo()
        response = client_for(municipal).post(url_de(c, "mensajes/"), {"texto": ""})
        assert response.status_code == 400
        assert "Revise el mensaje" in response.content.decode()
        assert estado_de_todo() == antes

    @pytest.mark.parametrize("caso_hostil", list(HOSTILES), ids=list(HOSTILES))
    def test_hostile_uploads_are_refused_and_nothing_is_stored(
        self, caso_hostil, municipal, regional, media, settings
    ) -> None:
        settings.SELLO_MAX_UPLOAD_BYTES = 1024
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        subida, mensaje_esperado = HOSTILES[caso_hostil]
        antes = estado_de_todo()
        response = client_for(municipal).post(url_de(c, "mensajes/"), {"texto": "Va el archivo", "adjunto": subida()})
        assert response.status_code == 400
        assert mensaje_esperado in response.content.decode()
        assert estado_de_todo() == antes
        assert archivos_guardados(media) == []

    @pytest.mark.parametrize("nombre_hostil", ["../../etc/passwd.pdf", "..\\..\\etc\\passwd.pdf"])
    def test_a_path_in_the_file_name_is_dropped(self, nombre_hostil, municipal, regional, media) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        response = subida_cruda(client_for(municipal), url_de(c, "mensajes/"), nombre_hostil, PDF_MINIMO, "Acta")
        assert response.status_code == 302
        archivo = Mensaje.objects.get().adjunto
        assert archivo.nombre_original == "passwd.pdf"
        (guardado,) = archivos_guardados(media)
        assert guardado.resolve().is_relative_to(media.resolve())
        assert "passwd" not in guardado.name  # stored under a random name
        descarga = client_for(regional).get(reverse("casos:adjunto", kwargs={"pk": Mensaje.objects.get().pk}))
        assert descarga["Content-Disposition"] == 'attachment; filename="passwd.pdf"'


# --- Draft edition ----------------------------------------------------------------------------
EDITAR = {  # a draft of Independencia
    "anonimo": 302,
    "municipal": 302,
    "municipal_otra": 404,
    "regional": 403,
    "regional_otra": 404,
    "nacional": 403,
    "evaluador": 404,
}


class TestEditar:
    def test_it_works(self, municipal) -> None:
        c = caso(municipal)
        client = client_for(municipal)
        form = client.get(url_de(c, "editar/"))
        assert form.status_code == 200
        assert f'name="version" value="{c.version}"' in form.content.decode()
        response = client.post(
            url_de(c, "editar/"),
            datos_edicion(
                c,
                tipo="violencia",
                subtipo="violencia:intrafamiliar",
                consentimiento="on",
                consentimiento_fecha=timezone.localdate().isoformat(),
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == url_de(c)
        c.refresh_from_db()
        assert (c.tipo, c.subtipo, c.consentimiento, c.sensible, c.version) == (
            "violencia",
            "intrafamiliar",
            True,
            True,
            2,
        )

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, persona, municipal) -> None:
        c = caso(municipal)
        client = como(persona, nombre)
        antes = estado_de_todo()
        assert client.get(url_de(c, "editar/")).status_code == (200 if nombre == "municipal" else EDITAR[nombre])
        response = client.post(url_de(c, "editar/"), datos_edicion(c, descripcion="Cambiada"))
        assert response.status_code == EDITAR[nombre]
        if nombre == "municipal":
            assert Caso.objects.get().descripcion == "Cambiada"
        else:
            assert nombre != "anonimo" or al_login(response)
            assert estado_de_todo() == antes

    def test_a_stale_edit_is_refused_and_nothing_is_overwritten(self, municipal) -> None:
        c = caso(municipal, descripcion="Original")
        vista = datos_edicion(c, descripcion="Mi versión")
        client = client_for(municipal)
        assert client.post(url_de(c, "editar/"), datos_edicion(c, descripcion="La de mi colega")).status_code == 302
        antes = estado_de_todo()
        response = client.post(url_de(c, "editar/"), vista)
        assert response.status_code == 409
        assert CONFLICTO in response.content.decode()
        assert estado_de_todo() == antes
        assert Caso.objects.get().descripcion == "La de mi colega"

    def test_only_drafts_are_edited(self, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        client = client_for(municipal)
        response = client.get(url_de(c, "editar/"))
        assert response.status_code == 409
        assert "Solo se pueden editar casos en borrador." in response.content.decode()
        antes = estado_de_todo()
        response = client.post(url_de(c, "editar/"), datos_edicion(c, descripcion="Cambiada"))
        assert response.status_code == 409
        assert estado_de_todo() == antes

    def test_invalid_input_is_refused(self, municipal) -> None:
        c = caso(municipal)
        antes = estado_de_todo()
        response = client_for(municipal).post(url_de(c, "editar/"), datos_edicion(c, tipo="otro", descripcion=""))
        assert response.status_code == 400
        assert estado_de_todo() == antes


# --- Attachments ------------------------------------------------------------------------------
ADJUNTO = DETALLE


class TestAdjunto:
    def test_it_serves_a_safe_download(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        m = Mensaje.objects.create(
            caso=c, autor=municipal, texto="Copia", adjunto=archivo_pdf(municipal, 'acta "final";<b>.pdf')
        )
        response = client_for(municipal).get(reverse("casos:adjunto", kwargs={"pk": m.pk}))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_MINIMO
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="acta finalb.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Cache-Control"] == "private, no-store"

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, persona, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional)
        publico = Mensaje.objects.create(caso=c, autor=municipal, texto="Copia", adjunto=archivo_pdf(municipal))
        nota = Mensaje.objects.create(
            caso=c, autor=regional, texto="Informe interno", interno=True, adjunto=archivo_pdf(regional)
        )
        client = como(persona, nombre)
        assert client.get(reverse("casos:adjunto", kwargs={"pk": publico.pk})).status_code == ADJUNTO[nombre]
        # An internal note's attachment: SERMIG staff of the territory only.
        esperado = {**ADJUNTO, "municipal": 404}[nombre]
        assert client.get(reverse("casos:adjunto", kwargs={"pk": nota.pk})).status_code == esperado

    def test_a_message_without_attachment_is_not_found(self, municipal) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO)
        m = mensaje(c, municipal)
        assert client_for(municipal).get(reverse("casos:adjunto", kwargs={"pk": m.pk})).status_code == 404

    def test_a_sensitive_case_attachment_download_is_logged(self, municipal, regional) -> None:
        c = caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.NNA)
        m = Mensaje.objects.create(caso=c, autor=municipal, texto="Copia", adjunto=archivo_pdf(municipal))
        client_for(regional).get(reverse("casos:adjunto", kwargs={"pk": m.pk}))
        assert list(AccesoSensible.objects.values_list("usuario", "via")) == [(regional.pk, "adjunto")]


# --- The escalation, as a new user would ------------------------------------------------------
def test_the_escalation_from_both_sides(municipal, regional, regional_otra) -> None:
    muni, rm, valpo = client_for(municipal), client_for(regional), client_for(regional_otra)

    # The municipality registers the case (no consent yet) ...
    assert muni.get(reverse("casos:lista")).status_code == 200
    assert muni.get(reverse("casos:nuevo")).status_code == 200
    response = muni.post(
        reverse("casos:nuevo"),
        datos_nuevo(consentimiento=None, consentimiento_fecha="", descripcion="<script>alert(1)</script>"),
    )
    assert response.status_code == 302
    c = Caso.objects.get()
    detalle = muni.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detalle
    assert "<script>alert(1)" not in detalle

    # ... cannot escalate it without consent: a clear message, still a draft ...
    response = accion(muni, c, "derivar")
    assert response.status_code == 400
    assert "Para derivar el caso se requiere el consentimiento informado de la persona." in response.content.decode()
    c.refresh_from_db()
    assert c.estado == EstadoCaso.BORRADOR

    # ... records the consent and escalates.
    c.refresh_from_db()
    hoy = timezone.localdate().isoformat()
    response = muni.post(url_de(c, "editar/"), datos_edicion(c, consentimiento="on", consentimiento_fecha=hoy))
    assert response.status_code == 302
    assert accion(muni, c, "derivar", "Urgente por vencimiento de permiso").status_code == 302

    # Another región does not see it at all.
    assert valpo.get(url_de(c)).status_code == 404
    assert c.folio not in valpo.get(reverse("casos:lista")).content.decode()
    assert accion(valpo, c, "asignar").status_code == 404

    # The regional team sees it, takes it and asks for information ...
    assert c.folio in rm.get(reverse("casos:lista")).content.decode()
    assert "Asignar y tomar el caso" in rm.get(url_de(c)).content.decode()
    assert accion(rm, c, "asignar", asignado_a=regional.pk).status_code == 302
    assert accion(rm, c, "solicitar_informacion", "Falta copia del pasaporte").status_code == 302

    # ... the municipality answers ...
    assert "Responder la solicitud de información" in muni.get(url_de(c)).content.decode()
    assert accion(muni, c, "responder", "Enviamos la copia por correo").status_code == 302

    # ... and the regional team resolves.
    assert accion(rm, c, "resolver", "Se orientó y se ingresó la solicitud").status_code == 302
    c.refresh_from_db()
    assert (c.estado, c.asignado_a, c.resolucion) == (
        EstadoCaso.RESUELTO,
        regional,
        "Se orientó y se ingresó la solicitud",
    )

    # The timeline shows every step, in order, to both sides.
    for client in (muni, rm):
        body = client.get(url_de(c)).content.decode()
        assert acciones_en(body) == ["derivar", "asignar", "solicitar_informacion", "responder", "resolver"]
        for comentario in [
            "Urgente por vencimiento de permiso",
            "Falta copia del pasaporte",
            "Enviamos la copia por correo",
            "Se orientó y se ingresó la solicitud",
        ]:
            assert comentario in body

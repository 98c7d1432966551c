"""Services of cases: every workflow action x every persona (allowed; denied with nothing
changed; wrong state; stale version), consent, deadlines, folios, duplicate people within the
territory, the conversation's rules."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from casos import selectors, services
from casos.flujo import TRANSICIONES, acciones_disponibles, puede
from casos.models import Caso, EstadoCaso, Mensaje, Persona, PlazoRespuesta, Prioridad, TipoCaso, TransicionCaso
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida

from .casos_fixtures import caso, mensaje
from .conftest import INDEPENDENCIA, PERSONAS, QUILICURA

pytestmark = pytest.mark.django_db

# Who may apply each action to a case of Independencia (Región Metropolitana).
PUEDEN: dict[str, set[str]] = {
    "derivar": {"municipal"},
    "asignar": {"regional", "nacional"},
    "solicitar_informacion": {"regional", "nacional"},
    "responder": {"municipal"},
    "resolver": {"regional", "nacional"},
    "cerrar": {"municipal", "regional", "nacional"},
    "reabrir": {"municipal", "regional", "nacional"},
}


def test_the_table_is_the_one_under_test() -> None:
    assert set(PUEDEN) == set(TRANSICIONES)


def usuario_de(persona: Any, nombre: str) -> Any:
    return persona(nombre) or AnonymousUser()


def caso_en(municipal: Any, estado: str, **extra: Any) -> Caso:
    """A case of Independencia in ``estado``, with consent (so ``derivar`` is possible)."""
    c = caso(municipal, estado=EstadoCaso(estado), **extra)
    if not c.consentimiento:
        c.consentimiento, c.consentimiento_fecha = True, timezone.localdate()
        c.save()
    return c


def foto(c: Caso) -> tuple[Any, ...]:
    fresco = Caso.objects.get(pk=c.pk)
    return (
        fresco.estado,
        fresco.version,
        fresco.asignado_a_id,
        fresco.plazo,
        fresco.resolucion,
        TransicionCaso.objects.filter(caso=c).count(),
        Mensaje.objects.filter(caso=c).count(),
    )


def aplicar(c: Caso, accion: str, usuario: Any, version: int | None = None) -> Caso:
    return services.caso_transicionar(
        caso=c,
        accion=accion,
        usuario=usuario,
        version=c.version if version is None else version,
        comentario="Comentario de la transición",
    )


CELDAS = [(accion, nombre) for accion in TRANSICIONES for nombre in PERSONAS]


class TestTransicionesPorRol:
    @pytest.mark.parametrize(("accion", "nombre"), CELDAS, ids=[f"{a}-{n}" for a, n in CELDAS])
    def test_every_action_for_every_persona(self, accion, nombre, persona, municipal, regional) -> None:
        t = TRANSICIONES[accion]
        c = caso_en(municipal, t.desde[0], asignado_a=regional if t.desde[0] != EstadoCaso.BORRADOR else None)
        usuario = usuario_de(persona, nombre)
        antes = foto(c)
        assert puede(usuario, c, accion) is (nombre in PUEDEN[accion])
        if nombre in PUEDEN[accion]:
            resultado = aplicar(c, accion, usuario)
            assert resultado.estado == t.hasta
            assert resultado.version == c.version + 1
            registro = TransicionCaso.objects.filter(caso=c).last()
            assert registro is not None
            assert (registro.accion, registro.desde, registro.hasta, registro.usuario) == (
                accion,
                t.desde[0],
                t.hasta,
                usuario,
            )
            assert registro.comentario == "Comentario de la transición"
            assert TransicionCaso.objects.filter(caso=c).count() == antes[5] + 1
        else:
            with pytest.raises(SinPermiso):
                aplicar(c, accion, usuario)
            assert foto(c) == antes

    @pytest.mark.parametrize(
        ("accion", "estado"),
        [(a, e) for a, t in TRANSICIONES.items() for e in EstadoCaso if e not in t.desde],
    )
    def test_an_action_from_a_wrong_state_is_refused(self, accion, estado, persona, municipal, regional) -> None:
        quien = "municipal" if "municipal" in PUEDEN[accion] else "regional"
        c = caso_en(municipal, estado, asignado_a=regional if estado != EstadoCaso.BORRADOR else None)
        antes = foto(c)
        with pytest.raises(TransicionNoPermitida):
            aplicar(c, accion, persona(quien))
        assert foto(c) == antes

    @pytest.mark.parametrize("accion", list(TRANSICIONES))
    @pytest.mark.parametrize("desfase", [-1, 1])
    def test_a_stale_version_is_refused(self, accion, desfase, persona, municipal, regional) -> None:
        t = TRANSICIONES[accion]
        quien = "municipal" if "municipal" in PUEDEN[accion] else "regional"
        c = caso_en(municipal, t.desde[0])
        Caso.objects.filter(pk=c.pk).update(version=5)  # someone else edited it meanwhile
        antes = foto(c)
        with pytest.raises(ConflictoDeVersion):
            aplicar(c, accion, persona(quien), version=5 + desfase)
        assert foto(c) == antes

    @pytest.mark.parametrize("accion", [a for a, t in TRANSICIONES.items() if t.requiere_comentario])
    def test_a_required_comment_is_required(self, accion, persona, municipal, regional) -> None:
        t = TRANSICIONES[accion]
        quien = "municipal" if "municipal" in PUEDEN[accion] else "regional"
        c = caso_en(municipal, t.desde[0], asignado_a=regional)
        antes = foto(c)
        with pytest.raises(ErrorDeNegocio, match="Escriba un comentario"):
            services.caso_transicionar(caso=c, accion=accion, usuario=persona(quien), version=c.version, comentario=" ")
        assert foto(c) == antes

    def test_an_unknown_action_is_refused(self, municipal) -> None:
        c = caso_en(municipal, EstadoCaso.BORRADOR)
        antes = foto(c)
        with pytest.raises(TransicionNoPermitida):
            aplicar(c, "borrar", municipal)
        assert foto(c) == antes

    def test_available_actions_follow_the_table(self, municipal, regional, evaluador) -> None:
        c = caso_en(municipal, EstadoCaso.RESUELTO, asignado_a=regional)
        assert [t.accion for t in acciones_disponibles(municipal, c)] == ["cerrar", "reabrir"]
        assert [t.accion for t in acciones_disponibles(regional, c)] == ["cerrar", "reabrir"]
        assert acciones_disponibles(evaluador, c) == []


class TestDerivar:
    def test_without_consent_it_is_refused(self, municipal) -> None:
        c = caso(municipal)
        assert c.consentimiento is False
        antes = foto(c)
        with pytest.raises(ErrorDeNegocio, match="consentimiento informado"):
            aplicar(c, "derivar", municipal)
        assert foto(c) == antes

    def test_it_puts_the_case_in_its_regional_queue(self, municipal, municipal_otra, regional, regional_otra) -> None:
        c = aplicar(caso_en(municipal, EstadoCaso.BORRADOR), "derivar", municipal)
        assert c.derivado_en is not None
        assert list(selectors.cola_regional(usuario=regional)) == [c]
        assert list(selectors.cola_regional(usuario=regional_otra)) == []
        assert list(selectors.cola_regional(usuario=municipal_otra)) == []

    @pytest.mark.parametrize("prioridad", list(Prioridad))
    def test_the_deadline_comes_from_the_configured_response_time(self, prioridad, municipal) -> None:
        horas = {
            tipo: PlazoRespuesta.objects.get(tipo=tipo, prioridad=prioridad).horas
            for tipo in (TipoCaso.CONSULTA, TipoCaso.NNA, TipoCaso.VIOLENCIA)
        }
        # Children and gender-violence cases answer sooner than a query of the same priority.
        assert horas[TipoCaso.NNA] < horas[TipoCaso.CONSULTA]
        assert horas[TipoCaso.VIOLENCIA] < horas[TipoCaso.CONSULTA]
        for tipo, h in horas.items():
            c = caso_en(municipal, EstadoCaso.BORRADOR, tipo=tipo)
            Caso.objects.filter(pk=c.pk).update(prioridad=prioridad)
            c.refresh_from_db()
            derivado = aplicar(c, "derivar", municipal)
            assert derivado.derivado_en is not None
            assert derivado.plazo == derivado.derivado_en + timedelta(hours=h)
            assert derivado.vencido is False

    def test_a_changed_configuration_applies_to_the_next_escalation(self, municipal) -> None:
        PlazoRespuesta.objects.filter(tipo=TipoCaso.REGULARIZACION, prioridad=Prioridad.MEDIA).update(horas=7)
        c = aplicar(caso_en(municipal, EstadoCaso.BORRADOR), "derivar", municipal)
        assert c.plazo == c.derivado_en + timedelta(hours=7)


class TestAsignar:
    def test_it_assigns_whoever_takes_it_by_default(self, municipal, regional) -> None:
        c = aplicar(caso_en(municipal, EstadoCaso.DERIVADO), "asignar", regional)
        assert c.asignado_a == regional

    def test_not_to_someone_of_another_region(self, municipal, regional, regional_otra) -> None:
        c = caso_en(municipal, EstadoCaso.DERIVADO)
        antes = foto(c)
        with pytest.raises(ErrorDeNegocio, match="dirección regional"):
            services.caso_transicionar(
                caso=c, accion="asignar", usuario=regional, version=c.version, asignado_a=regional_otra
            )
        assert foto(c) == antes

    def test_not_to_a_municipal_officer(self, municipal, regional) -> None:
        c = caso_en(municipal, EstadoCaso.DERIVADO)
        antes = foto(c)
        with pytest.raises(ErrorDeNegocio, match="personal activo del SERMIG"):
            services.caso_transicionar(
                caso=c, accion="asignar", usuario=regional, version=c.version, asignado_a=municipal
            )
        assert foto(c) == antes


class TestFolio:
    def nuevo(self, usuario: Any, numero: str = "") -> Caso:
        p = services.persona_registrar(
            usuario=usuario,
            nombres="Luis",
            apellidos="Fernández",
            tipo_documento="pasaporte" if numero else "sin",
            numero_documento=numero,
            nacionalidad="BO",
            sexo="hombre",
            fecha_nacimiento=None,
            tramo_edad="30-44",
        )
        return services.caso_crear(
            usuario=usuario,
            persona=p,
            tipo="consulta",
            subtipo="",
            prioridad="media",
            canal="presencial",
            descripcion="Consulta",
            consentimiento=False,
            consentimiento_fecha=None,
        )

    def test_it_reads_comuna_year_and_a_sequential_number(self, municipal, municipal_otra) -> None:
        anio = timezone.localdate().year
        folios = [self.nuevo(municipal).folio for _ in range(5)]
        assert folios == [f"{INDEPENDENCIA}-{anio}-{n:06d}" for n in range(1, 6)]
        assert re.fullmatch(r"13108-\d{4}-000001", folios[0])
        # Each comuna has its own sequence.
        assert self.nuevo(municipal_otra).folio == f"{QUILICURA}-{anio}-000001"
        assert self.nuevo(municipal).folio == f"{INDEPENDENCIA}-{anio}-000006"
        assert Caso.objects.values("folio").distinct().count() == Caso.objects.count() == 7

    @pytest.mark.parametrize("nombre", ["regional", "nacional", "evaluador", "sin_rol"])
    def test_only_municipal_officers_register(self, nombre, persona) -> None:
        with pytest.raises(SinPermiso):
            self.nuevo(persona(nombre))
        assert Caso.objects.count() == 0

    def test_not_for_a_person_of_another_comuna(self, municipal, municipal_otra) -> None:
        ajena = self.nuevo(municipal_otra).persona
        with pytest.raises(SinPermiso):
            services.caso_crear(
                usuario=municipal,
                persona=ajena,
                tipo="consulta",
                subtipo="",
                prioridad="media",
                canal="presencial",
                descripcion="x",
                consentimiento=False,
                consentimiento_fecha=None,
            )
        assert Caso.objects.count() == 1


class TestDuplicados:
    def registrar(self, usuario: Any, numero: str) -> Any:
        return services.persona_registrar(
            usuario=usuario,
            nombres="Yuliana",
            apellidos="Pérez",
            tipo_documento="run",
            numero_documento=numero,
            nacionalidad="VE",
            sexo="mujer",
            fecha_nacimiento=None,
            tramo_edad="",
        )

    def duplicados(self, usuario: Any, numero: str) -> list[Any]:
        return list(selectors.posibles_duplicados(usuario=usuario, tipo_documento="run", numero_documento=numero))

    def test_it_is_found_typed_differently_within_the_territory_only(
        self, municipal, municipal_otra, regional, regional_otra, nacional, evaluador
    ) -> None:
        de_quilicura = self.registrar(municipal_otra, "12.345.678-5")
        # A person of Quilicura with the same document is not reported to Independencia's officer.
        assert self.duplicados(municipal, "12345678-5") == []
        de_independencia = self.registrar(municipal, "123456785")
        assert self.duplicados(municipal, "12.345.678-5") == [de_independencia]
        assert self.duplicados(municipal_otra, "12345678-5") == [de_quilicura]
        assert sorted(p.pk for p in self.duplicados(regional, "12345678-5")) == sorted(
            [de_quilicura.pk, de_independencia.pk]
        )
        assert len(self.duplicados(nacional, "12345678-5")) == 2
        assert self.duplicados(regional_otra, "12345678-5") == []
        assert self.duplicados(evaluador, "12345678-5") == []

    def test_nothing_to_compare_without_a_document(self, municipal) -> None:
        assert list(selectors.posibles_duplicados(usuario=municipal, tipo_documento="sin", numero_documento="")) == []

    def test_an_invalid_run_registers_nobody(self, municipal) -> None:
        with pytest.raises(ErrorDeNegocio, match="RUN no es válido"):
            self.registrar(municipal, "12.345.678-4")
        assert Persona.objects.count() == 0


class TestMensajes:
    def test_the_municipality_cannot_post_internal_notes(self, municipal, regional) -> None:
        c = caso_en(municipal, EstadoCaso.EN_GESTION, asignado_a=regional)
        with pytest.raises(SinPermiso, match="solo para el SERMIG"):
            services.mensaje_agregar(caso=c, usuario=municipal, texto="Secreto", interno=True)
        assert Mensaje.objects.count() == 0

    def test_internal_notes_are_read_by_sermig_only(self, municipal, regional, nacional, evaluador) -> None:
        c = caso_en(municipal, EstadoCaso.EN_GESTION, asignado_a=regional)
        services.mensaje_agregar(caso=c, usuario=municipal, texto="Hola")
        services.mensaje_agregar(caso=c, usuario=regional, texto="Nota", interno=True)
        assert [m.texto for m in selectors.mensajes_visibles(caso=c, usuario=municipal)] == ["Hola"]
        assert [m.texto for m in selectors.mensajes_visibles(caso=c, usuario=regional)] == ["Hola", "Nota"]
        assert [m.texto for m in selectors.mensajes_visibles(caso=c, usuario=nacional)] == ["Hola", "Nota"]
        assert [m.texto for m in selectors.mensajes_visibles(caso=c, usuario=evaluador)] == ["Hola"]

    def test_a_closed_case_takes_no_messages(self, municipal, regional) -> None:
        c = caso_en(municipal, EstadoCaso.CERRADO, asignado_a=regional)
        for usuario in (municipal, regional):
            with pytest.raises(TransicionNoPermitida, match="cerrado"):
                services.mensaje_agregar(caso=c, usuario=usuario, texto="Hola")
        assert Mensaje.objects.count() == 0

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol", "anonimo"])
    def test_outsiders_cannot_write(self, nombre, persona, municipal, regional) -> None:
        c = caso_en(municipal, EstadoCaso.EN_GESTION, asignado_a=regional)
        mensaje(c, municipal)
        with pytest.raises(SinPermiso):
            services.mensaje_agregar(caso=c, usuario=usuario_de(persona, nombre), texto="Hola")
        assert Mensaje.objects.count() == 1

    def test_a_message_notifies_the_other_side_never_with_the_name(self, municipal, regional) -> None:
        from sello.models import Notificacion

        c = caso_en(municipal, EstadoCaso.EN_GESTION, asignado_a=regional, tipo=TipoCaso.VIOLENCIA)
        services.mensaje_agregar(caso=c, usuario=municipal, texto="Hola")
        notificacion = Notificacion.objects.get()
        assert notificacion.usuario == regional
        assert c.folio in notificacion.titulo
        assert c.persona.nombres not in notificacion.titulo


class TestAccesoSensible:
    def test_only_sensitive_cases_and_only_readers_are_logged(self, municipal, regional, regional_otra) -> None:
        from casos.models import AccesoSensible

        sensible = caso_en(municipal, EstadoCaso.DERIVADO, tipo=TipoCaso.TRATA)
        normal = caso_en(municipal, EstadoCaso.DERIVADO)
        services.acceso_registrar(caso=sensible, usuario=regional)
        services.acceso_registrar(caso=normal, usuario=regional)
        services.acceso_registrar(caso=sensible, usuario=regional_otra)  # cannot read it: not logged
        assert list(AccesoSensible.objects.values_list("caso", "usuario", "via")) == [(sensible.pk, regional.pk, "web")]

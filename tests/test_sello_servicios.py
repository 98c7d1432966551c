"""Rules of the seal's services: adhesion, plan, evidence and its review loop, scoring,
evaluation and decision. A refused operation writes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sello.demo import pdf
from sello.errores import ArchivoInvalido, ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import (
    AccionPlan,
    Adhesion,
    Archivo,
    Certificado,
    EstadoPlan,
    EstadoSello,
    Evidencia,
    Puntaje,
    ReglaPuntaje,
)
from sello.puntaje import calcular
from sello.services import adhesion as adhesion_services
from sello.services import evaluacion as evaluacion_services
from sello.services import evidencias as evidencias_services
from sello.services import plan as plan_services

from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

HOY = date.today()


def registrar(adhesion: Adhesion, usuario, **cambios):
    datos = {
        "adhesion": adhesion,
        "usuario": usuario,
        "version": adhesion.version,
        "fecha_adhesion": HOY - timedelta(days=1),
        "acuerdo_concejo_numero": "45/2026",
        "acuerdo_concejo_fecha": HOY - timedelta(days=10),
        "encargado_nombre": "Ignacio Pérez",
        "encargado_cargo": "Encargado Oficina de Migrantes",
        "encargado_email": "ipérez@independencia.cl".replace("é", "e"),
        "carta_firmada": pdf("carta.pdf"),
    }
    datos.update(cambios)
    return adhesion_services.adhesion_registrar(**datos)


class TestAdhesion:
    def test_it_registers_the_signed_letter(self, municipal, regional, independencia, settings, tmp_path) -> None:
        settings.MEDIA_ROOT = tmp_path
        adhesion = adhesion_services.adhesion_crear(municipalidad=independencia, usuario=regional)
        adhesion = registrar(adhesion, municipal)
        assert adhesion.estado == EstadoSello.ADHERIDA
        assert adhesion.carta_firmada.nombre_original == "carta.pdf"
        assert adhesion.carta_firmada.tipo == "application/pdf"

    def test_a_bad_letter_is_refused_and_nothing_is_stored(
        self, municipal, regional, independencia, settings, tmp_path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        adhesion = adhesion_services.adhesion_crear(municipalidad=independencia, usuario=regional)
        html = SimpleUploadedFile("carta.pdf", b"<html><script>x</script></html>", content_type="application/pdf")
        with pytest.raises(ArchivoInvalido):
            registrar(adhesion, municipal, carta_firmada=html)
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.INTERESADA
        assert not Archivo.objects.exists()
        assert not any(p.is_file() for p in tmp_path.rglob("*"))

    def test_dates_are_checked(self, municipal, regional, independencia) -> None:
        adhesion = adhesion_services.adhesion_crear(municipalidad=independencia, usuario=regional)
        with pytest.raises(ErrorDeNegocio, match="anterior al acuerdo"):
            registrar(adhesion, municipal, acuerdo_concejo_fecha=HOY)
        with pytest.raises(ErrorDeNegocio, match="futura"):
            registrar(adhesion, municipal, fecha_adhesion=HOY + timedelta(days=3), acuerdo_concejo_fecha=HOY)

    def test_only_one_process_at_a_time(self, regional, independencia) -> None:
        adhesion_services.adhesion_crear(municipalidad=independencia, usuario=regional)
        with pytest.raises(ErrorDeNegocio, match="ya tiene un proceso"):
            adhesion_services.adhesion_crear(municipalidad=independencia, usuario=regional)

    def test_other_territories_cannot_register_interest(self, regional_otra, evaluador, independencia) -> None:
        for usuario in (regional_otra, evaluador):
            with pytest.raises(SinPermiso):
                adhesion_services.adhesion_crear(municipalidad=independencia, usuario=usuario)
        assert not Adhesion.objects.exists()

    def test_starting_the_plan_copies_the_catalogue(self, municipal, regional, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal, regional=regional).adhesion
        plan = adhesion_services.plan_iniciar(adhesion=adhesion, usuario=municipal, version=adhesion.version)
        assert plan.acciones.count() == 20
        assert plan.acciones.filter(obligatoria=True).count() == 6  # 1.1, 1.2, 2.1, 3.1, 4.1, 5.1


class TestPlan:
    @pytest.fixture
    def plan(self, municipal, regional, independencia):
        return construir(independencia, EstadoSello.PLAN_EN_ELABORACION, municipal=municipal, regional=regional).plan

    def test_mandatory_actions_cannot_be_not_applicable(self, plan, municipal) -> None:
        accion = plan.acciones.filter(obligatoria=True).first()
        with pytest.raises(ErrorDeNegocio, match="obligatoria"):
            plan_services.accion_actualizar(
                accion=accion,
                usuario=municipal,
                unidad_responsable="",
                fecha_inicio=None,
                fecha_termino=None,
                indicador="",
                meta="",
                no_aplica=True,
                justificacion_no_aplica="No tenemos presupuesto",
            )

    def test_not_applicable_needs_a_reason_and_dates_must_be_ordered(self, plan, municipal) -> None:
        accion = plan.acciones.filter(obligatoria=False).first()
        with pytest.raises(ErrorDeNegocio, match="por qué"):
            plan_services.accion_actualizar(
                accion=accion,
                usuario=municipal,
                unidad_responsable="",
                fecha_inicio=None,
                fecha_termino=None,
                indicador="",
                meta="",
                no_aplica=True,
                justificacion_no_aplica=" ",
            )
        with pytest.raises(ErrorDeNegocio, match="término"):
            plan_services.accion_actualizar(
                accion=accion,
                usuario=municipal,
                unidad_responsable="DIDECO",
                fecha_inicio=HOY,
                fecha_termino=HOY - timedelta(days=1),
                indicador="x",
                meta="y",
            )

    def test_an_incomplete_plan_cannot_be_sent(self, plan, municipal) -> None:
        AccionPlan.objects.filter(pk=plan.acciones.first().pk).update(indicador="")
        with pytest.raises(ErrorDeNegocio, match="incompleto"):
            plan_services.plan_enviar(plan=plan, usuario=municipal, version=plan.version)
        plan.refresh_from_db()
        assert plan.estado == EstadoPlan.BORRADOR

    def test_review_loop(self, plan, municipal, regional, regional_otra) -> None:
        plan = plan_services.plan_enviar(plan=plan, usuario=municipal, version=plan.version)
        with pytest.raises(SinPermiso):
            plan_services.plan_revisar(
                plan=plan, usuario=regional_otra, aprobar=True, comentario="", version=plan.version
            )
        with pytest.raises(ErrorDeNegocio, match="observaciones"):
            plan_services.plan_revisar(plan=plan, usuario=regional, aprobar=False, comentario="", version=plan.version)
        plan = plan_services.plan_revisar(
            plan=plan, usuario=regional, aprobar=False, comentario="Falta el indicador de la 2.1", version=plan.version
        )
        assert plan.estado == EstadoPlan.OBSERVADO
        plan = plan_services.plan_enviar(plan=plan, usuario=municipal, version=plan.version)
        with pytest.raises(ConflictoDeVersion):
            plan_services.plan_revisar(
                plan=plan, usuario=regional, aprobar=True, comentario="", version=plan.version - 1
            )
        plan = plan_services.plan_revisar(
            plan=plan, usuario=regional, aprobar=True, comentario="", version=plan.version
        )
        assert plan.estado == EstadoPlan.APROBADO
        assert plan.adhesion.estado == EstadoSello.PLAN_APROBADO
        assert plan.adhesion.municipalidad.funcionarios.first().notificaciones.count() == 2

    def test_a_sent_plan_cannot_be_edited(self, plan, municipal) -> None:
        plan = plan_services.plan_enviar(plan=plan, usuario=municipal, version=plan.version)
        with pytest.raises(TransicionNoPermitida):
            plan_services.accion_agregar(
                plan=plan,
                usuario=municipal,
                linea=1,
                nombre="Otra",
                unidad_responsable="",
                fecha_inicio=None,
                fecha_termino=None,
                indicador="",
                meta="",
            )


class TestEvidencia:
    def test_it_needs_a_file_or_a_link_not_both(self, sello_independencia, municipal) -> None:
        accion = sello_independencia.acciones[10]
        with pytest.raises(ErrorDeNegocio, match="solo uno"):
            evidencias_services.evidencia_presentar(accion=accion, usuario=municipal, descripcion="x")
        with pytest.raises(ErrorDeNegocio, match="solo uno"):
            evidencias_services.evidencia_presentar(
                accion=accion, usuario=municipal, descripcion="x", archivo=pdf(), enlace="https://a.cl"
            )
        with pytest.raises(ErrorDeNegocio, match="dirección web"):
            evidencias_services.evidencia_presentar(
                accion=accion, usuario=municipal, descripcion="x", enlace="javascript:alert(1)"
            )
        assert not Evidencia.objects.filter(accion=accion).exists()

    def test_only_the_municipality_submits(self, sello_independencia, municipal_otra, regional, nacional) -> None:
        accion = sello_independencia.acciones[10]
        for usuario in (municipal_otra, regional, nacional):
            with pytest.raises(SinPermiso):
                evidencias_services.evidencia_presentar(
                    accion=accion, usuario=usuario, descripcion="x", enlace="https://a.cl"
                )
        assert not Evidencia.objects.filter(accion=accion).exists()

    def test_not_before_the_plan_is_approved(self, municipal, regional, independencia) -> None:
        plan = construir(independencia, EstadoSello.PLAN_EN_ELABORACION, municipal=municipal, regional=regional).plan
        with pytest.raises(TransicionNoPermitida):
            evidencias_services.evidencia_presentar(
                accion=plan.acciones.first(), usuario=municipal, descripcion="x", enlace="https://a.cl"
            )

    def test_the_review_loop_moves_the_score(self, sello_independencia, municipal, regional, regional_otra) -> None:
        adhesion = sello_independencia.adhesion
        accion = sello_independencia.acciones[12]
        antes = calcular(adhesion).total
        evidencia = evidencias_services.evidencia_presentar(
            accion=accion, usuario=municipal, descripcion="Ordenanza", enlace="https://a.cl/ordenanza"
        )
        with pytest.raises(SinPermiso):
            evidencias_services.evidencia_revisar(
                evidencia=evidencia, usuario=regional_otra, estado="aceptada", comentario="", version=1
            )
        with pytest.raises(ErrorDeNegocio, match="qué debe corregir"):
            evidencias_services.evidencia_revisar(
                evidencia=evidencia, usuario=regional, estado="observada", comentario="", version=1
            )
        evidencia = evidencias_services.evidencia_revisar(
            evidencia=evidencia, usuario=regional, estado="observada", comentario="Falta la firma", version=1
        )
        assert calcular(adhesion).total == antes
        with pytest.raises(TransicionNoPermitida):
            evidencias_services.evidencia_revisar(
                evidencia=evidencia, usuario=regional, estado="aceptada", comentario="", version=2
            )
        nueva = evidencias_services.evidencia_presentar(
            accion=accion,
            usuario=municipal,
            descripcion="Ordenanza firmada",
            enlace="https://a.cl/firmada",
            reemplaza=evidencia,
        )
        with pytest.raises(ErrorDeNegocio, match="ya fue presentada"):
            evidencias_services.evidencia_presentar(
                accion=accion, usuario=municipal, descripcion="Otra vez", enlace="https://a.cl/x", reemplaza=evidencia
            )
        with pytest.raises(ConflictoDeVersion):
            evidencias_services.evidencia_revisar(
                evidencia=nueva, usuario=regional, estado="aceptada", comentario="", version=7
            )
        evidencias_services.evidencia_revisar(
            evidencia=nueva, usuario=regional, estado="aceptada", comentario="", version=1
        )
        despues = calcular(adhesion).total
        assert despues > antes
        ultimo = Puntaje.objects.filter(adhesion=adhesion).latest()
        assert ultimo.total == despues
        assert ultimo.regla == adhesion.regla


class TestPuntaje:
    def test_the_rule_and_its_explanation(self, sello_independencia, municipal, regional) -> None:
        resultado = calcular(sello_independencia.adhesion)
        # One accepted action (1.2) out of 5 in line 1: 20% of its 25 points.
        linea1 = resultado.lineas[0]
        assert (linea1.aplicables, linea1.cumplidas, linea1.porcentaje) == (5, 1, Decimal("20.00"))
        assert resultado.total == Decimal("5.00")
        assert not resultado.cumple
        assert "Línea 1 (Institucionalidad): 20.00% cumplido; el mínimo es 60%." in resultado.explicacion
        motivos = {f.accion: f.motivo for f in linea1.faltantes}
        assert motivos[sello_independencia.acciones[0].nombre] == "evidencia enviada, en revisión regional"
        assert motivos[sello_independencia.acciones[2].nombre] == "evidencia observada: debe volver a presentarla"
        assert motivos[sello_independencia.acciones[3].nombre] == "evidencia rechazada: presente una nueva"

    def test_not_applicable_leaves_the_denominator_when_the_rule_says_so(self, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        AccionPlan.objects.filter(plan__adhesion=adhesion, linea=1, obligatoria=False).exclude(
            pk=sello_independencia.acciones[1].pk
        ).update(no_aplica=True)
        # Line 1: 1.1 (mandatory, pending) and 1.2 (accepted) remain: 50%.
        assert calcular(adhesion).lineas[0].porcentaje == Decimal("50.00")
        estricta = ReglaPuntaje.objects.create(
            version=2,
            nombre="Estricta",
            pesos=adhesion.regla.pesos,
            minimos=adhesion.regla.minimos,
            umbral=75,
            no_aplica_excluye=False,
        )
        assert calcular(adhesion, estricta).lineas[0].porcentaje == Decimal("20.00")

    def test_evaluation_can_be_requested_only_when_the_rule_allows(self, sello_independencia, municipal) -> None:
        adhesion = sello_independencia.adhesion
        with pytest.raises(ErrorDeNegocio, match="Aún no cumple"):
            evaluacion_services.evaluacion_solicitar(adhesion=adhesion, usuario=municipal, version=adhesion.version)
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.EN_IMPLEMENTACION


class TestEvaluacion:
    @pytest.fixture
    def en_evaluacion(self, municipal, regional, nacional, evaluador, independencia):
        return construir(
            independencia,
            EstadoSello.EN_EVALUACION,
            municipal=municipal,
            regional=regional,
            nacional=nacional,
            evaluador=evaluador,
        )

    def test_only_the_assigned_evaluator_scores(self, en_evaluacion, nacional, municipal) -> None:
        from .factories import UsuarioFactory

        otro = UsuarioFactory(rol="evaluador", username="otro.evaluador")
        for usuario in (otro, nacional, municipal):
            with pytest.raises(SinPermiso):
                evaluacion_services.evaluacion_registrar(
                    evaluacion=en_evaluacion.evaluacion,
                    usuario=usuario,
                    puntajes={},
                    comentarios={},
                    comentario_general="",
                    enviar=False,
                )

    def test_scores_are_validated(self, en_evaluacion, evaluador) -> None:
        for puntajes, mensaje in [({"1": "200"}, "entre 0 y 100"), ({"1": "muy bien"}, "no es un número")]:
            with pytest.raises(ErrorDeNegocio, match=mensaje):
                evaluacion_services.evaluacion_registrar(
                    evaluacion=en_evaluacion.evaluacion,
                    usuario=evaluador,
                    puntajes=puntajes,
                    comentarios={},
                    comentario_general="",
                    enviar=False,
                )
        with pytest.raises(ErrorDeNegocio, match="Falta el puntaje de la línea 2"):
            evaluacion_services.evaluacion_registrar(
                evaluacion=en_evaluacion.evaluacion,
                usuario=evaluador,
                puntajes={"1": 80},
                comentarios={},
                comentario_general="",
                enviar=True,
            )

    def test_decision_waits_for_every_evaluation_then_certifies(
        self, en_evaluacion, evaluador, nacional, settings
    ) -> None:
        adhesion = en_evaluacion.adhesion
        resolucion = HOY - timedelta(days=2)
        with pytest.raises(TransicionNoPermitida, match="Faltan evaluaciones"):
            evaluacion_services.decision_registrar(
                adhesion=adhesion,
                usuario=nacional,
                decision="otorgar",
                resolucion_numero="REX 9",
                resolucion_fecha=resolucion,
                fundamento="",
                version=adhesion.version,
            )
        evaluacion_services.evaluacion_registrar(
            evaluacion=en_evaluacion.evaluacion,
            usuario=evaluador,
            puntajes={str(n): 85 for n in range(1, 6)},
            comentarios={"1": "Bien"},
            comentario_general="Cumple",
            enviar=True,
        )
        evaluacion_services.decision_registrar(
            adhesion=adhesion,
            usuario=nacional,
            decision="otorgar",
            resolucion_numero="REX 9",
            resolucion_fecha=resolucion,
            fundamento="",
            version=adhesion.version,
        )
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.CERTIFICADA
        assert adhesion.vigente_hasta == resolucion + timedelta(days=settings.SELLO_VIGENCIA_DIAS)
        certificado = Certificado.objects.get(adhesion=adhesion)
        assert (certificado.emitido_en, certificado.vigente_hasta, certificado.resolucion_numero) == (
            resolucion,
            adhesion.vigente_hasta,
            "REX 9",
        )

    def test_observing_returns_to_implementation(self, en_evaluacion, evaluador, nacional) -> None:
        adhesion = en_evaluacion.adhesion
        evaluacion_services.evaluacion_registrar(
            evaluacion=en_evaluacion.evaluacion,
            usuario=evaluador,
            puntajes={str(n): 50 for n in range(1, 6)},
            comentarios={},
            comentario_general="Insuficiente en línea 3",
            enviar=True,
        )
        with pytest.raises(ErrorDeNegocio, match="fundamento"):
            evaluacion_services.decision_registrar(
                adhesion=adhesion,
                usuario=nacional,
                decision="observar",
                resolucion_numero="REX 10",
                resolucion_fecha=HOY,
                fundamento="",
                version=adhesion.version,
            )
        evaluacion_services.decision_registrar(
            adhesion=adhesion,
            usuario=nacional,
            decision="observar",
            resolucion_numero="REX 10",
            resolucion_fecha=HOY,
            fundamento="Falta la ordenanza municipal.",
            version=adhesion.version,
        )
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.EN_IMPLEMENTACION
        assert adhesion.observaciones == "Falta la ordenanza municipal."
        assert not Certificado.objects.filter(adhesion=adhesion).exists()

    def test_only_active_committee_members_can_be_assigned(self, municipal, regional, nacional, independencia) -> None:
        adhesion = construir(
            independencia, EstadoSello.EVALUACION_SOLICITADA, municipal=municipal, regional=regional
        ).adhesion
        with pytest.raises(ErrorDeNegocio, match="Comité Evaluador"):
            evaluacion_services.evaluadores_asignar(
                adhesion=adhesion, usuario=nacional, evaluadores=[regional], version=adhesion.version
            )
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.EVALUACION_SOLICITADA

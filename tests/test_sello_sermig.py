"""SERMIG seal pages: the regional review queue and reviews, the seal file, the national
decisions (evaluators, committee decision, withdrawal, revocation) and the Comité Evaluador.

Every write is tried by every persona: the allowed one changes what it should, the others are
refused (login, 403 or 404) and nothing changes.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from municipios.models import Municipalidad, Rol
from sello.models import (
    Adhesion,
    Certificado,
    DecisionComite,
    EstadoPlan,
    EstadoSello,
    Evaluacion,
    Evidencia,
    Notificacion,
    PlanTrabajo,
    Puntaje,
)
from sello.puntaje import calcular

from .conftest import client_for
from .factories import UsuarioFactory
from .sello_fixtures import Sello, construir

pytestmark = pytest.mark.django_db

LINEAS = ("1", "2", "3", "4", "5")


def estado_evidencia(evidencia: Evidencia) -> tuple[Any, ...]:
    evidencia.refresh_from_db()
    return (evidencia.estado, evidencia.version, evidencia.comentario_revision, evidencia.revisada_por_id)


def estado_adhesion(adhesion: Adhesion) -> tuple[Any, ...]:
    adhesion.refresh_from_db()
    return (adhesion.estado, adhesion.version, adhesion.observaciones, adhesion.vigente_hasta)


def rechazo_esperado(response: Any, status: int) -> None:
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def todos(municipal, municipal_otra, regional, regional_otra, nacional, evaluador) -> None:
    """Every persona exists (so that a parametrised test can ask for any of them)."""


@pytest.fixture
def en_evaluacion_solicitada(municipal, regional, independencia) -> Sello:
    return construir(independencia, EstadoSello.EVALUACION_SOLICITADA, municipal=municipal, regional=regional)


@pytest.fixture
def en_evaluacion(municipal, regional, nacional, evaluador, independencia) -> Sello:
    return construir(
        independencia,
        EstadoSello.EN_EVALUACION,
        municipal=municipal,
        regional=regional,
        nacional=nacional,
        evaluador=evaluador,
    )


@pytest.fixture
def plan_enviado(municipal, regional, independencia) -> Sello:
    return construir(
        independencia, EstadoSello.PLAN_EN_ELABORACION, municipal=municipal, plan_estado=EstadoPlan.ENVIADO
    )


def mas_municipalidades(cuts: list[str], estado: EstadoSello, municipal: Any, **kwargs: Any) -> list[Sello]:
    return [construir(Municipalidad.objects.get(comuna_id=cut), estado, municipal=municipal, **kwargs) for cut in cuts]


# Comunas of the Región Metropolitana other than Independencia and Quilicura.
OTRAS_RM = ["13101", "13102", "13103", "13104", "13105", "13106", "13107", "13109", "13110", "13111"]


# --- Review queue ---------------------------------------------------------------------------


class TestRevision:
    url = "/sello/revision/"

    def test_regional_sees_the_queue_of_its_region(self, sello_independencia, sello_quilicura, regional) -> None:
        response = client_for(regional).get(self.url)
        assert response.status_code == 200
        assert [e.pk for e in response.context["evidencias"]] == [sello_independencia.evidencias["enviada"].pk]
        assert list(response.context["planes"]) == []
        # In lifecycle order: "en implementación" before "certificada".
        assert [a.municipalidad.comuna_id for a in response.context["adhesiones"]] == ["13108", "13125"]
        por_estado = {valor: total for valor, _, total in response.context["por_estado"]}
        assert por_estado[EstadoSello.EN_IMPLEMENTACION] == 1
        assert por_estado[EstadoSello.CERTIFICADA] == 1
        body = response.content.decode()
        assert "Municipalidad de Independencia" in body
        assert f"/sello/{sello_independencia.adhesion.uuid}/#accion-" in body

    def test_plans_waiting_are_listed_oldest_first(self, regional, municipal) -> None:
        sellos = mas_municipalidades(
            ["13101", "13102"], EstadoSello.PLAN_EN_ELABORACION, municipal, plan_estado=EstadoPlan.ENVIADO
        )
        PlanTrabajo.objects.filter(pk=sellos[1].plan.pk).update(enviado_en=datetime(2026, 1, 1, tzinfo=UTC))
        response = client_for(regional).get(self.url)
        assert [p.adhesion.municipalidad.comuna_id for p in response.context["planes"]] == ["13102", "13101"]

    def test_a_regional_of_another_region_sees_none_of_it(self, sello_independencia, regional_otra) -> None:
        response = client_for(regional_otra).get(self.url)
        assert response.status_code == 200
        assert response.context["evidencias"].paginator.count == 0
        assert response.context["adhesiones"].paginator.count == 0
        assert "Independencia" not in response.content.decode()

    def test_nacional_sees_every_region(self, sello_independencia, nacional, municipal_valparaiso) -> None:
        construir(
            Municipalidad.objects.get(comuna_id="05101"), EstadoSello.EN_IMPLEMENTACION, municipal=municipal_valparaiso
        )
        response = client_for(nacional).get(self.url)
        assert response.context["evidencias"].paginator.count == 2
        assert response.context["adhesiones"].paginator.count == 2

    def test_it_filters_adhesions_by_state(self, sello_independencia, sello_quilicura, regional) -> None:
        response = client_for(regional).get(self.url, {"estado": "certificada"})
        assert [a.municipalidad.comuna_id for a in response.context["adhesiones"]] == ["13125"]
        response = client_for(regional).get(self.url, {"estado": "no-existe", "pagina_adhesiones": "x"})
        assert response.status_code == 200
        assert response.context["adhesiones"].paginator.count == 2

    def test_the_evaluador_is_sent_to_its_evaluations(self, evaluador) -> None:
        response = client_for(evaluador).get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("sello:evaluaciones")

    @pytest.mark.parametrize("nombre", ["municipal", "sin_rol"])
    def test_municipal_and_roleless_users_are_refused(self, nombre, persona, sello_independencia) -> None:
        response = client_for(persona(nombre)).get(self.url)
        assert response.status_code == 403
        assert "Evidencia enviada" not in response.content.decode()

    def test_anonymous_is_sent_to_login(self) -> None:
        rechazo_esperado(client_for(None).get(self.url), 302)

    def test_query_count_does_not_grow_with_rows(
        self, sello_independencia, regional, municipal, django_assert_num_queries
    ) -> None:
        client = client_for(regional)
        mas_municipalidades(["13101"], EstadoSello.PLAN_EN_ELABORACION, municipal, plan_estado=EstadoPlan.ENVIADO)
        # 1 session, 2 user, 3 adhesions by state, 4-5 COUNT and page of evidence waiting,
        # 6-7 COUNT and page of plans waiting, 8-9 COUNT and page of adhesions,
        # 10 unread notifications (navigation).
        with django_assert_num_queries(10):
            response = client.get(self.url)
        assert len(response.context["evidencias"]) == len(response.context["planes"]) == 1
        mas_municipalidades(OTRAS_RM[1:7], EstadoSello.EN_IMPLEMENTACION, municipal)
        mas_municipalidades(OTRAS_RM[7:], EstadoSello.PLAN_EN_ELABORACION, municipal, plan_estado=EstadoPlan.ENVIADO)
        with django_assert_num_queries(10):
            response = client.get(self.url)
        assert len(response.context["evidencias"]) == 7
        assert len(response.context["planes"]) == 4
        assert len(response.context["adhesiones"]) == 11


# --- The seal file --------------------------------------------------------------------------


class TestDetalle:
    def url(self, sello: Sello) -> str:
        return reverse("sello:detalle", kwargs={"uuid": sello.adhesion.uuid})

    def test_regional_gets_review_forms_for_submitted_evidence_only(self, sello_independencia, regional) -> None:
        response = client_for(regional).get(self.url(sello_independencia))
        assert response.status_code == 200
        body = response.content.decode()
        enviada = sello_independencia.evidencias["enviada"]
        assert reverse("sello:evidencia_revisar", kwargs={"uuid": enviada.uuid}) in body
        for estado in ("aceptada", "observada", "rechazada"):
            revisada = sello_independencia.evidencias[estado]
            assert revisada.descripcion in body
            assert reverse("sello:evidencia_revisar", kwargs={"uuid": revisada.uuid}) not in body
        assert f'name="version" value="{enviada.version}"' in body
        assert "Qué falta para certificar" in body  # the shared summary
        assert reverse("sello:retirar", kwargs={"uuid": sello_independencia.adhesion.uuid}) not in body

    @pytest.mark.parametrize("nombre", ["nacional", "evaluador"])
    def test_nacional_and_evaluador_read_without_review_forms(self, nombre, persona, sello_independencia) -> None:
        response = client_for(persona(nombre)).get(self.url(sello_independencia))
        assert response.status_code == 200
        body = response.content.decode()
        assert sello_independencia.evidencias["enviada"].descripcion in body
        assert "/revisar/" not in body
        retirar = reverse("sello:retirar", kwargs={"uuid": sello_independencia.adhesion.uuid})
        assert (retirar in body) == (nombre == "nacional")

    def test_the_municipality_is_sent_to_mi_sello(self, sello_independencia, municipal) -> None:
        response = client_for(municipal).get(self.url(sello_independencia))
        assert response.status_code == 302
        assert response["Location"] == reverse("sello:mi_sello")

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "sin_rol"])
    def test_other_territories_get_a_404(self, nombre, persona, sello_independencia) -> None:
        response = client_for(persona(nombre)).get(self.url(sello_independencia))
        assert response.status_code == 404
        assert "Evidencia enviada" not in response.content.decode()

    def test_it_shows_the_certificate_and_its_revocation_form_to_nacional(self, sello_quilicura, nacional) -> None:
        body = client_for(nacional).get(self.url(sello_quilicura)).content.decode()
        certificado = sello_quilicura.certificado
        assert f"/verificar/{certificado.codigo}/" in body
        assert reverse("sello:certificado_revocar", kwargs={"pk": certificado.pk}) in body

    def test_query_count_does_not_grow_with_evidence(
        self, sello_independencia, regional, django_assert_num_queries
    ) -> None:
        client = client_for(regional)
        url = self.url(sello_independencia)
        # 1 session, 2 user, 3 adhesion (with municipality, catalogue, rule, plan, certificate),
        # 4 actions and 5 their evidence, 6 evaluations, 7 scoring (actions with evidence counts),
        # 8 unread notifications, 9 decisions, 10 transition log, 11-13 what the platform proves
        # by itself (municipal trainings with attendance, staff certified by SERMIG, operativos).
        with django_assert_num_queries(13):
            client.get(url)
        enviada = sello_independencia.evidencias["enviada"]
        for accion in sello_independencia.acciones[4:]:
            Evidencia.objects.create(
                adhesion=enviada.adhesion,
                accion=accion,
                descripcion="Otra evidencia",
                enlace="https://example.cl/x",
                enviada_por=enviada.enviada_por,
                enviada_en=enviada.enviada_en,
            )
        with django_assert_num_queries(13):
            response = client.get(url)
        assert response.content.decode().count("Registrar revisión</button>") == len(sello_independencia.acciones) - 3


# --- Evidence review (regional) -------------------------------------------------------------


class TestEvidenciaRevisar:
    def post(self, user: Any, evidencia: Evidencia, **datos: Any) -> Any:
        datos.setdefault("version", evidencia.version)
        return client_for(user).post(reverse("sello:evidencia_revisar", kwargs={"uuid": evidencia.uuid}), datos)

    def test_observing_with_a_comment_reaches_the_municipality(self, sello_independencia, regional, municipal) -> None:
        enviada = sello_independencia.evidencias["enviada"]
        response = self.post(regional, enviada, estado="observada", comentario="Falta la firma del alcalde.")
        assert response.status_code == 302
        assert response["Location"] == f"/sello/{sello_independencia.adhesion.uuid}/#accion-{enviada.accion_id}"
        assert estado_evidencia(enviada) == ("observada", 2, "Falta la firma del alcalde.", regional.pk)
        aviso = Notificacion.objects.get(usuario=municipal)
        assert aviso.cuerpo == "Falta la firma del alcalde."
        assert "Falta la firma del alcalde." in client_for(municipal).get(reverse("sello:mi_sello")).content.decode()

    def test_accepting_moves_the_score(self, sello_independencia, regional) -> None:
        adhesion = sello_independencia.adhesion
        antes = calcular(adhesion)
        assert antes.lineas[0].cumplidas == 1
        client = client_for(regional)
        enviada = sello_independencia.evidencias["enviada"]
        url = reverse("sello:evidencia_revisar", kwargs={"uuid": enviada.uuid})
        response = client.post(url, {"estado": "aceptada", "comentario": "", "version": enviada.version})
        assert response.status_code == 302
        despues = calcular(adhesion)
        assert despues.lineas[0].cumplidas == 2
        assert despues.total == antes.total + Decimal("5.00")  # 1 of 5 actions of a line weighing 25
        assert Puntaje.objects.get(adhesion=adhesion).total == despues.total
        body = client.get(response["Location"]).content.decode()
        assert f"Evidencia «{enviada.descripcion[:80]}»: aceptada." in body

    def test_rejecting_without_a_comment_is_refused(self, sello_independencia, regional) -> None:
        enviada = sello_independencia.evidencias["enviada"]
        antes = estado_evidencia(enviada)
        response = self.post(regional, enviada, estado="rechazada", comentario="  ")
        assert response.status_code == 400
        assert "Explique a la municipalidad qué debe corregir." in response.content.decode()
        assert estado_evidencia(enviada) == antes

    def test_an_invalid_result_is_a_400(self, sello_independencia, regional) -> None:
        enviada = sello_independencia.evidencias["enviada"]
        antes = estado_evidencia(enviada)
        assert self.post(regional, enviada, estado="borrada").status_code == 400
        assert self.post(regional, enviada, estado="aceptada", version="x").status_code == 400
        assert estado_evidencia(enviada) == antes

    def test_a_stale_version_is_refused_with_409(self, sello_independencia, regional) -> None:
        enviada = sello_independencia.evidencias["enviada"]
        cargada = enviada.version
        otro = UsuarioFactory.regional("13", username="otro.regional")
        assert self.post(otro, enviada, estado="aceptada", version=cargada).status_code == 302
        response = self.post(regional, enviada, estado="rechazada", comentario="No sirve", version=cargada)
        assert response.status_code == 409
        assert "Otra persona modificó estos datos" in response.content.decode()
        assert estado_evidencia(enviada)[0] == "aceptada"

    def test_reviewing_twice_is_a_409(self, sello_independencia, regional) -> None:
        aceptada = sello_independencia.evidencias["aceptada"]
        antes = estado_evidencia(aceptada)
        assert self.post(regional, aceptada, estado="rechazada", comentario="No").status_code == 409
        assert estado_evidencia(aceptada) == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 403),
            ("municipal_otra", 404),
            ("regional_otra", 404),
            ("nacional", 403),
            ("evaluador", 403),
        ],
    )
    def test_only_the_regional_team_reviews(self, nombre, status, persona, todos, sello_independencia) -> None:
        enviada = sello_independencia.evidencias["enviada"]
        antes = estado_evidencia(enviada)
        rechazo_esperado(self.post(persona(nombre), enviada, estado="aceptada"), status)
        assert estado_evidencia(enviada) == antes
        assert not Puntaje.objects.exists()

    def test_get_is_not_allowed(self, sello_independencia, regional) -> None:
        url = reverse("sello:evidencia_revisar", kwargs={"uuid": sello_independencia.evidencias["enviada"].uuid})
        assert client_for(regional).get(url).status_code == 405


# --- Plan review (regional) -----------------------------------------------------------------


class TestPlanRevisar:
    def post(self, user: Any, sello: Sello, **datos: Any) -> Any:
        assert sello.plan is not None
        datos.setdefault("version", sello.plan.version)
        return client_for(user).post(reverse("sello:plan_revisar", kwargs={"uuid": sello.adhesion.uuid}), datos)

    def plan(self, sello: Sello) -> tuple[Any, ...]:
        assert sello.plan is not None
        sello.plan.refresh_from_db()
        return (sello.plan.estado, sello.plan.version, sello.plan.comentario_revision)

    def test_the_file_offers_the_review_form(self, plan_enviado, regional) -> None:
        body = client_for(regional).get(f"/sello/{plan_enviado.adhesion.uuid}/").content.decode()
        assert reverse("sello:plan_revisar", kwargs={"uuid": plan_enviado.adhesion.uuid}) in body

    def test_approving_moves_the_seal_to_plan_aprobado(self, plan_enviado, regional) -> None:
        response = self.post(regional, plan_enviado, resultado="aprobar", comentario="Buen plan.")
        assert response.status_code == 302
        assert self.plan(plan_enviado) == (EstadoPlan.APROBADO, 2, "Buen plan.")
        adhesion = plan_enviado.adhesion
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.PLAN_APROBADO
        assert adhesion.transiciones.get().usuario == regional

    def test_observing_keeps_the_seal_in_elaboration(self, plan_enviado, regional, municipal) -> None:
        response = self.post(regional, plan_enviado, resultado="observar", comentario="Complete la línea 3.")
        assert response.status_code == 302
        assert self.plan(plan_enviado) == (EstadoPlan.OBSERVADO, 2, "Complete la línea 3.")
        assert estado_adhesion(plan_enviado.adhesion)[0] == EstadoSello.PLAN_EN_ELABORACION
        assert Notificacion.objects.get(usuario=municipal).cuerpo == "Complete la línea 3."

    def test_observing_without_a_comment_is_a_400(self, plan_enviado, regional) -> None:
        antes = self.plan(plan_enviado)
        response = self.post(regional, plan_enviado, resultado="observar", comentario="")
        assert response.status_code == 400
        assert "Indique las observaciones al plan." in response.content.decode()
        assert self.plan(plan_enviado) == antes

    def test_a_stale_version_is_a_409(self, plan_enviado, regional) -> None:
        antes = self.plan(plan_enviado)
        response = self.post(regional, plan_enviado, resultado="aprobar", version=antes[1] - 1 or 99)
        assert response.status_code == 409
        assert self.plan(plan_enviado) == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 403),
            ("municipal_otra", 404),
            ("regional_otra", 404),
            ("nacional", 403),
            ("evaluador", 403),
        ],
    )
    def test_only_the_regional_team_reviews(self, nombre, status, persona, todos, plan_enviado) -> None:
        antes, adhesion_antes = self.plan(plan_enviado), estado_adhesion(plan_enviado.adhesion)
        rechazo_esperado(self.post(persona(nombre), plan_enviado, resultado="aprobar"), status)
        assert self.plan(plan_enviado) == antes
        assert estado_adhesion(plan_enviado.adhesion) == adhesion_antes


# --- Evaluators, evaluation, decision -------------------------------------------------------


def evaluacion_completa(**extra: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {f"puntaje_{n}": "90" for n in LINEAS}
    datos.update({f"comentario_{n}": f"Línea {n} bien" for n in LINEAS})
    datos.update(comentario_general="Cumple.", accion="enviar")
    datos.update(extra)
    return datos


def decision(adhesion: Adhesion, **extra: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {
        "decision": "otorgar",
        "resolucion_numero": "REX 2026/15",
        "resolucion_fecha": "2026-03-02",
        "fundamento": "",
        "version": adhesion.version,
    }
    datos.update(extra)
    return datos


class TestEvaluadoresAsignar:
    def url(self, sello: Sello) -> str:
        return reverse("sello:evaluadores", kwargs={"uuid": sello.adhesion.uuid})

    def test_nacional_assigns_and_the_evaluation_starts(self, en_evaluacion_solicitada, nacional, evaluador) -> None:
        client = client_for(nacional)
        form = client.get(self.url(en_evaluacion_solicitada)).context["form"]
        assert list(form.fields["evaluadores"].queryset) == [evaluador]
        adhesion = en_evaluacion_solicitada.adhesion
        response = client.post(
            self.url(en_evaluacion_solicitada), {"evaluadores": [evaluador.pk], "version": adhesion.version}
        )
        assert response.status_code == 302
        assert estado_adhesion(adhesion)[0] == EstadoSello.EN_EVALUACION
        evaluacion = Evaluacion.objects.get(adhesion=adhesion)
        assert (evaluacion.evaluador, evaluacion.ronda, evaluacion.asignada_por) == (evaluador, 1, nacional)
        assert Notificacion.objects.filter(usuario=evaluador).count() == 1

    def test_only_active_evaluators_can_be_chosen(self, en_evaluacion_solicitada, nacional, regional) -> None:
        adhesion = en_evaluacion_solicitada.adhesion
        antes = estado_adhesion(adhesion)
        inactivo = UsuarioFactory(rol=Rol.EVALUADOR, is_active=False, username="ex.evaluador")
        for elegido in ([regional.pk], [inactivo.pk], []):
            response = client_for(nacional).post(
                self.url(en_evaluacion_solicitada), {"evaluadores": elegido, "version": adhesion.version}
            )
            assert response.status_code == 400
        assert estado_adhesion(adhesion) == antes
        assert not Evaluacion.objects.exists()

    def test_a_stale_version_or_a_wrong_state_is_a_409(self, sello_independencia, nacional, evaluador) -> None:
        adhesion = sello_independencia.adhesion
        antes = estado_adhesion(adhesion)
        url = self.url(sello_independencia)
        assert "Solo se asignan evaluadores" in client_for(nacional).get(url).content.decode()
        response = client_for(nacional).post(url, {"evaluadores": [evaluador.pk], "version": adhesion.version})
        assert response.status_code == 409
        assert "No se puede" in response.content.decode()
        response = client_for(nacional).post(url, {"evaluadores": [evaluador.pk], "version": adhesion.version + 1})
        assert response.status_code == 409
        assert estado_adhesion(adhesion) == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 403),
            ("municipal_otra", 404),
            ("regional", 403),
            ("regional_otra", 404),
            ("evaluador", 403),
        ],
    )
    def test_only_nacional_assigns(self, nombre, status, persona, todos, en_evaluacion_solicitada, evaluador) -> None:
        adhesion = en_evaluacion_solicitada.adhesion
        antes = estado_adhesion(adhesion)
        client = client_for(persona(nombre))
        rechazo_esperado(client.get(self.url(en_evaluacion_solicitada)), status)
        response = client.post(
            self.url(en_evaluacion_solicitada), {"evaluadores": [evaluador.pk], "version": adhesion.version}
        )
        rechazo_esperado(response, status)
        assert estado_adhesion(adhesion) == antes
        assert not Evaluacion.objects.exists()


class TestEvaluaciones:
    def url(self, evaluacion: Evaluacion) -> str:
        return reverse("sello:evaluacion", kwargs={"uuid": evaluacion.uuid})

    def guardado(self, evaluacion: Evaluacion) -> tuple[Any, ...]:
        evaluacion.refresh_from_db()
        return (evaluacion.puntajes, evaluacion.comentarios, evaluacion.comentario_general, evaluacion.enviada_en)

    def test_the_evaluator_lists_only_its_own(self, en_evaluacion, evaluador, nacional, municipal_otra) -> None:
        otro = UsuarioFactory(rol=Rol.EVALUADOR, is_staff=True, username="otro.evaluador")
        quilicura = Municipalidad.objects.get(comuna_id="13125")
        construir(quilicura, EstadoSello.EN_EVALUACION, municipal=municipal_otra, nacional=nacional, evaluador=otro)
        response = client_for(evaluador).get(reverse("sello:evaluaciones"))
        assert [e.pk for e in response.context["page"]] == [en_evaluacion.evaluacion.pk]
        assert "Municipalidad de Quilicura" not in response.content.decode()

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional", "sin_rol"])
    def test_the_list_is_for_the_committee(self, nombre, persona, en_evaluacion) -> None:
        assert client_for(persona(nombre)).get(reverse("sello:evaluaciones")).status_code == 403

    def test_list_query_count_does_not_grow_with_rows(
        self, en_evaluacion, evaluador, nacional, municipal, django_assert_num_queries
    ) -> None:
        client = client_for(evaluador)
        # 1 session, 2 user, 3 COUNT, 4 page (with municipality and región), 5 unread notifications.
        with django_assert_num_queries(5):
            client.get(reverse("sello:evaluaciones"))
        mas_municipalidades(OTRAS_RM[1:6], EstadoSello.EN_EVALUACION, municipal, nacional=nacional, evaluador=evaluador)
        with django_assert_num_queries(5):
            response = client.get(reverse("sello:evaluaciones"))
        assert len(response.context["page"]) == 6

    def test_save_a_draft_then_submit(self, en_evaluacion, evaluador) -> None:
        evaluacion = en_evaluacion.evaluacion
        client = client_for(evaluador)
        assert client.get(self.url(evaluacion)).status_code == 200
        response = client.post(
            self.url(evaluacion), {"puntaje_1": "80", "comentario_1": "Oficina creada", "accion": "borrador"}
        )
        assert response.status_code == 302
        assert response["Location"] == self.url(evaluacion)
        assert self.guardado(evaluacion) == ({"1": "80"}, {"1": "Oficina creada"}, "", None)
        response = client.post(self.url(evaluacion), evaluacion_completa())
        assert response.status_code == 302
        assert response["Location"] == reverse("sello:evaluaciones")
        puntajes, comentarios, general, enviada_en = self.guardado(evaluacion)
        assert puntajes == dict.fromkeys(LINEAS, "90")
        assert comentarios["5"] == "Línea 5 bien"
        assert (general, enviada_en is not None) == ("Cumple.", True)
        again = client.post(self.url(evaluacion), evaluacion_completa(puntaje_1="10"))
        assert again.status_code == 409
        assert self.guardado(evaluacion)[0]["1"] == "90"

    def test_submitting_needs_every_line(self, en_evaluacion, evaluador) -> None:
        evaluacion = en_evaluacion.evaluacion
        response = client_for(evaluador).post(self.url(evaluacion), evaluacion_completa(puntaje_3=""))
        assert response.status_code == 400
        assert "Falta el puntaje de la línea 3." in response.content.decode()
        assert self.guardado(evaluacion) == ({}, {}, "", None)

    def test_scores_are_between_0_and_100(self, en_evaluacion, evaluador) -> None:
        evaluacion = en_evaluacion.evaluacion
        for malo in ("101", "-1", "muy bueno"):
            response = client_for(evaluador).post(self.url(evaluacion), evaluacion_completa(puntaje_2=malo))
            assert response.status_code == 400
        assert self.guardado(evaluacion) == ({}, {}, "", None)

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 404),
            ("municipal_otra", 404),
            ("regional", 404),
            ("regional_otra", 404),
            ("nacional", 404),
            ("otro_evaluador", 404),
        ],
    )
    def test_another_persons_evaluation_does_not_exist(self, nombre, status, persona, todos, en_evaluacion) -> None:
        user = (
            UsuarioFactory(rol=Rol.EVALUADOR, is_staff=True, username="otro.evaluador")
            if nombre == "otro_evaluador"
            else persona(nombre)
        )
        evaluacion = en_evaluacion.evaluacion
        client = client_for(user)
        rechazo_esperado(client.get(self.url(evaluacion)), status)
        rechazo_esperado(client.post(self.url(evaluacion), evaluacion_completa()), status)
        assert self.guardado(evaluacion) == ({}, {}, "", None)


class TestDecision:
    def url(self, sello: Sello) -> str:
        return reverse("sello:decision", kwargs={"uuid": sello.adhesion.uuid})

    def enviar_evaluacion(self, sello: Sello, evaluador: Any) -> None:
        assert sello.evaluacion is not None
        response = client_for(evaluador).post(
            reverse("sello:evaluacion", kwargs={"uuid": sello.evaluacion.uuid}), evaluacion_completa()
        )
        assert response.status_code == 302

    def test_otorgar_certifies_with_the_validity_of_the_rules(self, en_evaluacion, nacional, evaluador) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        page = client_for(nacional).get(self.url(en_evaluacion))
        assert "Línea 5 bien" in page.content.decode()  # the committee decides with the scores in view
        response = client_for(nacional).post(self.url(en_evaluacion), decision(adhesion))
        assert response.status_code == 302
        fecha = date(2026, 3, 2)
        vigente = fecha + timedelta(days=settings.SELLO_VIGENCIA_DIAS)
        assert estado_adhesion(adhesion) == (EstadoSello.CERTIFICADA, adhesion.version, "", vigente)
        certificado = Certificado.objects.get(adhesion=adhesion)
        assert (certificado.emitido_en, certificado.vigente_hasta) == (fecha, vigente)
        assert certificado.resolucion_numero == "REX 2026/15"
        registro = DecisionComite.objects.get(adhesion=adhesion)
        assert (registro.ronda, registro.registrada_por) == (1, nacional)

    def test_observar_returns_to_implementation_with_the_observations(
        self, en_evaluacion, nacional, evaluador, municipal
    ) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        datos = decision(adhesion, decision="observar", fundamento="Falta la mesa comunal de migración.")
        assert client_for(nacional).post(self.url(en_evaluacion), datos).status_code == 302
        estado, _, observaciones, vigente = estado_adhesion(adhesion)
        assert (estado, observaciones, vigente) == (
            EstadoSello.EN_IMPLEMENTACION,
            "Falta la mesa comunal de migración.",
            None,
        )
        assert not Certificado.objects.exists()
        body = client_for(nacional).get(f"/sello/{adhesion.uuid}/").content.decode()
        assert "Falta la mesa comunal de migración." in body
        assert Notificacion.objects.filter(usuario=municipal, cuerpo="Falta la mesa comunal de migración.").exists()

    def test_observar_needs_a_reason(self, en_evaluacion, nacional, evaluador) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        antes = estado_adhesion(adhesion)
        response = client_for(nacional).post(self.url(en_evaluacion), decision(adhesion, decision="observar"))
        assert response.status_code == 400
        assert "Indique el fundamento de la decisión." in response.content.decode()
        assert estado_adhesion(adhesion) == antes

    def test_pending_evaluations_block_the_decision(self, en_evaluacion, nacional) -> None:
        adhesion = en_evaluacion.adhesion
        antes = estado_adhesion(adhesion)
        response = client_for(nacional).post(self.url(en_evaluacion), decision(adhesion))
        assert response.status_code == 409
        assert "Faltan evaluaciones por enviar" in response.content.decode()
        assert estado_adhesion(adhesion) == antes
        assert not DecisionComite.objects.exists()

    def test_a_stale_version_is_a_409(self, en_evaluacion, nacional, evaluador) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        antes = estado_adhesion(adhesion)
        response = client_for(nacional).post(self.url(en_evaluacion), decision(adhesion, version=adhesion.version + 1))
        assert response.status_code == 409
        assert estado_adhesion(adhesion) == antes

    def test_bad_input_is_a_400(self, en_evaluacion, nacional, evaluador) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        antes = estado_adhesion(adhesion)
        for malo in ({"decision": "aplazar"}, {"resolucion_fecha": "ayer"}, {"resolucion_numero": ""}):
            assert client_for(nacional).post(self.url(en_evaluacion), decision(adhesion, **malo)).status_code == 400
        assert estado_adhesion(adhesion) == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 403),
            ("municipal_otra", 404),
            ("regional", 403),
            ("regional_otra", 404),
            ("evaluador", 403),
        ],
    )
    def test_only_nacional_decides(self, nombre, status, persona, todos, en_evaluacion, evaluador) -> None:
        self.enviar_evaluacion(en_evaluacion, evaluador)
        adhesion = en_evaluacion.adhesion
        antes = estado_adhesion(adhesion)
        client = client_for(persona(nombre))
        rechazo_esperado(client.get(self.url(en_evaluacion)), status)
        rechazo_esperado(client.post(self.url(en_evaluacion), decision(adhesion)), status)
        assert estado_adhesion(adhesion) == antes
        assert not DecisionComite.objects.exists()


def test_assignment_evaluation_and_decision_through_the_pages(
    en_evaluacion_solicitada, nacional, evaluador, municipal
) -> None:
    adhesion = en_evaluacion_solicitada.adhesion
    coordinacion, comite = client_for(nacional), client_for(evaluador)
    url_detalle = f"/sello/{adhesion.uuid}/"
    # National staff assign the evaluator from the seal file.
    assert (
        reverse("sello:evaluadores", kwargs={"uuid": adhesion.uuid}) in coordinacion.get(url_detalle).content.decode()
    )
    response = coordinacion.post(
        reverse("sello:evaluadores", kwargs={"uuid": adhesion.uuid}),
        {"evaluadores": [evaluador.pk], "version": adhesion.version},
    )
    assert response["Location"] == url_detalle
    # The evaluator finds it in its list and submits it.
    evaluacion = comite.get(reverse("sello:evaluaciones")).context["page"][0]
    response = comite.post(reverse("sello:evaluacion", kwargs={"uuid": evaluacion.uuid}), evaluacion_completa())
    assert response.status_code == 302
    # The committee's decision certifies.
    adhesion.refresh_from_db()
    assert reverse("sello:decision", kwargs={"uuid": adhesion.uuid}) in coordinacion.get(url_detalle).content.decode()
    datos = decision(adhesion, resolucion_fecha="2026-06-30")
    response = coordinacion.post(reverse("sello:decision", kwargs={"uuid": adhesion.uuid}), datos)
    assert response.status_code == 302
    adhesion.refresh_from_db()
    assert adhesion.estado == EstadoSello.CERTIFICADA
    assert adhesion.vigente_hasta == date(2026, 6, 30) + timedelta(days=settings.SELLO_VIGENCIA_DIAS)
    certificado = Certificado.objects.get(adhesion=adhesion)
    assert certificado.vigente_hasta == adhesion.vigente_hasta
    assert list(adhesion.transiciones.values_list("accion", "usuario__username")) == [
        ("iniciar_evaluacion", "p.nacional"),
        ("otorgar", "p.nacional"),
    ]
    assert f"/verificar/{certificado.codigo}/" in coordinacion.get(url_detalle).content.decode()


# --- Withdrawal and revocation (nacional) ---------------------------------------------------


class TestRetirarYRevocar:
    def retirar(self, user: Any, sello: Sello, **datos: Any) -> Any:
        datos.setdefault("version", sello.adhesion.version)
        return client_for(user).post(reverse("sello:retirar", kwargs={"uuid": sello.adhesion.uuid}), datos)

    def revocar(self, user: Any, certificado: Certificado, **datos: Any) -> Any:
        return client_for(user).post(reverse("sello:certificado_revocar", kwargs={"pk": certificado.pk}), datos)

    def certificado(self, sello: Sello) -> tuple[Any, ...]:
        assert sello.certificado is not None
        sello.certificado.refresh_from_db()
        return (sello.certificado.revocado_en, sello.certificado.motivo_revocacion)

    def test_nacional_withdraws_and_the_certificate_is_revoked(self, sello_quilicura, nacional) -> None:
        response = self.retirar(nacional, sello_quilicura, motivo="Renuncia del municipio.")
        assert response.status_code == 302
        assert estado_adhesion(sello_quilicura.adhesion)[0] == EstadoSello.RETIRADA
        revocado_en, motivo = self.certificado(sello_quilicura)
        assert revocado_en is not None
        assert motivo == "Renuncia del municipio."

    def test_withdrawal_needs_a_reason_and_the_current_version(self, sello_quilicura, nacional) -> None:
        antes = estado_adhesion(sello_quilicura.adhesion)
        assert self.retirar(nacional, sello_quilicura, motivo="").status_code == 400
        version = sello_quilicura.adhesion.version + 1
        assert self.retirar(nacional, sello_quilicura, motivo="x", version=version).status_code == 409
        assert estado_adhesion(sello_quilicura.adhesion) == antes

    def test_nacional_revokes_a_certificate_once(self, sello_quilicura, nacional) -> None:
        certificado = sello_quilicura.certificado
        assert self.revocar(nacional, certificado, motivo="Error en la resolución.").status_code == 302
        revocado_en, motivo = self.certificado(sello_quilicura)
        assert motivo == "Error en la resolución."
        response = self.revocar(nacional, certificado, motivo="Otra vez")
        assert response.status_code == 409
        assert self.certificado(sello_quilicura) == (revocado_en, motivo)
        assert self.revocar(nacional, certificado, motivo="").status_code == 400

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 302),
            ("municipal", 404),  # Quilicura is not the municipal persona's municipality
            ("municipal_otra", 403),  # Quilicura's own officer
            ("regional", 403),
            ("regional_otra", 404),
            ("evaluador", 403),
        ],
    )
    def test_only_nacional_withdraws_or_revokes(self, nombre, status, persona, todos, sello_quilicura) -> None:
        antes, certificado_antes = estado_adhesion(sello_quilicura.adhesion), self.certificado(sello_quilicura)
        rechazo_esperado(self.retirar(persona(nombre), sello_quilicura, motivo="x"), status)
        rechazo_esperado(self.revocar(persona(nombre), sello_quilicura.certificado, motivo="x"), status)
        assert estado_adhesion(sello_quilicura.adhesion) == antes
        assert self.certificado(sello_quilicura) == certificado_antes

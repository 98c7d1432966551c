"""The seal's admin: region-scoped read-only records (states change only through services),
the versioned catalogue and scoring rule (national staff, drafts only), certificate revocation
and notifications."""

from typing import Any

import pytest
from django.urls import reverse

from municipios.models import Municipalidad
from sello.errores import ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from sello.models import (
    AccionCatalogo,
    AccionPlan,
    CatalogoVersion,
    Certificado,
    EstadoSello,
    Evidencia,
    Notificacion,
    ReglaPuntaje,
    TransicionSello,
)
from sello.puntaje import calcular
from sello.services import adhesion as adhesion_services
from sello.services import catalogo as catalogo_services
from sello.services.evidencias import puntaje_registrar

from .conftest import client_for
from .sello_fixtures import Sello, construir

pytestmark = pytest.mark.django_db

ADHESIONES = "/admin/sello/adhesion/"
EVIDENCIAS = "/admin/sello/evidencia/"
CATALOGOS = "/admin/sello/catalogoversion/"
REGLAS = "/admin/sello/reglapuntaje/"
CERTIFICADOS = "/admin/sello/certificado/"


def catalogo_publicado() -> CatalogoVersion:
    return CatalogoVersion.objects.filter(publicada_en__isnull=False).latest("publicada_en")


def regla_publicada() -> ReglaPuntaje:
    return ReglaPuntaje.objects.filter(publicada_en__isnull=False).latest("version")


def accion_admin(client: Any, url: str, accion: str, objetos: list[Any], **extra: Any) -> Any:
    return client.post(url, {"action": accion, "_selected_action": [o.pk for o in objetos], "index": 0, **extra})


def datos_del_formulario(response: Any) -> dict[str, Any]:
    """The POST data a browser would send back for an admin change page, inlines included."""

    def valores(form: Any, prefijo: str = "") -> dict[str, Any]:
        datos = {}
        for nombre, campo in form.fields.items():
            valor = form.initial.get(nombre, campo.initial)
            if valor is None or valor is False:
                continue
            datos[f"{prefijo}{nombre}"] = valor
        return datos

    datos = valores(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        datos.update(valores(formset.management_form, f"{formset.prefix}-"))
        for i, form in enumerate(formset.forms):
            datos.update(valores(form, f"{formset.prefix}-{i}-"))
    return datos


@pytest.fixture
def sello_valparaiso(municipal_valparaiso) -> Sello:
    return construir(
        Municipalidad.objects.get(comuna_id="05101"), EstadoSello.EN_IMPLEMENTACION, municipal=municipal_valparaiso
    )


# --- Adhesions ------------------------------------------------------------------------------


class TestAdhesionAdmin:
    def test_the_changelist_is_region_scoped(
        self, sello_independencia, sello_valparaiso, regional, regional_otra, nacional, evaluador
    ) -> None:
        def comunas(user: Any) -> list[str]:
            response = client_for(user).get(ADHESIONES)
            assert response.status_code == 200
            return sorted(a.municipalidad.comuna_id for a in response.context["cl"].result_list)

        assert comunas(regional) == ["13108"]
        assert comunas(regional_otra) == ["05101"]
        assert comunas(nacional) == ["05101", "13108"]
        assert comunas(evaluador) == ["05101", "13108"]  # the Comité Evaluador reads everything

    def test_it_searches_by_comuna_and_filters_by_state(
        self, sello_independencia, sello_quilicura, sello_valparaiso, nacional
    ) -> None:
        client = client_for(nacional)
        for q in ("13108", "independencia"):
            response = client.get(ADHESIONES, {"q": q})
            assert [a.municipalidad.comuna_id for a in response.context["cl"].result_list] == ["13108"]
        response = client.get(ADHESIONES, {"estado__exact": "certificada"})
        assert [a.municipalidad.comuna_id for a in response.context["cl"].result_list] == ["13125"]
        response = client.get(ADHESIONES, {"municipalidad__comuna__region__cut__exact": "05"})
        assert [a.municipalidad.comuna_id for a in response.context["cl"].result_list] == ["05101"]

    def test_changelist_queries_do_not_grow_with_rows(
        self, sello_independencia, municipal, nacional, django_assert_num_queries
    ) -> None:
        client = client_for(nacional)
        # 1 session, 2 user, 3 the región filter's choices, 4 COUNT filtered, 5 COUNT total,
        # 6-7 the user's and its groups' permissions (asked by the third-party admins of the
        # sidebar), 8 the page (with municipality, comuna and región).
        with django_assert_num_queries(8):
            response = client.get(ADHESIONES)
        assert response.context["cl"].result_count == 1
        for cut in ("13101", "13102", "13103", "13104", "13105"):
            construir(Municipalidad.objects.get(comuna_id=cut), EstadoSello.ADHERIDA, municipal=municipal)
        with django_assert_num_queries(8):
            response = client.get(ADHESIONES)
        assert response.context["cl"].result_count == 6

    def test_the_change_page_is_read_only_with_the_transition_log(self, sello_independencia, regional) -> None:
        adhesion = sello_independencia.adhesion
        TransicionSello.objects.create(
            adhesion=adhesion, desde="plan_aprobado", hasta="en_implementacion", accion="iniciar_implementacion"
        )
        response = client_for(regional).get(f"{ADHESIONES}{adhesion.pk}/change/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="_save"' not in body
        assert 'name="estado"' not in body
        assert "iniciar_implementacion" in body
        assert reverse("sello:detalle", kwargs={"uuid": adhesion.uuid}) in body

    @pytest.mark.parametrize(("nombre", "status"), [("regional", 403), ("nacional", 403), ("evaluador", 403)])
    def test_nobody_changes_the_state_in_the_admin(self, nombre, status, persona, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        response = client_for(persona(nombre)).post(
            f"{ADHESIONES}{adhesion.pk}/change/", {"estado": "certificada", "vigente_hasta": "2030-01-01"}
        )
        assert response.status_code == status
        adhesion.refresh_from_db()
        assert (adhesion.estado, adhesion.version) == (EstadoSello.EN_IMPLEMENTACION, 1)

    def test_another_region_is_sent_away_and_municipal_officers_to_login(
        self, sello_independencia, regional_otra, municipal
    ) -> None:
        url = f"{ADHESIONES}{sello_independencia.adhesion.pk}/change/"
        response = client_for(regional_otra).get(url)
        assert response.status_code == 302
        assert "Independencia" not in response.content.decode()
        assert client_for(municipal).get(url)["Location"].startswith("/admin/login/")


# --- Evidence -------------------------------------------------------------------------------


class TestEvidenciaAdmin:
    def test_scoped_and_filtered_by_state(self, sello_independencia, sello_valparaiso, regional) -> None:
        client = client_for(regional)
        response = client.get(EVIDENCIAS)
        assert response.context["cl"].result_count == 4
        response = client.get(EVIDENCIAS, {"estado__exact": "enviada"})
        assert [e.pk for e in response.context["cl"].result_list] == [sello_independencia.evidencias["enviada"].pk]

    def test_it_is_read_only(self, sello_independencia, regional) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        url = f"{EVIDENCIAS}{evidencia.pk}/change/"
        assert 'name="_save"' not in client_for(regional).get(url).content.decode()
        assert client_for(regional).post(url, {"estado": "aceptada"}).status_code == 403
        assert Evidencia.objects.get(pk=evidencia.pk).estado == "enviada"


# --- Catalogue versioning -------------------------------------------------------------------


class TestCatalogo:
    def test_clone_edit_and_publish_never_rewrite_an_adhesion(
        self, sello_independencia, municipal, regional, nacional, evaluador, municipal_otra
    ) -> None:
        # Given an adhesion working on the published catalogue and another already evaluated.
        v1 = catalogo_publicado()
        santiago = construir(
            Municipalidad.objects.get(comuna_id="13101"),
            EstadoSello.EN_EVALUACION,
            municipal=municipal,
            nacional=nacional,
            evaluador=evaluador,
        )
        assert santiago.evaluacion is not None
        santiago.evaluacion.puntajes = {"1": "90"}
        santiago.evaluacion.save()
        puntaje = puntaje_registrar(adhesion=santiago.adhesion)
        acciones_antes = list(AccionPlan.objects.order_by("pk").values_list("pk", "nombre", "accion_catalogo_id"))
        resultado_antes = calcular(santiago.adhesion)
        client = client_for(nacional)

        # When national staff clone it...
        response = accion_admin(client, CATALOGOS, "clonar", [v1])
        assert response.status_code == 302
        borrador = CatalogoVersion.objects.get(basada_en=v1)
        assert borrador.publicada_en is None
        assert borrador.acciones.count() == v1.acciones.count()

        # ...edit the draft (rename an action, add one)...
        url = f"{CATALOGOS}{borrador.pk}/change/"
        datos = datos_del_formulario(client.get(url))
        datos["acciones-0-nombre"] = "Decreto alcaldicio actualizado"
        total = int(datos["acciones-TOTAL_FORMS"])
        datos.update(
            {
                "acciones-TOTAL_FORMS": total + 1,
                f"acciones-{total}-linea": 5,
                f"acciones-{total}-codigo": "5.9",
                f"acciones-{total}-nombre": "Presupuesto participativo con personas migrantes",
                f"acciones-{total}-medios_verificacion": "Acta de la votación",
                f"acciones-{total}-orden": 9,
            }
        )
        response = client.post(url, datos)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert borrador.acciones.count() == v1.acciones.count() + 1
        assert borrador.acciones.filter(nombre="Decreto alcaldicio actualizado").exists()

        # ...and publish it.
        assert accion_admin(client, CATALOGOS, "publicar", [borrador]).status_code == 302
        borrador.refresh_from_db()
        assert borrador.publicada_en is not None
        assert adhesion_services.catalogo_vigente() == borrador

        # Then the adhesions keep the catalogue they started with, untouched.
        for sello in (sello_independencia, santiago):
            sello.adhesion.refresh_from_db()
            assert sello.adhesion.catalogo == v1
        assert list(AccionPlan.objects.order_by("pk").values_list("pk", "nombre", "accion_catalogo_id")) == (
            acciones_antes
        )
        assert not v1.acciones.filter(nombre="Decreto alcaldicio actualizado").exists()
        santiago.evaluacion.refresh_from_db()
        assert santiago.evaluacion.puntajes == {"1": "90"}
        assert calcular(santiago.adhesion).total == resultado_antes.total
        assert puntaje_registrar(adhesion=santiago.adhesion) == puntaje
        # A new adhesion starts on the new version.
        nueva = adhesion_services.adhesion_crear(municipalidad=municipal_otra.municipalidad, usuario=municipal_otra)
        assert nueva.catalogo == borrador

    def test_a_published_version_is_read_only(self, nacional) -> None:
        v1 = catalogo_publicado()
        url = f"{CATALOGOS}{v1.pk}/change/"
        response = client_for(nacional).get(url)
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert 'name="acciones-0-nombre"' not in response.content.decode()
        response = client_for(nacional).post(url, {"codigo": "otro", "nombre": "Cambiado"})
        assert response.status_code == 403
        v1.refresh_from_db()
        assert v1.codigo != "otro"

    def test_a_version_published_meanwhile_is_not_saved(self, nacional) -> None:
        borrador = catalogo_services.catalogo_clonar(catalogo=catalogo_publicado(), usuario=nacional)
        client = client_for(nacional)
        url = f"{CATALOGOS}{borrador.pk}/change/"
        datos = datos_del_formulario(client.get(url))
        catalogo_services.catalogo_publicar(catalogo=borrador, usuario=nacional)
        datos["nombre"] = "Editado tarde"
        assert client.post(url, datos).status_code == 403
        borrador.refresh_from_db()
        assert borrador.nombre != "Editado tarde"

    @pytest.mark.parametrize("nombre", ["regional", "evaluador"])
    def test_other_staff_only_read(self, nombre, persona, nacional) -> None:
        v1 = catalogo_publicado()
        client = client_for(persona(nombre))
        assert client.get(CATALOGOS).status_code == 200
        borrador = catalogo_services.catalogo_clonar(catalogo=v1, usuario=nacional)
        assert 'name="_save"' not in client.get(f"{CATALOGOS}{borrador.pk}/change/").content.decode()
        assert client.post(f"{CATALOGOS}{borrador.pk}/change/", {"nombre": "x"}).status_code == 403
        accion_admin(client, CATALOGOS, "clonar", [v1])
        accion_admin(client, CATALOGOS, "publicar", [borrador])
        assert CatalogoVersion.objects.count() == 2
        borrador.refresh_from_db()
        assert (borrador.publicada_en, borrador.nombre) == (None, f"{v1.nombre} (borrador)")

    def test_publishing_needs_an_action_in_every_line_and_happens_once(self, nacional, regional) -> None:
        borrador = catalogo_services.catalogo_clonar(catalogo=catalogo_publicado(), usuario=nacional)
        AccionCatalogo.objects.filter(catalogo=borrador, linea=4).delete()
        response = accion_admin(client_for(nacional), CATALOGOS, "publicar", [borrador])
        assert response.status_code == 302
        borrador.refresh_from_db()
        assert borrador.publicada_en is None
        with pytest.raises(ErrorDeNegocio, match="Regularidad migratoria"):
            catalogo_services.catalogo_publicar(catalogo=borrador, usuario=nacional)
        with pytest.raises(TransicionNoPermitida):
            catalogo_services.catalogo_publicar(catalogo=catalogo_publicado(), usuario=nacional)
        with pytest.raises(SinPermiso):
            catalogo_services.catalogo_clonar(catalogo=borrador, usuario=regional)

    def test_clones_get_free_codes(self, nacional) -> None:
        v1 = catalogo_publicado()
        primero = catalogo_services.catalogo_clonar(catalogo=v1, usuario=nacional)
        segundo = catalogo_services.catalogo_clonar(catalogo=v1, usuario=nacional)
        assert (primero.codigo, segundo.codigo) == (f"{v1.codigo}-2", f"{v1.codigo}-3")
        with pytest.raises(ErrorDeNegocio, match="Ya existe"):
            catalogo_services.catalogo_clonar(catalogo=v1, usuario=nacional, codigo=primero.codigo)


# --- Scoring rule ---------------------------------------------------------------------------


def datos_regla(pesos: list[int], minimos: list[int], **extra: Any) -> dict[str, Any]:
    datos: dict[str, Any] = {"nombre": "Regla 2027", "umbral": 70, "no_aplica_excluye": "on"}
    datos.update({f"peso_{i}": p for i, p in enumerate(pesos, start=1)})
    datos.update({f"minimo_{i}": m for i, m in enumerate(minimos, start=1)})
    datos.update(extra)
    return datos


class TestRegla:
    def test_clone_edit_and_publish(self, sello_independencia, nacional) -> None:
        v1 = regla_publicada()
        client = client_for(nacional)
        assert accion_admin(client, REGLAS, "clonar", [v1]).status_code == 302
        borrador = ReglaPuntaje.objects.get(publicada_en__isnull=True)
        assert borrador.version == v1.version + 1
        url = f"{REGLAS}{borrador.pk}/change/"
        response = client.post(url, datos_regla([30, 20, 20, 10, 20], [50, 50, 50, 50, 50]))
        assert response.status_code == 302
        borrador.refresh_from_db()
        assert borrador.pesos == {"1": 30, "2": 20, "3": 20, "4": 10, "5": 20}
        assert (borrador.minimos["3"], borrador.umbral) == (50, 70)
        assert accion_admin(client, REGLAS, "publicar", [borrador]).status_code == 302
        borrador.refresh_from_db()
        assert borrador.publicada_en is not None
        assert adhesion_services.regla_vigente() == borrador
        sello_independencia.adhesion.refresh_from_db()
        assert sello_independencia.adhesion.regla == v1  # the adhesion keeps its rule

    def test_weights_must_sum_100_and_minimums_stay_within_0_100(self, nacional) -> None:
        borrador = catalogo_services.regla_clonar(regla=regla_publicada(), usuario=nacional)
        url = f"{REGLAS}{borrador.pk}/change/"
        client = client_for(nacional)
        response = client.post(url, datos_regla([20, 20, 20, 10, 20], [50, 50, 50, 50, 50]))
        assert response.status_code == 200
        assert "Los pesos de las líneas deben sumar 100 (suman 90)." in response.content.decode()
        response = client.post(url, datos_regla([20, 20, 20, 20, 20], [50, 50, 120, 50, 50]))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["minimo_3"]
        antes = ReglaPuntaje.objects.get(pk=borrador.pk)
        assert (antes.pesos, antes.minimos) == (regla_publicada().pesos, regla_publicada().minimos)

    def test_publishing_validates_the_rule(self, nacional, regional) -> None:
        borrador = catalogo_services.regla_clonar(regla=regla_publicada(), usuario=nacional)
        ReglaPuntaje.objects.filter(pk=borrador.pk).update(
            pesos={"1": 50, "2": 20, "3": 20, "4": 15, "5": 20}, minimos={"1": 101, "2": 0, "3": 0, "4": 0, "5": -1}
        )
        with pytest.raises(ErrorDeNegocio) as exc:
            catalogo_services.regla_publicar(regla=borrador, usuario=nacional)
        assert "Línea 1: el mínimo debe ser un entero entre 0 y 100." in exc.value.mensaje
        assert "Línea 5: el mínimo" in exc.value.mensaje
        ReglaPuntaje.objects.filter(pk=borrador.pk).update(minimos={"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
        with pytest.raises(ErrorDeNegocio, match="suman 125"):
            catalogo_services.regla_publicar(regla=borrador, usuario=nacional)
        ReglaPuntaje.objects.filter(pk=borrador.pk).update(pesos={"1": 100})
        with pytest.raises(ErrorDeNegocio, match="5 líneas"):
            catalogo_services.regla_publicar(regla=borrador, usuario=nacional)
        with pytest.raises(SinPermiso):
            catalogo_services.regla_publicar(regla=borrador, usuario=regional)
        assert ReglaPuntaje.objects.get(pk=borrador.pk).publicada_en is None

    def test_a_published_rule_is_read_only(self, nacional) -> None:
        v1 = regla_publicada()
        url = f"{REGLAS}{v1.pk}/change/"
        response = client_for(nacional).get(url)
        assert response.status_code == 200
        assert "peso 25, mínimo 60%" in response.content.decode()
        assert client_for(nacional).post(url, datos_regla([20] * 5, [0] * 5)).status_code == 403
        assert ReglaPuntaje.objects.get(pk=v1.pk).pesos == v1.pesos


# --- Certificates and notifications ---------------------------------------------------------


class TestCertificadoAdmin:
    def test_nacional_revokes_through_the_action_with_a_reason(self, sello_quilicura, nacional) -> None:
        certificado = sello_quilicura.certificado
        client = client_for(nacional)
        response = accion_admin(client, CERTIFICADOS, "revocar", [certificado])
        assert response.status_code == 200
        assert "Motivo de la revocación" in response.content.decode()
        response = accion_admin(client, CERTIFICADOS, "revocar", [certificado], aplicar="1", motivo="")
        assert response.status_code == 400
        assert Certificado.objects.get(pk=certificado.pk).revocado_en is None
        response = accion_admin(client, CERTIFICADOS, "revocar", [certificado], aplicar="1", motivo="Error")
        assert response.status_code == 302
        certificado.refresh_from_db()
        assert certificado.revocado_en is not None
        assert certificado.motivo_revocacion == "Error"

    @pytest.mark.parametrize("nombre", ["regional", "evaluador"])
    def test_others_cannot_revoke(self, nombre, persona, sello_quilicura) -> None:
        certificado = sello_quilicura.certificado
        client = client_for(persona(nombre))
        assert client.get(CERTIFICADOS).context["cl"].result_count == 1
        accion_admin(client, CERTIFICADOS, "revocar", [certificado], aplicar="1", motivo="x")
        assert client.post(f"{CERTIFICADOS}{certificado.pk}/change/", {"revocado_en": "2026-01-01"}).status_code == 403
        assert Certificado.objects.get(pk=certificado.pk).revocado_en is None

    def test_another_region_does_not_see_it(self, sello_quilicura, regional_otra) -> None:
        assert client_for(regional_otra).get(CERTIFICADOS).context["cl"].result_count == 0


class TestNotificacionAdmin:
    def test_only_national_staff_read_notifications(self, municipal, regional, nacional, evaluador) -> None:
        Notificacion.objects.create(usuario=municipal, titulo="Evidencia observada")
        assert client_for(nacional).get("/admin/sello/notificacion/").context["cl"].result_count == 1
        for user in (regional, evaluador):
            assert client_for(user).get("/admin/sello/notificacion/").status_code == 403


def test_the_admin_index_lists_the_seal_models_by_role(regional, nacional) -> None:
    def modelos(user: Any) -> set[str]:
        response = client_for(user).get("/admin/sello/")
        return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}

    assert modelos(regional) == {"Adhesion", "Evidencia", "Certificado", "CatalogoVersion", "ReglaPuntaje"}
    assert modelos(nacional) == {
        "Adhesion",
        "Evidencia",
        "Certificado",
        "CatalogoVersion",
        "ReglaPuntaje",
        "Notificacion",
        "LatidoWorker",
    }

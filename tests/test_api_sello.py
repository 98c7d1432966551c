"""REST API of the seal: scoped reads of adhesiones and evidencias for every persona, the
write endpoints (submit and review evidence, the municipality's transitions) allowed and
denied with nothing changed, business errors in the one error format, constant query counts."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from municipios.models import Municipalidad
from sello.demo import PDF_MINIMO, pdf
from sello.models import (
    AccionPlan,
    Adhesion,
    Archivo,
    EstadoEvidencia,
    EstadoSello,
    Evidencia,
    Linea,
    PlanTrabajo,
    Puntaje,
    TransicionSello,
)
from sello.services.evidencias import puntaje_registrar

from .conftest import INDEPENDENCIA, QUILICURA, api_client_for
from .sello_fixtures import Sello, construir

pytestmark = pytest.mark.django_db

ADHESIONES = "/api/v1/adhesiones/"
EVIDENCIAS = "/api/v1/evidencias/"


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


def comunas(filas: list[dict[str, Any]]) -> list[str]:
    return sorted(f["municipalidad"]["comuna"] for f in filas)


def estado_de_evidencias() -> list[tuple[Any, ...]]:
    return list(
        Evidencia.objects.order_by("pk").values_list("pk", "estado", "version", "comentario_revision", "revisada_en")
    )


def estado_de_adhesiones() -> list[tuple[Any, ...]]:
    return list(Adhesion.objects.order_by("pk").values_list("pk", "estado", "version"))


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """A private MEDIA_ROOT, so "nothing was stored" can be checked on disk."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def archivos_en_disco(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


# --- Adhesiones: reads ------------------------------------------------------------------------


class TestAdhesionesLista:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("municipal", [INDEPENDENCIA]),
            ("municipal_otra", [QUILICURA]),
            ("regional", [INDEPENDENCIA, QUILICURA]),
            ("regional_otra", []),
            ("nacional", [INDEPENDENCIA, QUILICURA]),
            ("evaluador", [INDEPENDENCIA, QUILICURA]),
            ("sin_rol", []),
        ],
    )
    def test_it_is_scoped_by_territory(self, nombre, esperadas, persona, sello_independencia, sello_quilicura) -> None:
        assert comunas(recorrer(api_client_for(persona(nombre)), ADHESIONES)) == esperadas

    def test_anonymous_gets_401(self, sello_independencia) -> None:
        response = APIClient().get(ADHESIONES)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    @pytest.mark.parametrize(
        ("params", "esperadas"),
        [
            ({"estado": "certificada"}, [QUILICURA]),
            ({"estado": "en_implementacion"}, [INDEPENDENCIA]),
            ({"estado": "vencida"}, []),
            ({"comuna": INDEPENDENCIA}, [INDEPENDENCIA]),
            ({"region": "13"}, [INDEPENDENCIA, QUILICURA]),
            ({"region": "05"}, []),
            ({"ciclo": "1"}, [INDEPENDENCIA, QUILICURA]),
            ({"ciclo": "2"}, []),
        ],
    )
    def test_filters(self, params, esperadas, nacional, sello_independencia, sello_quilicura) -> None:
        assert comunas(recorrer(api_client_for(nacional), ADHESIONES, params)) == esperadas

    @pytest.mark.parametrize(
        ("campo", "valor"),
        [
            ("estado", "inventado"),
            ("region", "99"),
            ("comuna", "no-existe"),
            ("ciclo", "abc"),
            ("ciclo", "1.5"),
            ("ciclo", "0"),
            ("ciclo", "1e400"),
            ("ciclo", "NaN"),
        ],
    )
    def test_bad_filter_values_are_a_400(self, campo, valor, nacional, sello_independencia) -> None:
        response = api_client_for(nacional).get(ADHESIONES, {campo: valor})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert campo in response.json()["error"]["fields"]

    def test_query_count_does_not_grow_with_rows(self, nacional, django_assert_num_queries) -> None:
        client = api_client_for(nacional)
        regla = construir(
            Municipalidad.objects.get(comuna_id=INDEPENDENCIA), EstadoSello.INTERESADA, municipal=nacional
        ).adhesion.regla

        def con_puntajes(adhesion: Adhesion) -> None:
            for total in ("10.00", "20.00"):
                Puntaje.objects.create(adhesion=adhesion, regla=regla, por_linea={}, total=total, cumple=False)

        con_puntajes(Adhesion.objects.get())
        # 1 token with user and municipalidad, 2 the page with municipalidad, comuna, catálogo and
        # regla, 3 the latest score of each row on the page (with its rule).
        with django_assert_num_queries(3):
            assert len(client.get(ADHESIONES).json()["results"]) == 1
        for municipalidad in Municipalidad.objects.filter(comuna__region_id="13").exclude(comuna_id=INDEPENDENCIA)[:20]:
            con_puntajes(construir(municipalidad, EstadoSello.INTERESADA, municipal=nacional).adhesion)
        with django_assert_num_queries(3):
            filas = client.get(ADHESIONES).json()["results"]
        assert len(filas) == 21
        assert {f["puntaje"]["total"] for f in filas} == {"20.00"}


class TestAdhesionDetalle:
    def test_it_shows_the_cycle_and_its_latest_stored_score(self, municipal, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        antiguo = Puntaje.objects.create(
            adhesion=adhesion, regla=adhesion.regla, por_linea={"1": "99.00"}, total="99.00", cumple=True
        )
        Puntaje.objects.filter(pk=antiguo.pk).update(calculado_en=timezone.now() - timedelta(days=5))
        puntaje = puntaje_registrar(adhesion=adhesion)

        response = api_client_for(municipal).get(f"{ADHESIONES}{adhesion.uuid}/")

        assert response.status_code == 200
        datos = response.json()
        assert datos == {
            "uuid": str(adhesion.uuid),
            "municipalidad": {
                "uuid": str(adhesion.municipalidad.uuid),
                "nombre": "Municipalidad de Independencia",
                "comuna": INDEPENDENCIA,
                "region": "13",
            },
            "ciclo": 1,
            "estado": "en_implementacion",
            "estado_label": "En implementación",
            "fecha_adhesion": adhesion.fecha_adhesion.isoformat(),
            "acuerdo_concejo_numero": "123/2025",
            "acuerdo_concejo_fecha": adhesion.acuerdo_concejo_fecha.isoformat(),
            "fecha_certificacion": None,
            "vigente_hasta": None,
            "catalogo": adhesion.catalogo.codigo,
            "regla": adhesion.regla.version,
            "version": 1,
            "puntaje": {
                "regla": adhesion.regla.version,
                "lineas": [
                    {"linea": n.value, "nombre": str(n.label), "porcentaje": puntaje.por_linea[str(n.value)]}
                    for n in Linea
                ],
                "total": str(puntaje.total),
                "cumple": False,
                "calculado_en": datos["puntaje"]["calculado_en"],
            },
        }
        assert Decimal(datos["puntaje"]["total"]) < Decimal("99.00")  # the newest, not the old one

    def test_without_a_stored_score_it_is_null(self, evaluador, sello_quilicura) -> None:
        response = api_client_for(evaluador).get(f"{ADHESIONES}{sello_quilicura.adhesion.uuid}/")
        assert response.status_code == 200
        assert response.json()["puntaje"] is None
        assert response.json()["estado_label"] == "Certificada (vigente)"
        assert response.json()["vigente_hasta"] == sello_quilicura.adhesion.vigente_hasta.isoformat()

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "sin_rol"])
    def test_other_territories_answer_404(self, nombre, persona, sello_independencia) -> None:
        response = api_client_for(persona(nombre)).get(f"{ADHESIONES}{sello_independencia.adhesion.uuid}/")
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "No encontrado."}}

    def test_regional_otra_gets_404_on_both(self, regional_otra, sello_independencia, sello_quilicura) -> None:
        client = api_client_for(regional_otra)
        for sello in (sello_independencia, sello_quilicura):
            assert client.get(f"{ADHESIONES}{sello.adhesion.uuid}/").status_code == 404

    def test_a_malformed_uuid_is_a_404(self, nacional) -> None:
        assert api_client_for(nacional).get(f"{ADHESIONES}no-es-uuid/").status_code == 404

    def test_it_is_read_only(self, nacional, sello_independencia) -> None:
        url = f"{ADHESIONES}{sello_independencia.adhesion.uuid}/"
        response = api_client_for(nacional).patch(url, {"estado": "certificada"}, format="json")
        assert response.status_code == 405
        assert Adhesion.objects.get().estado == EstadoSello.EN_IMPLEMENTACION


# --- Evidencias: reads ------------------------------------------------------------------------


class TestEvidenciasLectura:
    @pytest.mark.parametrize(
        ("nombre", "de"),
        [
            ("municipal", {INDEPENDENCIA}),
            ("municipal_otra", {QUILICURA}),
            ("regional", {INDEPENDENCIA, QUILICURA}),
            ("regional_otra", set()),
            ("nacional", {INDEPENDENCIA, QUILICURA}),
            ("evaluador", {INDEPENDENCIA, QUILICURA}),
            ("sin_rol", set()),
        ],
    )
    def test_it_is_scoped_by_territory(self, nombre, de, persona, sello_independencia, sello_quilicura) -> None:
        uuids = {
            INDEPENDENCIA: {str(e.uuid) for e in sello_independencia.adhesion.evidencias.all()},
            QUILICURA: {str(e.uuid) for e in sello_quilicura.adhesion.evidencias.all()},
        }
        filas = recorrer(api_client_for(persona(nombre)), EVIDENCIAS)
        assert sorted(f["uuid"] for f in filas) == sorted(u for cut in de for u in uuids[cut])
        assert len(uuids[INDEPENDENCIA]) == 4
        assert len(uuids[QUILICURA]) == len(sello_quilicura.acciones)

    def test_a_file_evidence(self, regional, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["enviada"]

        response = api_client_for(regional).get(f"{EVIDENCIAS}{evidencia.uuid}/")

        assert response.status_code == 200
        accion = evidencia.accion
        assert response.json() == {
            "uuid": str(evidencia.uuid),
            "adhesion": str(sello_independencia.adhesion.uuid),
            "accion": {"id": accion.pk, "nombre": accion.nombre, "linea": 1, "linea_nombre": "Institucionalidad"},
            "descripcion": evidencia.descripcion,
            "tipo": "archivo",
            "enlace": "",
            "archivo": {
                "nombre_original": "evidencia.pdf",
                "tamano": len(PDF_MINIMO),
                "tipo": "application/pdf",
                "url": f"http://testserver/sello/evidencias/{evidencia.uuid}/archivo/",
            },
            "estado": "enviada",
            "estado_label": "Enviada, en revisión",
            "comentario_revision": "",
            "enviada_en": response.json()["enviada_en"],
            "revisada_en": None,
            "revisada_por": None,
            "reemplaza": None,
            "version": 1,
        }

    def test_a_reviewed_link_names_its_reviewer_not_its_id(self, municipal, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["observada"]
        datos = api_client_for(municipal).get(f"{EVIDENCIAS}{evidencia.uuid}/").json()
        assert datos["tipo"] == "enlace"
        assert datos["archivo"] is None
        assert datos["enlace"] == evidencia.enlace
        assert datos["estado"] == "observada"
        assert datos["comentario_revision"] == "Corregir"
        assert datos["revisada_por"] == "Ana Pruebas"
        assert "enviada_por" not in datos

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "sin_rol"])
    def test_other_territories_answer_404(self, nombre, persona, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        response = api_client_for(persona(nombre)).get(f"{EVIDENCIAS}{evidencia.uuid}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert evidencia.descripcion not in response.content.decode()

    def test_filters(self, nacional, sello_independencia, sello_quilicura) -> None:
        client = api_client_for(nacional)
        ev = sello_independencia.evidencias

        def uuids(params: dict[str, str]) -> set[str]:
            return {f["uuid"] for f in recorrer(client, EVIDENCIAS, params)}

        assert uuids({"estado": "observada"}) == {str(ev["observada"].uuid)}
        assert uuids({"adhesion": str(sello_independencia.adhesion.uuid)}) == {str(e.uuid) for e in ev.values()}
        assert uuids({"adhesion": str(sello_independencia.adhesion.uuid), "estado": "aceptada"}) == {
            str(ev["aceptada"].uuid)
        }
        linea_2 = {str(e.uuid) for e in Evidencia.objects.filter(accion__linea=2)}
        assert linea_2
        assert uuids({"linea": "2"}) == linea_2

    @pytest.mark.parametrize(
        ("campo", "valor"), [("estado", "perdida"), ("adhesion", "no-es-uuid"), ("linea", "9"), ("linea", "x")]
    )
    def test_bad_filter_values_are_a_400(self, campo, valor, regional, sello_independencia) -> None:
        response = api_client_for(regional).get(EVIDENCIAS, {campo: valor})
        assert response.status_code == 400
        assert campo in response.json()["error"]["fields"]

    def test_query_count_does_not_grow_with_rows(
        self, regional, sello_independencia, sello_quilicura, django_assert_num_queries
    ) -> None:
        client = api_client_for(regional)
        una = {"adhesion": str(sello_independencia.adhesion.uuid), "estado": "enviada"}
        # 1 token with user and municipalidad, 2 the page with adhesión, acción, archivo,
        # reviewer and the evidence it replaces.
        with django_assert_num_queries(2):
            assert len(client.get(EVIDENCIAS, una).json()["results"]) == 1
        total = Evidencia.objects.count()
        assert total > 10
        with django_assert_num_queries(2):
            assert len(client.get(EVIDENCIAS, {"page_size": 200}).json()["results"]) == total


# --- Evidencias: submit -----------------------------------------------------------------------


def accion_libre(sello: Sello) -> AccionPlan:
    """An action of the plan with no evidence yet."""
    return AccionPlan.objects.filter(plan__adhesion=sello.adhesion, evidencias__isnull=True).order_by("pk").first()


class TestPresentarEvidencia:
    def test_a_link(self, municipal, sello_independencia) -> None:
        accion = accion_libre(sello_independencia)
        antes = Evidencia.objects.count()

        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {"accion": accion.pk, "descripcion": "Ordenanza publicada", "enlace": "https://example.cl/ordenanza"},
            format="json",
        )

        assert response.status_code == 201, response.content
        creada = Evidencia.objects.get(uuid=response.json()["uuid"])
        assert Evidencia.objects.count() == antes + 1
        assert (creada.accion, creada.estado, creada.enviada_por) == (accion, EstadoEvidencia.ENVIADA, municipal)
        assert response.json()["tipo"] == "enlace"
        assert response.json()["enlace"] == "https://example.cl/ordenanza"
        assert response.json()["adhesion"] == str(sello_independencia.adhesion.uuid)
        assert response.json()["version"] == 1

    def test_a_file_multipart(self, municipal, sello_independencia, media) -> None:
        accion = accion_libre(sello_independencia)

        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {"accion": accion.pk, "descripcion": "Acta firmada", "archivo": pdf("acta.pdf")},
            format="multipart",
        )

        assert response.status_code == 201, response.content
        creada = Evidencia.objects.select_related("archivo").get(uuid=response.json()["uuid"])
        assert response.json()["archivo"] == {
            "nombre_original": "acta.pdf",
            "tamano": len(PDF_MINIMO),
            "tipo": "application/pdf",
            "url": f"http://testserver/sello/evidencias/{creada.uuid}/archivo/",
        }
        assert archivos_en_disco(media) == [Path(creada.archivo.archivo.path)]
        assert Path(creada.archivo.archivo.path).read_bytes() == PDF_MINIMO

    def test_it_resubmits_an_observed_evidence(self, municipal, sello_independencia) -> None:
        observada = sello_independencia.evidencias["observada"]
        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {
                "accion": observada.accion_id,
                "descripcion": "Versión corregida",
                "enlace": "https://example.cl/corregida",
                "reemplaza": str(observada.uuid),
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["reemplaza"] == str(observada.uuid)
        assert Evidencia.objects.get(reemplaza=observada).descripcion == "Versión corregida"

    @pytest.mark.parametrize(
        ("nombre", "status", "code"),
        [
            ("anonimo", 401, "not_authenticated"),
            ("regional", 403, "permission_denied"),
            ("nacional", 403, "permission_denied"),
            ("evaluador", 403, "permission_denied"),
            ("municipal_otra", 404, "not_found"),
            ("regional_otra", 404, "not_found"),
            ("sin_rol", 404, "not_found"),
        ],
    )
    def test_only_the_municipality_submits(
        self, nombre, status, code, persona, sello_independencia, media, municipal_otra, regional_otra, sin_rol
    ) -> None:
        accion = accion_libre(sello_independencia)
        antes = (estado_de_evidencias(), Archivo.objects.count())

        response = api_client_for(persona(nombre)).post(
            EVIDENCIAS,
            {"accion": accion.pk, "descripcion": "Intento", "archivo": pdf("intento.pdf")},
            format="multipart",
        )

        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert (estado_de_evidencias(), Archivo.objects.count()) == antes
        assert archivos_en_disco(media) == []

    @pytest.mark.parametrize(
        ("nombre", "contenido"),
        [
            ("informe.pdf", b"<html><script>alert(1)</script></html>"),
            ("poliglota.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF"),
            ("imagen.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
            ("vacio.pdf", b""),
        ],
    )
    def test_a_malicious_upload_is_refused_and_nothing_stored(
        self, nombre, contenido, municipal, sello_independencia, media
    ) -> None:
        accion = accion_libre(sello_independencia)
        antes = (estado_de_evidencias(), Archivo.objects.count())

        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {
                "accion": accion.pk,
                "descripcion": "Informe",
                "archivo": SimpleUploadedFile(nombre, contenido, content_type="application/pdf"),
            },
            format="multipart",
        )

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_file"
        assert error["message"].startswith("El ")
        assert (estado_de_evidencias(), Archivo.objects.count()) == antes
        assert archivos_en_disco(media) == []

    def test_file_and_link_together_are_refused(self, municipal, sello_independencia, media) -> None:
        accion = accion_libre(sello_independencia)
        antes = estado_de_evidencias()
        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {"accion": accion.pk, "descripcion": "Ambos", "archivo": pdf(), "enlace": "https://example.cl/x"},
            format="multipart",
        )
        assert response.status_code == 400
        assert response.json() == {
            "error": {
                "code": "invalid",
                "message": "Adjunte un archivo o indique un enlace (solo uno de los dos).",
            }
        }
        assert estado_de_evidencias() == antes
        assert archivos_en_disco(media) == []

    def test_invalid_input_names_its_fields(self, municipal, sello_independencia) -> None:
        response = api_client_for(municipal).post(EVIDENCIAS, {"accion": "x", "descripcion": ""}, format="json")
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"accion", "descripcion"}

    def test_an_unknown_action_is_a_404(self, municipal, sello_independencia) -> None:
        response = api_client_for(municipal).post(
            EVIDENCIAS, {"accion": 10**12, "descripcion": "x", "enlace": "https://example.cl"}, format="json"
        )
        assert response.status_code == 404

    def test_replacing_another_territorys_evidence_is_a_404(
        self, municipal, sello_independencia, sello_quilicura
    ) -> None:
        ajena = Evidencia.objects.filter(adhesion=sello_quilicura.adhesion).first()
        antes = estado_de_evidencias()
        response = api_client_for(municipal).post(
            EVIDENCIAS,
            {
                "accion": accion_libre(sello_independencia).pk,
                "descripcion": "x",
                "enlace": "https://example.cl",
                "reemplaza": str(ajena.uuid),
            },
            format="json",
        )
        assert response.status_code == 404
        assert estado_de_evidencias() == antes

    def test_a_certified_seal_receives_no_evidence_409(self, municipal_otra, sello_quilicura) -> None:
        antes = estado_de_evidencias()
        response = api_client_for(municipal_otra).post(
            EVIDENCIAS,
            {"accion": sello_quilicura.acciones[0].pk, "descripcion": "x", "enlace": "https://example.cl"},
            format="json",
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "transition_not_allowed"
        assert "Certificada" in response.json()["error"]["message"]
        assert estado_de_evidencias() == antes


# --- Evidencias: review -----------------------------------------------------------------------


def revisar(user: Any, evidencia: Evidencia, **datos: Any) -> Any:
    return api_client_for(user).post(f"{EVIDENCIAS}{evidencia.uuid}/revisar/", datos, format="json")


class TestRevisarEvidencia:
    def test_accepting_moves_the_score(self, regional, municipal, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        evidencia = sello_independencia.evidencias["enviada"]
        puntaje_registrar(adhesion=adhesion)
        url = f"{ADHESIONES}{adhesion.uuid}/"
        antes = api_client_for(municipal).get(url).json()["puntaje"]

        response = revisar(regional, evidencia, estado="aceptada", comentario="", version=1)

        assert response.status_code == 200, response.content
        assert response.json()["estado"] == "aceptada"
        assert response.json()["version"] == 2
        assert response.json()["revisada_por"] == "Ana Pruebas"
        despues = api_client_for(municipal).get(url).json()["puntaje"]
        assert Decimal(despues["total"]) > Decimal(antes["total"])
        assert Decimal(despues["lineas"][0]["porcentaje"]) > Decimal(antes["lineas"][0]["porcentaje"])
        assert despues["regla"] == adhesion.regla.version
        assert Puntaje.objects.filter(adhesion=adhesion).count() == 2

    def test_observing_requires_a_comment(self, regional, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        antes = estado_de_evidencias()

        response = revisar(regional, evidencia, estado="observada", comentario="  ", version=1)

        assert response.status_code == 400
        assert response.json() == {
            "error": {"code": "invalid", "message": "Explique a la municipalidad qué debe corregir."}
        }
        assert estado_de_evidencias() == antes

        response = revisar(regional, evidencia, estado="observada", comentario="Falta la firma", version=1)

        assert response.status_code == 200
        evidencia.refresh_from_db()
        assert (evidencia.estado, evidencia.comentario_revision) == (EstadoEvidencia.OBSERVADA, "Falta la firma")

    def test_a_stale_version_is_a_409(self, regional, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        antes = (estado_de_evidencias(), Puntaje.objects.count())

        response = revisar(regional, evidencia, estado="aceptada", version=7)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
        assert response.json()["error"]["message"].startswith("Otra persona modificó estos datos")
        assert (estado_de_evidencias(), Puntaje.objects.count()) == antes

    def test_an_already_reviewed_evidence_is_a_409(self, regional, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["aceptada"]
        antes = estado_de_evidencias()
        response = revisar(regional, evidencia, estado="rechazada", comentario="No", version=evidencia.version)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "transition_not_allowed"
        assert estado_de_evidencias() == antes

    def test_invalid_input_is_a_400(self, regional, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        antes = estado_de_evidencias()
        response = revisar(regional, evidencia, estado="enviada", version="uno")
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"estado", "version"}
        assert estado_de_evidencias() == antes

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 401),
            ("municipal", 403),
            ("nacional", 403),
            ("evaluador", 403),
            ("municipal_otra", 404),
            ("regional_otra", 404),
            ("sin_rol", 404),
        ],
    )
    def test_only_the_regional_team_reviews(
        self, nombre, status, persona, sello_independencia, municipal_otra, regional_otra, sin_rol
    ) -> None:
        evidencia = sello_independencia.evidencias["enviada"]
        antes = (estado_de_evidencias(), Puntaje.objects.count())

        response = revisar(persona(nombre), evidencia, estado="aceptada", comentario="", version=1)

        assert response.status_code == status
        assert (estado_de_evidencias(), Puntaje.objects.count()) == antes


# --- Adhesiones: the municipality's transitions -----------------------------------------------


def transicion(user: Any, adhesion: Adhesion, **datos: Any) -> Any:
    return api_client_for(user).post(f"{ADHESIONES}{adhesion.uuid}/transiciones/", datos, format="json")


def aceptar_todo(sello: Sello, revisor: Any) -> None:
    Evidencia.objects.bulk_create(
        Evidencia(
            adhesion=sello.adhesion,
            accion=accion,
            descripcion=f"Evidencia de {accion.nombre[:60]}",
            enlace=f"https://example.cl/{accion.pk}",
            estado=EstadoEvidencia.ACEPTADA,
            enviada_por=revisor,
            enviada_en=timezone.now(),
            revisada_por=revisor,
            revisada_en=timezone.now(),
        )
        for accion in sello.acciones
    )


class TestTransiciones:
    def test_iniciar_plan(self, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal).adhesion

        response = transicion(municipal, adhesion, accion="iniciar_plan", version=1, comentario="Comenzamos")

        assert response.status_code == 200, response.content
        assert response.json()["estado"] == "plan_en_elaboracion"
        assert response.json()["version"] == 2
        assert PlanTrabajo.objects.get(adhesion=adhesion).acciones.count() > 0
        log = TransicionSello.objects.get(adhesion=adhesion)
        assert (log.accion, log.usuario, log.comentario) == ("iniciar_plan", municipal, "Comenzamos")

    def test_iniciar_implementacion(self, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.PLAN_APROBADO, municipal=municipal).adhesion

        response = transicion(municipal, adhesion, accion="iniciar_implementacion", version=1)

        assert response.status_code == 200, response.content
        assert response.json()["estado"] == "en_implementacion"
        assert response.json()["estado_label"] == "En implementación"
        assert TransicionSello.objects.get(adhesion=adhesion).hasta == EstadoSello.EN_IMPLEMENTACION

    def test_solicitar_evaluacion_when_the_rule_allows_it(self, municipal, regional, independencia) -> None:
        sello = construir(independencia, EstadoSello.PLAN_APROBADO, municipal=municipal)
        Adhesion.objects.filter(pk=sello.adhesion.pk).update(estado=EstadoSello.EN_IMPLEMENTACION)
        aceptar_todo(sello, regional)

        response = transicion(municipal, sello.adhesion, accion="solicitar_evaluacion", version=1, comentario="Listos")

        assert response.status_code == 200, response.content
        assert response.json()["estado"] == "evaluacion_solicitada"
        assert response.json()["puntaje"]["cumple"] is True
        assert response.json()["puntaje"]["total"] == "100.00"
        assert TransicionSello.objects.get(adhesion=sello.adhesion).comentario == "Listos"

    def test_solicitar_evaluacion_below_the_rule_is_a_400(self, municipal, sello_independencia) -> None:
        antes = (estado_de_adhesiones(), Puntaje.objects.count())
        response = transicion(municipal, sello_independencia.adhesion, accion="solicitar_evaluacion", version=1)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
        assert response.json()["error"]["message"].startswith("Aún no cumple la regla")
        assert (estado_de_adhesiones(), Puntaje.objects.count()) == antes

    def test_a_stale_version_is_a_409(self, municipal, sello_independencia) -> None:
        antes = estado_de_adhesiones()
        response = transicion(municipal, sello_independencia.adhesion, accion="solicitar_evaluacion", version=3)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
        assert estado_de_adhesiones() == antes

    def test_a_step_the_state_does_not_allow_is_a_409(self, municipal, sello_independencia) -> None:
        antes = estado_de_adhesiones()
        response = transicion(municipal, sello_independencia.adhesion, accion="iniciar_plan", version=1)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "transition_not_allowed"
        assert "En implementación" in response.json()["error"]["message"]
        assert estado_de_adhesiones() == antes
        assert not TransicionSello.objects.exists()

    def test_an_unknown_step_is_a_400(self, municipal, sello_independencia) -> None:
        response = transicion(municipal, sello_independencia.adhesion, accion="otorgar", version=1)
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"accion"}
        assert Adhesion.objects.get().estado == EstadoSello.EN_IMPLEMENTACION

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("anonimo", 401),
            ("regional", 403),
            ("nacional", 403),
            ("evaluador", 403),
            ("municipal_otra", 404),
            ("regional_otra", 404),
            ("sin_rol", 404),
        ],
    )
    @pytest.mark.parametrize("accion", ["iniciar_implementacion", "solicitar_evaluacion"])
    @pytest.mark.usefixtures("municipal_otra", "regional_otra", "sin_rol")
    def test_only_the_municipality_advances_its_seal(
        self, nombre, status, accion, persona, municipal, regional, independencia
    ) -> None:
        estado = EstadoSello.PLAN_APROBADO if accion == "iniciar_implementacion" else EstadoSello.EN_IMPLEMENTACION
        sello = construir(independencia, EstadoSello.PLAN_APROBADO, municipal=municipal)
        Adhesion.objects.filter(pk=sello.adhesion.pk).update(estado=estado)
        aceptar_todo(sello, regional)  # the rule would allow the request: only the role refuses
        antes = (estado_de_adhesiones(), Puntaje.objects.count())

        response = transicion(persona(nombre), sello.adhesion, accion=accion, version=1)

        assert response.status_code == status
        assert (estado_de_adhesiones(), Puntaje.objects.count()) == antes
        assert not TransicionSello.objects.exists()

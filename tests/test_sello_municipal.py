"""The municipal officer's seal pages ("Mi Sello"): every page x every persona (allowed, denied
and nothing changed), the evidence flow through the browser, hostile uploads, stale versions,
escaping, and query counts that do not grow with the evidence."""

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sello import selectors
from sello.demo import PDF_MINIMO
from sello.models import (
    AccionPlan,
    Adhesion,
    Archivo,
    EstadoEvidencia,
    EstadoPlan,
    EstadoSello,
    Evidencia,
    PlanTrabajo,
    TransicionSello,
)
from sello.services import evidencias as evidencias_services

from .conftest import PERSONAS, client_for
from .sello_fixtures import Sello, archivo_pdf, construir

pytestmark = pytest.mark.django_db

OTRAS = [p for p in PERSONAS if p != "municipal"]
# What a persona other than Independencia's officer gets when acting on Independencia's seal:
# sent to log in, "not found" outside the territory, "forbidden" for SERMIG staff, who see
# the seal but do not act for the municipality.
DENEGADO = {
    "anonimo": 302,
    "municipal_otra": 404,
    "regional": 403,
    "regional_otra": 404,
    "nacional": 403,
    "evaluador": 403,
}
CONFLICTO = "Otra persona modificó estos datos"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def archivos_guardados(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def pdf(nombre: str = "evidencia.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, PDF_MINIMO, content_type="application/pdf")


MALICIOSOS: dict[str, tuple[Callable[[], SimpleUploadedFile], str]] = {
    "html renombrado .pdf": (
        lambda: SimpleUploadedFile(
            "informe.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "application/pdf"
        ),
        "no es un documento permitido",
    ),
    "svg con script renombrado .pdf": (
        lambda: SimpleUploadedFile(
            "grafico.pdf",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "application/pdf",
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


def estado_de(adhesion: Adhesion) -> tuple[Any, ...]:
    adhesion.refresh_from_db()
    return (adhesion.estado, adhesion.version, adhesion.carta_firmada_id, TransicionSello.objects.count())


def como(persona: Callable[[str], Any], nombre: str) -> Client:
    return client_for(persona(nombre))


def inicio_sermig() -> str:
    try:
        return reverse("sello:revision")
    except NoReverseMatch:
        return reverse("municipios:list")


# --- Mi Sello -------------------------------------------------------------------------------
class TestMiSello:
    def test_it_shows_summary_plan_evidence_log_and_next_steps(self, municipal, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        TransicionSello.objects.create(
            adhesion=adhesion,
            desde=EstadoSello.PLAN_APROBADO,
            hasta=EstadoSello.EN_IMPLEMENTACION,
            accion="iniciar_implementacion",
            usuario=municipal,
            comentario="Partimos con la capacitación",
        )
        response = client_for(municipal).get(reverse("sello:mi_sello"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Estado del sello" in body  # the shared summary
        assert "Qué falta para certificar" in body
        for nombre in ["Institucionalidad", "Capacitaciones", "Regularidad migratoria"]:
            assert nombre in body
        for evidencia in sello_independencia.evidencias.values():
            assert evidencia.descripcion in body
        observada = sello_independencia.evidencias[EstadoEvidencia.OBSERVADA]
        assert f"?reemplaza={observada.uuid}" in body  # an observed one can be re-submitted
        enviada = sello_independencia.evidencias[EstadoEvidencia.ENVIADA]
        assert reverse("sello:evidencia_archivo", kwargs={"uuid": enviada.uuid}) in body
        assert "Partimos con la capacitación" in body  # the transition log
        # Next steps: the municipality may request evaluation (a POST carrying the version).
        assert [t.accion for t in response.context["acciones_sello"]] == ["solicitar_evaluacion"]
        assert f'name="version" value="{adhesion.version}"' in body
        assert reverse("sello:carta", kwargs={"uuid": adhesion.uuid}) in body
        assert "Manifestar interés" not in body

    def test_it_offers_to_manifest_interest_when_there_is_no_adhesion(self, municipal) -> None:
        response = client_for(municipal).get(reverse("sello:mi_sello"))
        assert response.status_code == 200
        assert response.context["adhesion"] is None
        assert "Manifestar interés" in response.content.decode()

    def test_an_interested_municipality_is_led_to_register_its_adhesion(self, municipal, independencia) -> None:
        sello = construir(independencia, EstadoSello.INTERESADA, municipal=municipal)
        response = client_for(municipal).get(reverse("sello:mi_sello"))
        assert reverse("sello:adhesion", kwargs={"uuid": sello.adhesion.uuid}) in response.content.decode()
        assert response.context["acciones_sello"] == []

    def test_it_validates_ownership(self, municipal_otra, sello_independencia, sello_quilicura) -> None:
        response = client_for(municipal_otra).get(reverse("sello:mi_sello"))
        assert response.status_code == 200
        assert response.context["adhesion"] == sello_quilicura.adhesion
        body = response.content.decode()
        assert sello_independencia.evidencias[EstadoEvidencia.ACEPTADA].descripcion not in body

    @pytest.mark.parametrize("nombre", ["regional", "regional_otra", "nacional", "evaluador"])
    def test_sermig_staff_are_sent_to_their_pages(self, nombre, persona, sello_independencia) -> None:
        response = como(persona, nombre).get(reverse("sello:mi_sello"))
        assert response.status_code == 302
        assert response["Location"] == inicio_sermig()

    def test_anonymous_is_sent_to_login_and_no_role_sees_nothing(self, sin_rol) -> None:
        response = client_for(None).get(reverse("sello:mi_sello"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client_for(sin_rol).get(reverse("sello:mi_sello")).status_code == 403

    def test_descriptions_are_escaped(self, municipal, sello_independencia) -> None:
        Evidencia.objects.filter(pk=sello_independencia.evidencias[EstadoEvidencia.ENVIADA].pk).update(
            descripcion="<script>alert(1)</script>", comentario_revision="<img src=x onerror=alert(2)>"
        )
        body = client_for(municipal).get(reverse("sello:mi_sello")).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<img src=x" not in body

    def test_query_count_does_not_grow_with_evidence(
        self, municipal, sello_independencia, django_assert_num_queries
    ) -> None:
        client = client_for(municipal)
        url = reverse("sello:mi_sello")
        # 1 session, 2 user (with municipalidad), 3 current adhesion (municipality, comuna,
        # región, catalogue and rule joined), 4 actions with evidence counts (the score),
        # 5 plan actions, 6 their evidence (with file and re-submitted one), 7 the plan,
        # 8 the transition log with its users, 9 unread notifications (the nav's badge),
        # 10-12 what the platform proves by itself (municipal trainings with attendance, staff
        # certified by SERMIG, operativos: one count each).
        with django_assert_num_queries(12):
            response = client.get(url)
        assert sum(len(a.evidencias.all()) for linea in response.context["lineas"] for a in linea.acciones) == 4
        ahora = timezone.now()
        Evidencia.objects.bulk_create(
            Evidencia(
                adhesion=sello_independencia.adhesion,
                accion=accion,
                descripcion=f"Acta {n}",
                archivo=archivo_pdf(municipal) if n % 2 else None,
                enlace="" if n % 2 else f"https://example.cl/{n}",
                estado=EstadoEvidencia.OBSERVADA if n % 3 else EstadoEvidencia.ACEPTADA,
                enviada_por=municipal,
                enviada_en=ahora - timedelta(hours=n),
                revisada_por=municipal,
                comentario_revision="Revisar",
            )
            for n, accion in enumerate(sello_independencia.acciones * 3)
        )
        TransicionSello.objects.bulk_create(
            TransicionSello(adhesion=sello_independencia.adhesion, desde="a", hasta="b", accion="x", usuario=municipal)
            for _ in range(10)
        )
        with django_assert_num_queries(12):
            response = client.get(url)
        assert sum(len(a.evidencias.all()) for linea in response.context["lineas"] for a in linea.acciones) > 40


# --- Manifestar interés ---------------------------------------------------------------------
class TestInteres:
    def test_it_works(self, municipal, independencia) -> None:
        response = client_for(municipal).post(reverse("sello:interes"))
        assert response.status_code == 302
        assert response["Location"] == reverse("sello:mi_sello")
        adhesion = Adhesion.objects.get(municipalidad=independencia)
        assert (adhesion.estado, adhesion.ciclo) == (EstadoSello.INTERESADA, 1)

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_acts_only_for_the_officers_own_municipality(self, nombre, persona, independencia) -> None:
        response = como(persona, nombre).post(reverse("sello:interes"))
        assert not Adhesion.objects.filter(municipalidad=independencia).exists()
        if nombre == "municipal_otra":  # Quilicura's officer starts Quilicura's cycle
            assert response.status_code == 302
            assert list(Adhesion.objects.values_list("municipalidad__comuna_id", flat=True)) == ["13125"]
        else:
            assert response.status_code == (302 if nombre == "anonimo" else 403)
            assert not Adhesion.objects.exists()

    def test_a_second_cycle_in_progress_is_refused(self, municipal, sello_independencia) -> None:
        response = client_for(municipal).post(reverse("sello:interes"))
        assert response.status_code == 400
        assert "ya tiene un proceso del Sello en curso" in response.content.decode()
        assert Adhesion.objects.count() == 1

    def test_get_is_not_allowed(self, municipal) -> None:
        assert client_for(municipal).get(reverse("sello:interes")).status_code == 405


# --- Adhesion -------------------------------------------------------------------------------
@pytest.fixture
def interesada(municipal, independencia) -> Sello:
    return construir(independencia, EstadoSello.INTERESADA, municipal=municipal)


def datos_adhesion(adhesion: Adhesion, carta: SimpleUploadedFile | None = None) -> dict[str, Any]:
    hoy = timezone.localdate()
    return {
        "fecha_adhesion": (hoy - timedelta(days=5)).isoformat(),
        "acuerdo_concejo_numero": "45/2026",
        "acuerdo_concejo_fecha": (hoy - timedelta(days=10)).isoformat(),
        "encargado_nombre": "Rosa Pérez",
        "encargado_cargo": "Encargada Oficina de Migrantes",
        "encargado_email": "rosa@independencia.cl",
        "carta_firmada": carta or pdf("carta firmada.pdf"),
        "version": adhesion.version,
    }


class TestAdhesion:
    def url(self, adhesion: Adhesion) -> str:
        return reverse("sello:adhesion", kwargs={"uuid": adhesion.uuid})

    def test_it_shows_the_form(self, municipal, interesada) -> None:
        response = client_for(municipal).get(self.url(interesada.adhesion))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'enctype="multipart/form-data"' in body
        assert 'name="carta_firmada"' in body
        assert f'name="version" value="{interesada.adhesion.version}"' in body

    def test_it_works(self, municipal, interesada, media) -> None:
        response = client_for(municipal).post(self.url(interesada.adhesion), datos_adhesion(interesada.adhesion))
        assert response.status_code == 302
        adhesion = interesada.adhesion
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.ADHERIDA
        assert (adhesion.acuerdo_concejo_numero, adhesion.encargado_nombre) == ("45/2026", "Rosa Pérez")
        assert adhesion.carta_firmada is not None
        assert adhesion.carta_firmada.nombre_original == "carta firmada.pdf"
        assert adhesion.carta_firmada.tipo == "application/pdf"
        assert len(archivos_guardados(media)) == 1
        transicion = TransicionSello.objects.get(adhesion=adhesion)
        assert (transicion.desde, transicion.hasta, transicion.usuario) == ("interesada", "adherida", municipal)

    @pytest.mark.parametrize("caso", list(MALICIOSOS))
    def test_hostile_or_bad_uploads_are_refused_and_nothing_is_stored(
        self, caso, settings, municipal, interesada, media
    ) -> None:
        settings.SELLO_MAX_UPLOAD_BYTES = 1024
        subir, mensaje = MALICIOSOS[caso]
        antes = estado_de(interesada.adhesion)
        response = client_for(municipal).post(
            self.url(interesada.adhesion), datos_adhesion(interesada.adhesion, subir())
        )
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert estado_de(interesada.adhesion) == antes
        assert not Archivo.objects.exists()
        assert archivos_guardados(media) == []

    def test_a_stale_version_is_refused(self, municipal, interesada, media) -> None:
        datos = datos_adhesion(interesada.adhesion)
        Adhesion.objects.filter(pk=interesada.adhesion.pk).update(version=5)  # someone else saved meanwhile
        antes = estado_de(interesada.adhesion)
        response = client_for(municipal).post(self.url(interesada.adhesion), datos)
        assert response.status_code == 409
        assert CONFLICTO in response.content.decode()
        assert estado_de(interesada.adhesion) == antes
        assert archivos_guardados(media) == []

    def test_business_rules_come_from_the_service(self, municipal, interesada) -> None:
        datos = datos_adhesion(interesada.adhesion)
        datos["acuerdo_concejo_fecha"] = timezone.localdate().isoformat()
        datos["fecha_adhesion"] = (timezone.localdate() - timedelta(days=3)).isoformat()
        antes = estado_de(interesada.adhesion)
        response = client_for(municipal).post(self.url(interesada.adhesion), datos)
        assert response.status_code == 400
        assert "no puede ser anterior al acuerdo del Concejo" in response.content.decode()
        assert estado_de(interesada.adhesion) == antes

    def test_missing_fields_are_reported(self, municipal, interesada) -> None:
        antes = estado_de(interesada.adhesion)
        response = client_for(municipal).post(self.url(interesada.adhesion), {"version": 1})
        assert response.status_code == 400
        assert set(response.context["form"].errors) >= {"fecha_adhesion", "carta_firmada", "encargado_nombre"}
        assert estado_de(interesada.adhesion) == antes

    def test_an_adhered_municipality_sees_its_data_instead_of_the_form(self, municipal, sello_independencia) -> None:
        response = client_for(municipal).get(self.url(sello_independencia.adhesion))
        assert response.status_code == 200
        body = response.content.decode()
        assert "La adhesión ya fue registrada" in body
        assert 'name="carta_firmada"' not in body
        response = client_for(municipal).post(
            self.url(sello_independencia.adhesion), datos_adhesion(sello_independencia.adhesion)
        )
        assert response.status_code == 409

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, municipal, interesada, media) -> None:
        client = como(persona, nombre)
        antes = estado_de(interesada.adhesion)
        assert client.get(self.url(interesada.adhesion)).status_code == DENEGADO[nombre]
        response = client.post(self.url(interesada.adhesion), datos_adhesion(interesada.adhesion))
        assert response.status_code == DENEGADO[nombre]
        assert estado_de(interesada.adhesion) == antes
        assert not Archivo.objects.exists()
        assert archivos_guardados(media) == []


# --- Carta de compromiso --------------------------------------------------------------------
class TestCarta:
    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional", "evaluador"])
    def test_it_is_a_pdf_naming_the_municipality(self, nombre, persona, sello_independencia, tmp_path) -> None:
        response = como(persona, nombre).get(reverse("sello:carta", kwargs={"uuid": sello_independencia.adhesion.uuid}))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="carta-compromiso-13108.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        ruta = tmp_path / "carta.pdf"
        ruta.write_bytes(response.content)
        texto = subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout
        assert "Municipalidad de Independencia" in " ".join(texto.split())

    @pytest.mark.parametrize("nombre", ["anonimo", "municipal_otra", "regional_otra"])
    def test_it_validates_ownership(self, nombre, persona, sello_independencia) -> None:
        response = como(persona, nombre).get(reverse("sello:carta", kwargs={"uuid": sello_independencia.adhesion.uuid}))
        assert response.status_code == DENEGADO[nombre]


# --- Transitions ----------------------------------------------------------------------------
def transicionar(client: Client, adhesion: Adhesion, accion: str, version: int | None = None, **extra: Any) -> Any:
    return client.post(
        reverse("sello:transicion", kwargs={"uuid": adhesion.uuid}),
        {"accion": accion, "version": adhesion.version if version is None else version, **extra},
    )


class TestTransicion:
    def test_it_starts_the_plan_with_the_catalogue(self, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal).adhesion
        response = transicionar(client_for(municipal), adhesion, "iniciar_plan", comentario="Vamos")
        assert response.status_code == 302
        assert response["Location"] == reverse("sello:mi_sello")
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.PLAN_EN_ELABORACION
        assert AccionPlan.objects.filter(plan__adhesion=adhesion).count() == adhesion.catalogo.acciones.count()
        log = TransicionSello.objects.get(adhesion=adhesion)
        assert (log.accion, log.usuario, log.comentario) == ("iniciar_plan", municipal, "Vamos")

    def test_it_starts_the_implementation(self, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.PLAN_APROBADO, municipal=municipal).adhesion
        response = transicionar(client_for(municipal), adhesion, "iniciar_implementacion", comentario="Listos")
        assert response.status_code == 302
        adhesion.refresh_from_db()
        assert adhesion.estado == EstadoSello.EN_IMPLEMENTACION
        assert TransicionSello.objects.get(adhesion=adhesion).comentario == "Listos"

    def test_it_requests_the_evaluation_when_the_rule_is_met(self, municipal, regional, independencia) -> None:
        sello = construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
        Evidencia.objects.filter(adhesion=sello.adhesion).update(estado=EstadoEvidencia.ACEPTADA)
        Evidencia.objects.bulk_create(
            Evidencia(
                adhesion=sello.adhesion,
                accion=accion,
                descripcion="Acta",
                enlace="https://example.cl/acta",
                estado=EstadoEvidencia.ACEPTADA,
                enviada_por=municipal,
                enviada_en=timezone.now(),
            )
            for accion in sello.acciones[4:]
        )
        response = transicionar(client_for(municipal), sello.adhesion, "solicitar_evaluacion")
        assert response.status_code == 302
        sello.adhesion.refresh_from_db()
        assert sello.adhesion.estado == EstadoSello.EVALUACION_SOLICITADA

    def test_requesting_the_evaluation_too_early_explains_what_is_missing(self, municipal, sello_independencia) -> None:
        antes = estado_de(sello_independencia.adhesion)
        response = transicionar(client_for(municipal), sello_independencia.adhesion, "solicitar_evaluacion")
        assert response.status_code == 400
        assert "Aún no cumple la regla" in response.content.decode()
        assert estado_de(sello_independencia.adhesion) == antes

    def test_a_stale_version_is_refused(self, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal).adhesion
        visto = adhesion.version
        Adhesion.objects.filter(pk=adhesion.pk).update(version=visto + 1)  # another tab saved meanwhile
        antes = estado_de(adhesion)
        response = transicionar(client_for(municipal), adhesion, "iniciar_plan", version=visto)
        assert response.status_code == 409
        assert CONFLICTO in response.content.decode()
        assert estado_de(adhesion) == antes
        assert not PlanTrabajo.objects.exists()

    def test_a_transition_from_the_wrong_state_is_refused(self, municipal, sello_independencia) -> None:
        antes = estado_de(sello_independencia.adhesion)
        response = transicionar(client_for(municipal), sello_independencia.adhesion, "iniciar_implementacion")
        assert response.status_code == 409
        assert "No se puede «Iniciar implementación»" in response.content.decode()
        assert estado_de(sello_independencia.adhesion) == antes

    @pytest.mark.parametrize("accion", ["otorgar", "aprobar_plan", "retirar", ""])
    def test_other_actions_are_not_taken_here(self, accion, municipal, sello_independencia) -> None:
        antes = estado_de(sello_independencia.adhesion)
        response = transicionar(client_for(municipal), sello_independencia.adhesion, accion)
        assert response.status_code == 400
        assert estado_de(sello_independencia.adhesion) == antes

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, municipal, independencia) -> None:
        adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal).adhesion
        antes = estado_de(adhesion)
        response = transicionar(como(persona, nombre), adhesion, "iniciar_plan")
        assert response.status_code == DENEGADO[nombre]
        assert estado_de(adhesion) == antes
        assert not PlanTrabajo.objects.exists()

    def test_get_is_not_allowed(self, municipal, sello_independencia) -> None:
        url = reverse("sello:transicion", kwargs={"uuid": sello_independencia.adhesion.uuid})
        assert client_for(municipal).get(url).status_code == 405


# --- Work plan ------------------------------------------------------------------------------
@pytest.fixture
def en_elaboracion(municipal, independencia) -> Sello:
    return construir(independencia, EstadoSello.PLAN_EN_ELABORACION, municipal=municipal)


def datos_accion(**cambios: Any) -> dict[str, Any]:
    hoy = timezone.localdate()
    return {
        "unidad_responsable": "DIDECO",
        "fecha_inicio": hoy.isoformat(),
        "fecha_termino": (hoy + timedelta(days=90)).isoformat(),
        "indicador": "Ordenanza publicada",
        "meta": "1 ordenanza",
        **cambios,
    }


def campos(accion: AccionPlan) -> tuple[Any, ...]:
    accion.refresh_from_db()
    return (accion.unidad_responsable, accion.indicador, accion.meta, accion.no_aplica, accion.fecha_inicio)


class TestAccionEditar:
    def url(self, sello: Sello, accion: AccionPlan) -> str:
        return reverse("sello:accion_editar", kwargs={"uuid": sello.adhesion.uuid, "pk": accion.pk})

    def test_it_works(self, municipal, en_elaboracion) -> None:
        accion = en_elaboracion.acciones[0]
        client = client_for(municipal)
        assert client.get(self.url(en_elaboracion, accion)).status_code == 200
        response = client.post(self.url(en_elaboracion, accion), datos_accion(indicador="Decreto alcaldicio"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('sello:mi_sello')}#accion-{accion.pk}"
        assert campos(accion)[:3] == ("DIDECO", "Decreto alcaldicio", "1 ordenanza")

    def test_not_applicable_needs_a_reason_and_an_optional_action(self, municipal, en_elaboracion) -> None:
        obligatoria = next(a for a in en_elaboracion.acciones if a.obligatoria)
        opcional = next(a for a in en_elaboracion.acciones if not a.obligatoria)
        client = client_for(municipal)
        antes = campos(obligatoria)
        response = client.post(
            self.url(en_elaboracion, obligatoria), datos_accion(no_aplica="on", justificacion_no_aplica="No hay")
        )
        assert response.status_code == 400
        assert "Una acción obligatoria no puede marcarse «no aplica»." in response.content.decode()
        assert campos(obligatoria) == antes
        response = client.post(self.url(en_elaboracion, opcional), datos_accion(no_aplica="on"))
        assert response.status_code == 400
        assert "Indique por qué la acción no aplica" in response.content.decode()
        response = client.post(
            self.url(en_elaboracion, opcional),
            datos_accion(no_aplica="on", justificacion_no_aplica="La comuna no tiene ese programa"),
        )
        assert response.status_code == 302
        assert campos(opcional)[3] is True

    def test_an_action_of_another_cycle_is_not_found(self, municipal, independencia, en_elaboracion) -> None:
        # Same municipality, so the scoping helper alone would let it through: the URL's
        # adhesion must own it.
        Adhesion.objects.filter(pk=en_elaboracion.adhesion.pk).update(ciclo=2)
        anterior = construir(independencia, EstadoSello.PLAN_EN_ELABORACION, municipal=municipal)
        ajena = anterior.acciones[0]
        antes = campos(ajena)
        client = client_for(municipal)
        assert client.get(self.url(en_elaboracion, ajena)).status_code == 404
        assert client.post(self.url(en_elaboracion, ajena), datos_accion(meta="otra")).status_code == 404
        assert campos(ajena) == antes

    def test_a_submitted_plan_cannot_be_edited(self, municipal, sello_independencia) -> None:
        accion = sello_independencia.acciones[0]
        client = client_for(municipal)
        response = client.get(self.url(sello_independencia, accion))
        assert response.status_code == 200
        assert "no se puede modificar" in response.content.decode()
        antes = campos(accion)
        response = client.post(self.url(sello_independencia, accion), datos_accion(meta="2"))
        assert response.status_code == 409
        assert campos(accion) == antes

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, en_elaboracion) -> None:
        accion = en_elaboracion.acciones[0]
        client = como(persona, nombre)
        antes = campos(accion)
        assert client.get(self.url(en_elaboracion, accion)).status_code == DENEGADO[nombre]
        assert client.post(self.url(en_elaboracion, accion), datos_accion(meta="9")).status_code == DENEGADO[nombre]
        assert campos(accion) == antes


class TestAccionNueva:
    def url(self, sello: Sello) -> str:
        return reverse("sello:accion_nueva", kwargs={"uuid": sello.adhesion.uuid})

    def test_it_works(self, municipal, en_elaboracion) -> None:
        client = client_for(municipal)
        assert client.get(self.url(en_elaboracion)).status_code == 200
        response = client.post(self.url(en_elaboracion), datos_accion(linea=3, nombre="Mesa comunal migrante"))
        assert response.status_code == 302
        accion = AccionPlan.objects.get(plan=en_elaboracion.plan, nombre="Mesa comunal migrante")
        assert (accion.linea, accion.accion_catalogo, accion.obligatoria) == (3, None, False)

    def test_a_bad_line_is_refused(self, municipal, en_elaboracion) -> None:
        antes = AccionPlan.objects.count()
        response = client_for(municipal).post(self.url(en_elaboracion), datos_accion(linea=9, nombre="X"))
        assert response.status_code == 400
        assert AccionPlan.objects.count() == antes

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, en_elaboracion) -> None:
        client = como(persona, nombre)
        antes = AccionPlan.objects.count()
        assert client.get(self.url(en_elaboracion)).status_code == DENEGADO[nombre]
        response = client.post(self.url(en_elaboracion), datos_accion(linea=3, nombre="Ajena"))
        assert response.status_code == DENEGADO[nombre]
        assert AccionPlan.objects.count() == antes


class TestPlanEnviar:
    def enviar(self, client: Client, sello: Sello, version: int | None = None) -> Any:
        assert sello.plan is not None
        return client.post(
            reverse("sello:plan_enviar", kwargs={"uuid": sello.adhesion.uuid}),
            {"version": sello.plan.version if version is None else version},
        )

    def plan(self, sello: Sello) -> tuple[Any, ...]:
        plan = PlanTrabajo.objects.get(adhesion=sello.adhesion)
        return (plan.estado, plan.version, plan.enviado_en)

    def test_it_works(self, municipal, en_elaboracion) -> None:
        response = self.enviar(client_for(municipal), en_elaboracion)
        assert response.status_code == 302
        assert self.plan(en_elaboracion)[0] == EstadoPlan.ENVIADO

    def test_an_incomplete_plan_is_refused_with_what_is_missing(self, municipal, en_elaboracion) -> None:
        AccionPlan.objects.filter(pk=en_elaboracion.acciones[0].pk).update(indicador="")
        antes = self.plan(en_elaboracion)
        response = self.enviar(client_for(municipal), en_elaboracion)
        assert response.status_code == 400
        assert "El plan está incompleto" in response.content.decode()
        assert self.plan(en_elaboracion) == antes

    def test_a_stale_version_is_refused(self, municipal, en_elaboracion) -> None:
        antes = self.plan(en_elaboracion)
        response = self.enviar(client_for(municipal), en_elaboracion, version=99)
        assert response.status_code == 409
        assert CONFLICTO in response.content.decode()
        assert self.plan(en_elaboracion) == antes

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, en_elaboracion) -> None:
        antes = self.plan(en_elaboracion)
        assert self.enviar(como(persona, nombre), en_elaboracion).status_code == DENEGADO[nombre]
        assert self.plan(en_elaboracion) == antes


# --- Evidence -------------------------------------------------------------------------------
class TestEvidencia:
    def url(self, sello: Sello, accion: AccionPlan) -> str:
        return reverse("sello:evidencia_nueva", kwargs={"uuid": sello.adhesion.uuid, "pk": accion.pk})

    def test_the_whole_flow_moves_the_score(self, municipal, regional, sello_independencia) -> None:
        adhesion = sello_independencia.adhesion
        accion = sello_independencia.acciones[4]  # no evidence yet
        client = client_for(municipal)
        total_inicial = selectors.resumen(adhesion=adhesion).total

        # The municipality uploads a file.
        assert client.get(self.url(sello_independencia, accion)).status_code == 200
        response = client.post(self.url(sello_independencia, accion), {"descripcion": "Decreto", "archivo": pdf()})
        assert response.status_code == 302
        primera = Evidencia.objects.get(accion=accion)
        assert (primera.estado, primera.archivo.tipo, primera.enviada_por) == ("enviada", "application/pdf", municipal)

        # Regional staff observe it; Mi Sello shows the comment and offers to re-submit.
        evidencias_services.evidencia_revisar(
            evidencia=primera,
            usuario=regional,
            estado=EstadoEvidencia.OBSERVADA,
            comentario="Falta la firma",
            version=1,
        )
        body = client.get(reverse("sello:mi_sello")).content.decode()
        assert "Falta la firma" in body
        reenviar = f"{self.url(sello_independencia, accion)}?reemplaza={primera.uuid}"
        assert reenviar in body
        form = client.get(reenviar).context["form"]
        assert list(form.fields["reemplaza"].queryset) == [primera]

        # The municipality re-submits; regional staff accept; the score moves.
        response = client.post(
            self.url(sello_independencia, accion),
            {"descripcion": "Decreto firmado", "archivo": pdf("decreto-firmado.pdf"), "reemplaza": str(primera.uuid)},
        )
        assert response.status_code == 302
        segunda = Evidencia.objects.get(reemplaza=primera)
        assert segunda.archivo.nombre_original == "decreto-firmado.pdf"
        assert f"?reemplaza={primera.uuid}" not in client.get(reverse("sello:mi_sello")).content.decode()
        evidencias_services.evidencia_revisar(
            evidencia=segunda, usuario=regional, estado=EstadoEvidencia.ACEPTADA, comentario="", version=1
        )
        assert selectors.resumen(adhesion=adhesion).total > total_inicial

    def test_a_link_is_evidence_too(self, municipal, sello_independencia) -> None:
        accion = sello_independencia.acciones[5]
        response = client_for(municipal).post(
            self.url(sello_independencia, accion),
            {"descripcion": "Acta publicada", "enlace": "https://transparencia.example.cl/acta"},
        )
        assert response.status_code == 302
        assert Evidencia.objects.get(accion=accion).enlace == "https://transparencia.example.cl/acta"

    @pytest.mark.parametrize(
        ("datos", "mensaje"),
        [
            ({"descripcion": "Acta"}, "Adjunte un archivo o indique un enlace"),
            ({"descripcion": "Acta", "enlace": "javascript:alert(1)"}, "no es una dirección web válida"),
            ({"descripcion": "Acta", "enlace": "https://a.cl/x", "archivo": "pdf"}, "solo uno de los dos"),
        ],
    )
    def test_file_or_link_one_of_them(self, datos, mensaje, municipal, sello_independencia, media) -> None:
        if datos.get("archivo"):
            datos = {**datos, "archivo": pdf()}
        antes = (Evidencia.objects.count(), archivos_guardados(media))
        response = client_for(municipal).post(self.url(sello_independencia, sello_independencia.acciones[5]), datos)
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert (Evidencia.objects.count(), archivos_guardados(media)) == antes

    @pytest.mark.parametrize("caso", list(MALICIOSOS))
    def test_hostile_or_bad_uploads_are_refused_and_nothing_is_stored(
        self, caso, settings, municipal, sello_independencia, media
    ) -> None:
        settings.SELLO_MAX_UPLOAD_BYTES = 1024
        subir, mensaje = MALICIOSOS[caso]
        antes = (Evidencia.objects.count(), Archivo.objects.count(), archivos_guardados(media))
        response = client_for(municipal).post(
            self.url(sello_independencia, sello_independencia.acciones[5]),
            {"descripcion": "Informe", "archivo": subir()},
        )
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert (Evidencia.objects.count(), Archivo.objects.count(), archivos_guardados(media)) == antes

    def test_only_an_observed_evidence_of_the_action_can_be_replaced(self, municipal, sello_independencia) -> None:
        aceptada = sello_independencia.evidencias[EstadoEvidencia.ACEPTADA]
        observada = sello_independencia.evidencias[EstadoEvidencia.OBSERVADA]
        antes = Evidencia.objects.count()
        response = client_for(municipal).post(
            self.url(sello_independencia, observada.accion),
            {"descripcion": "Otra", "enlace": "https://a.cl/x", "reemplaza": str(aceptada.uuid)},
        )
        assert response.status_code == 400
        assert "reemplaza" in response.context["form"].errors
        assert Evidencia.objects.count() == antes

    def test_evidence_is_not_received_before_the_plan_is_approved(self, municipal, en_elaboracion) -> None:
        url = self.url(en_elaboracion, en_elaboracion.acciones[0])
        client = client_for(municipal)
        assert "No se reciben evidencias" in client.get(url).content.decode()
        response = client.post(url, {"descripcion": "Acta", "enlace": "https://a.cl/x"})
        assert response.status_code == 409
        assert not Evidencia.objects.exists()

    @pytest.mark.parametrize("nombre", OTRAS)
    def test_it_validates_ownership(self, nombre, persona, sello_independencia, media) -> None:
        client = como(persona, nombre)
        url = self.url(sello_independencia, sello_independencia.acciones[5])
        antes = (Evidencia.objects.count(), archivos_guardados(media))
        assert client.get(url).status_code == DENEGADO[nombre]
        response = client.post(url, {"descripcion": "Ajena", "archivo": pdf()})
        assert response.status_code == DENEGADO[nombre]
        assert (Evidencia.objects.count(), archivos_guardados(media)) == antes


# --- Evidence file download -----------------------------------------------------------------
class TestArchivo:
    def url(self, evidencia: Evidencia) -> str:
        return reverse("sello:evidencia_archivo", kwargs={"uuid": evidencia.uuid})

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional", "evaluador"])
    def test_it_works(self, nombre, persona, sello_independencia) -> None:
        evidencia = sello_independencia.evidencias[EstadoEvidencia.ENVIADA]
        response = como(persona, nombre).get(self.url(evidencia))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_MINIMO
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="evidencia.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'"

    @pytest.mark.parametrize("nombre", ["anonimo", "municipal_otra", "regional_otra", "sin_rol"])
    def test_it_validates_ownership(self, nombre, persona, sello_independencia) -> None:
        response = como(persona, nombre).get(self.url(sello_independencia.evidencias[EstadoEvidencia.ENVIADA]))
        assert response.status_code == (302 if nombre == "anonimo" else 404)
        assert PDF_MINIMO not in response.content

    def test_a_link_has_no_file(self, municipal, sello_independencia) -> None:
        response = client_for(municipal).get(self.url(sello_independencia.evidencias[EstadoEvidencia.ACEPTADA]))
        assert response.status_code == 404

    def test_the_type_is_the_validated_one_and_the_name_is_made_safe(self, municipal, sello_independencia) -> None:
        archivo = sello_independencia.evidencias[EstadoEvidencia.ENVIADA].archivo
        Archivo.objects.filter(pk=archivo.pk).update(nombre_original='../x";<b>.html')
        response = client_for(municipal).get(self.url(sello_independencia.evidencias[EstadoEvidencia.ENVIADA]))
        assert response["Content-Type"] == "application/pdf"  # what the upload check detected
        assert response["Content-Disposition"] == 'attachment; filename="xb.html"'


def test_the_nav_links_to_mi_sello(municipal) -> None:
    body = client_for(municipal).get(reverse("municipios:detail", kwargs={"uuid": municipal.municipalidad.uuid}))
    assert f'href="{reverse("sello:mi_sello")}"' in body.content.decode()

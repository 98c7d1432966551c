"""Training certificates and the satisfaction survey: issuing in batch (the task run twice gives
one certificate and one PDF per attendee, only attendees), the progress page, the PDF (read back
with pdftotext; issued facts survive later edits of the training), download and revocation for
every persona (denials change nothing), public verification (valid, revoked, bogus), the survey
once per token and its results, and query counts that do not grow with the participants."""

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capacitaciones import certificados, services, tasks
from capacitaciones.models import (
    Asistencia,
    Capacitacion,
    CertificadoCapacitacion,
    Encuesta,
    EstadoInscripcion,
    Inscripcion,
)
from municipios.models import Municipalidad, Usuario
from sello.models import Archivo

from .capacitaciones_fixtures import asistir, capacitacion, inscripcion
from .conftest import PERSONAS, client_for

pytestmark = pytest.mark.django_db

TITULO = "Regularización migratoria para equipos municipales"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def todas(municipal, municipal_otra, regional, regional_otra, nacional, evaluador) -> dict[str, Usuario | None]:
    return {
        "anonimo": None,
        "municipal": municipal,
        "municipal_otra": municipal_otra,
        "regional": regional,
        "regional_otra": regional_otra,
        "nacional": nacional,
        "evaluador": evaluador,
    }


class Curso:
    """A finished SERMIG RM training inviting Independencia and Quilicura, two past sessions:
    Ana (Independencia) attended both, Pedro (Quilicura) both (once late), Luis (Independencia)
    one of two (50 % < 75 %: no certificate), Rosa (Independencia) was excused from both."""

    def __init__(self, regional: Usuario, independencia: Municipalidad, quilicura: Municipalidad) -> None:
        self.cap = capacitacion(regional, invitadas=[independencia, quilicura], titulo=TITULO)
        self.ana = inscripcion(self.cap, "Ana Pérez Soto", "ana@independencia.cl", municipalidad=independencia)
        self.pedro = inscripcion(self.cap, "Pedro Díaz", "pedro@quilicura.cl", municipalidad=quilicura)
        self.luis = inscripcion(self.cap, "Luis Soto", "luis@independencia.cl", municipalidad=independencia)
        self.rosa = inscripcion(self.cap, "Rosa Muñoz", "rosa@independencia.cl", municipalidad=independencia)
        asistir(self.cap, self.ana, regional)
        asistir(self.cap, self.pedro, regional)
        primera, segunda = self.cap.sesiones.order_by("inicio")
        Asistencia.objects.filter(sesion=segunda, inscripcion=self.pedro).update(estado="atrasado")
        Asistencia.objects.create(sesion=primera, inscripcion=self.luis, estado="presente", marcada_por=regional)
        Asistencia.objects.create(sesion=segunda, inscripcion=self.luis, estado="ausente", marcada_por=regional)
        asistir(self.cap, self.rosa, regional, estado="justificado")

    def certificado(self, inscrita: Inscripcion) -> CertificadoCapacitacion:
        return CertificadoCapacitacion.objects.get(inscripcion=inscrita)

    def url(self, nombre: str) -> str:
        return reverse(f"capacitaciones:{nombre}", kwargs={"uuid": self.cap.uuid})


@pytest.fixture
def curso(regional, independencia, quilicura) -> Curso:
    return Curso(regional, independencia, quilicura)


def emitir(curso: Curso) -> list[CertificadoCapacitacion]:
    """Issue without rendering (as right after the page's POST, before the batch ran)."""
    return services.certificados_emitir(capacitacion=curso.cap)


def texto_pdf(ruta: Path | str) -> str:
    salida = subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(salida.split())


def estado(curso: Curso) -> tuple[Any, ...]:
    return (
        tuple(
            CertificadoCapacitacion.objects.order_by("pk").values_list("pk", "revocado_en", "motivo_revocacion", "pdf")
        ),
        Archivo.objects.count(),
        Encuesta.objects.count(),
    )


# --- The batch task -------------------------------------------------------------------------
class TestTareaEmitir:
    def test_running_it_twice_gives_one_certificate_and_one_pdf_per_attendee(self, curso) -> None:
        tasks.certificados_emitir.delay(curso.cap.pk)
        tasks.certificados_emitir.delay(curso.cap.pk)

        assert sorted(CertificadoCapacitacion.objects.values_list("nombre", flat=True)) == [
            "Ana Pérez Soto",
            "Pedro Díaz",
        ]
        assert Archivo.objects.count() == 2
        assert CertificadoCapacitacion.objects.filter(pdf__isnull=True).count() == 0
        archivo = curso.certificado(curso.ana).pdf
        assert archivo.tipo == "application/pdf"
        assert archivo.subido_por == curso.cap.creada_por
        assert archivo.nombre_original == "certificado-capacitacion-ana-perez-soto.pdf"

    def test_participants_below_the_minimum_share_get_none(self, curso) -> None:
        tasks.certificados_emitir.delay(curso.cap.pk)

        # Luis attended 1 of 2 sessions (50 % < 75 %); Rosa was excused: excused is not attended.
        assert not CertificadoCapacitacion.objects.filter(inscripcion__in=[curso.luis, curso.rosa]).exists()
        # Late counts as attended.
        assert CertificadoCapacitacion.objects.filter(inscripcion=curso.pedro).exists()

    def test_a_lower_minimum_certifies_half_attendance(self, curso) -> None:
        Capacitacion.objects.filter(pk=curso.cap.pk).update(asistencia_minima=50)

        tasks.certificados_emitir.delay(curso.cap.pk)

        assert CertificadoCapacitacion.objects.filter(inscripcion=curso.luis).exists()
        assert not CertificadoCapacitacion.objects.filter(inscripcion=curso.rosa).exists()

    def test_it_renders_only_missing_pdfs_and_skips_revoked_ones(self, curso, regional) -> None:
        ana, pedro = sorted(emitir(curso), key=lambda c: c.nombre)
        certificados.certificado_pdf_generar(ana.pk)
        services.certificado_revocar(certificado=pedro, usuario=regional, motivo="Error de inscripción")

        tasks.certificados_emitir.delay(curso.cap.pk)

        assert Archivo.objects.count() == 1
        pedro.refresh_from_db()
        assert pedro.pdf is None

    def test_an_unfinished_training_or_a_missing_one_does_nothing(self, regional, independencia) -> None:
        en_curso = capacitacion(regional, invitadas=[independencia], sesiones_futuras=1)
        asistir(en_curso, inscripcion(en_curso, "Ana", "ana@x.cl", municipalidad=independencia), regional)

        assert tasks.certificados_emitir.delay(en_curso.pk).get() == {"certificados": 0, "pdf": 0}
        assert tasks.certificados_emitir.delay(999_999).get() == {"certificados": 0, "pdf": 0}
        assert CertificadoCapacitacion.objects.count() == 0

    def test_a_storage_failure_is_retried_a_bounded_number_of_times(self, curso, monkeypatch) -> None:
        intentos = []

        def falla(certificado_id: int) -> None:
            intentos.append(certificado_id)
            raise OSError("disco lleno")

        monkeypatch.setattr("capacitaciones.certificados.certificado_pdf_generar", falla)
        conf = tasks.certificados_emitir.app.conf
        propagar, conf.task_eager_propagates = conf.task_eager_propagates, False
        try:
            resultado = tasks.certificados_emitir.apply(args=[curso.cap.pk])
        finally:
            conf.task_eager_propagates = propagar

        assert resultado.failed()
        assert isinstance(resultado.result, OSError)
        assert len(intentos) == 1 + tasks.certificados_emitir.max_retries == 4
        # The certificates were issued once, whatever the retries.
        assert CertificadoCapacitacion.objects.count() == 2

    def test_it_has_time_limits_bounded_retries_and_late_acks(self) -> None:
        tarea = tasks.certificados_emitir
        assert tarea.name == "capacitaciones.certificados_emitir"
        assert 0 < tarea.soft_time_limit < tarea.time_limit
        assert tarea.acks_late
        assert tarea.autoretry_for == (OSError,)
        assert tarea.max_retries <= 5
        assert tarea.retry_backoff
        assert tarea.retry_backoff_max <= 600


# --- The certificates page and the issue action --------------------------------------------
# Curso: organised by the RM team (p.regional), inviting Independencia and Quilicura.
LISTA = {
    "anonimo": 302,
    "municipal": 200,
    "municipal_otra": 200,
    "regional": 200,
    "regional_otra": 404,
    "nacional": 200,
    "evaluador": 404,
}
# Who sees which participants: the organiser (and national staff, who organise everything)
# everybody; each municipality its own.
VISTOS = {
    "municipal": ["Ana Pérez Soto", "Luis Soto", "Rosa Muñoz"],
    "municipal_otra": ["Pedro Díaz"],
    "regional": ["Ana Pérez Soto", "Luis Soto", "Pedro Díaz", "Rosa Muñoz"],
    "nacional": ["Ana Pérez Soto", "Luis Soto", "Pedro Díaz", "Rosa Muñoz"],
}


class TestLista:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, todas, curso) -> None:
        emitir(curso)

        response = client_for(todas[nombre]).get(curso.url("certificados"))

        assert response.status_code == LISTA[nombre]
        if response.status_code != 200:
            assert "Ana Pérez Soto" not in response.content.decode()
            return
        certificacion = response.context["certificacion"]
        assert [p.inscripcion.nombre for p in certificacion.participantes] == VISTOS[nombre]
        body = response.content.decode()
        organiza = nombre in ("regional", "nacional")
        assert ("Emitir certificados" in body) is organiza
        assert (curso.luis.token_encuesta in body) is organiza
        assert ("Revocar certificado" in body) is organiza
        assert curso.pedro.token_encuesta not in body or organiza

    def test_the_organiser_sees_counts_and_survey_links(self, regional, curso) -> None:
        emitir(curso)

        response = client_for(regional).get(curso.url("certificados"))

        certificacion = response.context["certificacion"]
        assert (certificacion.elegibles, certificacion.emitidos, certificacion.pdf_listos) == (2, 2, 0)
        assert (certificacion.total_sesiones, certificacion.terminada) == (2, True)
        body = response.content.decode()
        assert f"http://127.0.0.1:8000/capacitaciones/encuesta/{curso.luis.token_encuesta}/" in body
        assert "2 de 4" in body  # participants who reach the minimum

    def test_it_refreshes_itself_only_while_pdfs_are_pending(self, regional, curso) -> None:
        client = client_for(regional)
        assert 'http-equiv="refresh"' not in client.get(curso.url("certificados")).content.decode()

        emitidos = emitir(curso)
        body = client.get(curso.url("certificados")).content.decode()
        assert '<meta http-equiv="refresh" content="5">' in body
        assert "Generando los PDF: 0 de 2 listos." in body

        for certificado in emitidos:
            certificados.certificado_pdf_generar(certificado.pk)
        body = client.get(curso.url("certificados")).content.decode()
        assert 'http-equiv="refresh"' not in body
        assert body.count("PDF listo<") == 2

    def test_an_unfinished_training_offers_no_issuing(self, regional, independencia) -> None:
        en_curso = capacitacion(regional, invitadas=[independencia], sesiones_futuras=1)

        body = client_for(regional).get(reverse("capacitaciones:certificados", args=[en_curso.uuid])).content.decode()

        assert "Los certificados se emiten cuando terminó la última sesión." in body
        assert "Emitir certificados" not in body

    def test_queries_do_not_grow_with_participants(
        self, regional, curso, independencia, django_assert_num_queries
    ) -> None:
        client = client_for(regional)
        emitir(curso)
        # 1 session, 2 user, 3 the training (scoped), 4 its sessions (count and end), 5 the
        # participants with municipality, certificate, survey and attended sessions, 6 unread
        # notifications (the nav's badge).
        with django_assert_num_queries(6):
            client.get(curso.url("certificados"))
        for n in range(30):
            asistir(curso.cap, inscripcion(curso.cap, f"P{n}", f"p{n}@x.cl", municipalidad=independencia), regional)
        emitir(curso)
        with django_assert_num_queries(6):
            response = client.get(curso.url("certificados"))
        assert response.context["certificacion"].emitidos == 32


EMITIR = {
    "anonimo": 302,
    "municipal": 403,
    "municipal_otra": 403,
    "regional_otra": 404,
    "evaluador": 404,
}


class TestEmitir:
    @pytest.mark.parametrize("nombre", ["regional", "nacional"])
    def test_the_organiser_issues_and_the_batch_renders_the_pdfs(
        self, nombre, todas, curso, django_capture_on_commit_callbacks
    ) -> None:
        client = client_for(todas[nombre])
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(curso.url("certificados_emitir"))

        assert len(callbacks) == 1  # the batch, queued once the certificates are committed
        assert response.status_code == 302
        assert response["Location"] == curso.url("certificados")
        assert CertificadoCapacitacion.objects.count() == 2
        assert Archivo.objects.count() == 2
        body = client.get(response["Location"]).content.decode()
        assert "2 certificados emitidos; sus PDF se generan en segundo plano." in body
        assert 'http-equiv="refresh"' not in body  # the (eager) batch left nothing pending

    def test_issuing_again_issues_nothing_new(self, regional, curso, django_capture_on_commit_callbacks) -> None:
        client = client_for(regional)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(curso.url("certificados_emitir"))
            client.post(curso.url("certificados_emitir"))

        assert CertificadoCapacitacion.objects.count() == 2
        assert Archivo.objects.count() == 2

    @pytest.mark.parametrize("nombre", list(EMITIR))
    def test_it_validates_ownership_and_changes_nothing(
        self, nombre, todas, curso, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(todas[nombre]).post(curso.url("certificados_emitir"))

        assert response.status_code == EMITIR[nombre]
        assert callbacks == []
        assert CertificadoCapacitacion.objects.count() == 0

    def test_before_the_last_session_ends_it_says_why(
        self, regional, independencia, django_capture_on_commit_callbacks
    ) -> None:
        en_curso = capacitacion(regional, invitadas=[independencia], sesiones_futuras=1)
        asistir(en_curso, inscripcion(en_curso, "Ana", "ana@x.cl", municipalidad=independencia), regional)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(regional).post(reverse("capacitaciones:certificados_emitir", args=[en_curso.uuid]))

        assert response.status_code == 409
        assert "Los certificados se emiten cuando terminó la última sesión." in response.content.decode()
        assert callbacks == []
        assert CertificadoCapacitacion.objects.count() == 0

    def test_nobody_reaching_the_minimum_is_said_plainly(self, regional, independencia) -> None:
        sin_asistentes = capacitacion(regional, invitadas=[independencia])
        inscripcion(sin_asistentes, "Ana", "ana@x.cl", municipalidad=independencia)

        response = client_for(regional).post(
            reverse("capacitaciones:certificados_emitir", args=[sin_asistentes.uuid]), follow=True
        )

        assert "Ningún participante alcanzó la asistencia mínima (75%)" in response.content.decode()

    def test_get_is_not_allowed(self, regional, curso) -> None:
        assert client_for(regional).get(curso.url("certificados_emitir")).status_code == 405


# --- The PDF ---------------------------------------------------------------------------------
# Ana (Independencia)'s certificate: the organiser, national staff, Independencia's officer.
# Quilicura's officer sees the training but not Ana: 404, as outside the territory.
DESCARGA = {
    "anonimo": 302,
    "municipal": 200,
    "municipal_otra": 404,
    "regional": 200,
    "regional_otra": 404,
    "nacional": 200,
    "evaluador": 404,
}


def url_pdf(certificado: CertificadoCapacitacion) -> str:
    return reverse("capacitaciones:certificado_pdf", kwargs={"codigo": certificado.codigo})


class TestPdf:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, todas, curso, tmp_path) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)

        response = client_for(todas[nombre]).get(url_pdf(ana))

        assert response.status_code == DESCARGA[nombre]
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == (
                'attachment; filename="certificado-capacitacion-ana-perez-soto.pdf"'
            )
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, no-store"
            ruta = tmp_path / "c.pdf"
            ruta.write_bytes(b"".join(response.streaming_content))
            assert texto_pdf(ruta).startswith("Programa Sello Migrante")
        else:
            assert Archivo.objects.count() == 0  # a denial renders nothing

    def test_quilicuras_officer_downloads_its_own_participant(self, municipal_otra, curso) -> None:
        emitir(curso)

        response = client_for(municipal_otra).get(url_pdf(curso.certificado(curso.pedro)))

        assert response.status_code == 200

    def test_it_states_the_issued_facts_with_code_and_qr(self, curso, monkeypatch) -> None:
        (ana, _pedro) = sorted(emitir(curso), key=lambda c: c.nombre)
        codificado = []
        qr_real = certificados.qr_svg_data_uri

        def qr_espia(texto: str) -> str:
            codificado.append(texto)
            return qr_real(texto)

        monkeypatch.setattr("capacitaciones.certificados.qr_svg_data_uri", qr_espia)

        ana = certificados.certificado_pdf_generar(ana.pk)

        texto = texto_pdf(ana.pdf.archivo.path)
        assert "Ana Pérez Soto" in texto
        assert TITULO in texto
        assert "Servicio Nacional de Migraciones" in texto  # organiser of a SERMIG training
        assert ana.fechas in texto
        assert "6 horas" in texto
        url = f"http://127.0.0.1:8000/verificar/{ana.codigo}/"
        assert url in texto
        assert codificado == [url]  # the QR code holds the verification URL
        assert len(ana.codigo) >= 20  # unguessable (secrets.token_urlsafe(16))

    def test_editing_the_training_afterwards_does_not_change_an_issued_certificate(self, regional, curso) -> None:
        emitir(curso)
        Capacitacion.objects.filter(pk=curso.cap.pk).update(titulo="Título corregido", horas=Decimal("12.0"))

        # The PDF is rendered after the edit, from the certificate's own facts.
        ana = certificados.certificado_pdf_generar(curso.certificado(curso.ana).pk)

        texto = texto_pdf(ana.pdf.archivo.path)
        assert TITULO in texto
        assert "6 horas" in texto
        assert "Título corregido" not in texto
        body = client_for(None).get(f"/verificar/{ana.codigo}/").content.decode()
        assert TITULO in body
        assert "Título corregido" not in body
        # Issuing again (e.g. the batch re-run) does not rewrite it either.
        emitir(curso)
        assert curso.certificado(curso.ana).titulo == TITULO

    def test_a_download_renders_a_missing_pdf_once(self, regional, curso) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)
        client = client_for(regional)

        assert client.get(url_pdf(ana)).status_code == 200
        assert client.get(url_pdf(ana)).status_code == 200

        assert Archivo.objects.count() == 1

    def test_a_revoked_certificate_is_not_downloaded(self, regional, curso) -> None:
        emitir(curso)
        ana = services.certificado_revocar(certificado=curso.certificado(curso.ana), usuario=regional, motivo="Error")

        response = client_for(regional).get(url_pdf(ana))

        assert response.status_code == 410
        assert "fue revocado" in response.content.decode()

    @pytest.mark.parametrize("codigo", ["no-existe", "x" * 60])
    def test_an_unknown_code_is_a_404(self, regional, codigo) -> None:
        response = client_for(regional).get(reverse("capacitaciones:certificado_pdf", kwargs={"codigo": codigo}))
        assert response.status_code == 404


# --- Revocation ------------------------------------------------------------------------------
REVOCAR_DENEGADO = {
    "anonimo": 302,
    "municipal": 403,  # sees Ana's certificate, does not organise
    "municipal_otra": 404,
    "regional_otra": 404,
    "evaluador": 404,
}


def url_revocar(certificado: CertificadoCapacitacion) -> str:
    return reverse("capacitaciones:certificado_revocar", kwargs={"codigo": certificado.codigo})


class TestRevocar:
    @pytest.mark.parametrize("nombre", ["regional", "nacional"])
    def test_the_organiser_revokes_and_verification_says_revoked(self, nombre, todas, curso) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)

        response = client_for(todas[nombre]).post(
            url_revocar(ana), {"motivo": "Asistencia mal registrada"}, follow=True
        )

        assert response.redirect_chain == [(curso.url("certificados"), 302)]
        assert "Certificado de Ana Pérez Soto revocado." in response.content.decode()
        ana.refresh_from_db()
        assert ana.revocado_en is not None
        assert ana.motivo_revocacion == "Asistencia mal registrada"
        body = client_for(None).get(f"/verificar/{ana.codigo}/").content.decode()
        assert "revocado" in body
        assert "Certificado válido" not in body

    @pytest.mark.parametrize("nombre", list(REVOCAR_DENEGADO))
    def test_it_validates_ownership_and_changes_nothing(self, nombre, todas, curso) -> None:
        emitir(curso)
        antes = estado(curso)

        response = client_for(todas[nombre]).post(url_revocar(curso.certificado(curso.ana)), {"motivo": "x"})

        assert response.status_code == REVOCAR_DENEGADO[nombre]
        assert estado(curso) == antes

    def test_a_reason_is_required(self, regional, curso) -> None:
        emitir(curso)
        antes = estado(curso)

        response = client_for(regional).post(url_revocar(curso.certificado(curso.ana)), {"motivo": "   "})

        assert response.status_code == 400
        assert "Indique el motivo de la revocación." in response.content.decode()
        assert estado(curso) == antes

    def test_revoking_twice_is_a_conflict(self, regional, curso) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)
        client = client_for(regional)
        client.post(url_revocar(ana), {"motivo": "Error"})
        antes = estado(curso)

        response = client.post(url_revocar(ana), {"motivo": "Otra vez"})

        assert response.status_code == 409
        assert "ya está revocado" in response.content.decode()
        assert estado(curso) == antes

    def test_get_is_not_allowed(self, regional, curso) -> None:
        emitir(curso)
        assert client_for(regional).get(url_revocar(curso.certificado(curso.ana))).status_code == 405


# --- Public verification ---------------------------------------------------------------------
class TestVerificar:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_a_valid_training_certificate_states_only_its_facts(self, nombre, todas, curso) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)

        response = client_for(todas[nombre]).get(f"/verificar/{ana.codigo}/")

        assert response.status_code == 200
        body = response.content.decode()
        assert "Certificado válido y vigente." in body
        assert "Certificado de capacitación" in body
        assert "Ana Pérez Soto" in body
        assert TITULO in body
        assert ana.fechas in body
        assert "<dt>Horas</dt><dd>6</dd>" in body
        assert "Servicio Nacional de Migraciones" in body
        # Nothing else of the participant.
        assert "ana@independencia.cl" not in body
        assert "DIDECO" not in body

    def test_a_revoked_one_says_revoked_with_its_date(self, regional, curso) -> None:
        emitir(curso)
        ana = services.certificado_revocar(certificado=curso.certificado(curso.ana), usuario=regional, motivo="Error")

        body = client_for(None).get(f"/verificar/{ana.codigo}/").content.decode()

        fecha = timezone.localtime(ana.revocado_en)
        assert f"Certificado revocado el {fecha:%-d/%m/%Y}: ya no acredita la capacitación «{TITULO}»." in body
        assert "Certificado válido" not in body

    def test_a_bogus_code_is_not_valid(self, curso) -> None:
        emitir(curso)

        response = client_for(None).get("/verificar/codigo-inventado-123/")

        assert response.status_code == 404
        assert "no es válido" in response.content.decode()

    def test_it_costs_two_queries(self, curso, django_assert_num_queries) -> None:
        emitir(curso)
        ana = curso.certificado(curso.ana)
        with django_assert_num_queries(2):  # the seal's certificates, then the trainings'
            client_for(None).get(f"/verificar/{ana.codigo}/")


# --- Satisfaction survey ---------------------------------------------------------------------
def url_encuesta(inscrita: Inscripcion | str) -> str:
    token = inscrita if isinstance(inscrita, str) else inscrita.token_encuesta
    return reverse("capacitaciones:encuesta", kwargs={"token": token})


RESPUESTA = {"general": "5", "contenidos": "4", "relatores": "5", "utilidad": "3", "comentario": "Muy útil."}


class TestEncuesta:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_anyone_with_the_link_sees_the_form(self, nombre, todas, curso) -> None:
        response = client_for(todas[nombre]).get(url_encuesta(curso.ana))

        assert response.status_code == 200
        body = response.content.decode()
        assert TITULO in body
        assert 'name="general"' in body
        assert "Ana Pérez Soto" not in body  # nothing personal on a page reached by link

    def test_once_per_token(self, curso) -> None:
        client = Client()

        response = client.post(url_encuesta(curso.ana), RESPUESTA, follow=True)

        assert response.redirect_chain == [(url_encuesta(curso.ana), 302)]
        body = response.content.decode()
        assert "¡Gracias! Su respuesta quedó registrada." in body
        assert "Esta encuesta ya fue respondida." in body
        assert 'name="general"' not in body
        encuesta = Encuesta.objects.get()
        assert (encuesta.inscripcion, encuesta.general, encuesta.utilidad, encuesta.comentario) == (
            curso.ana,
            5,
            3,
            "Muy útil.",
        )

        otra_vez = client.post(url_encuesta(curso.ana), {**RESPUESTA, "general": "1"})

        assert otra_vez.status_code == 409
        assert "Esta encuesta ya fue respondida." in otra_vez.content.decode()
        assert Encuesta.objects.get().general == 5
        # Another participant's token still works.
        assert client.post(url_encuesta(curso.luis), RESPUESTA).status_code == 302
        assert Encuesta.objects.count() == 2

    @pytest.mark.parametrize("token", ["no-existe-este-token", "a" * 41, "x.y"])
    def test_a_bogus_token_is_a_404_page(self, token, curso) -> None:
        for response in (
            client_for(None).get(url_encuesta(token)),
            client_for(None).post(url_encuesta(token), RESPUESTA),
        ):
            assert response.status_code == 404
            assert "Enlace de encuesta no válido" in response.content.decode()
        assert Encuesta.objects.count() == 0

    def test_a_cancelled_registration_has_no_survey(self, curso) -> None:
        Inscripcion.objects.filter(pk=curso.luis.pk).update(estado=EstadoInscripcion.CANCELADA)

        assert client_for(None).get(url_encuesta(curso.luis)).status_code == 404

    @pytest.mark.parametrize("cambio", [{"general": "6"}, {"contenidos": "0"}, {"relatores": ""}, {"utilidad": "abc"}])
    def test_bad_answers_are_refused_and_nothing_is_saved(self, cambio, curso) -> None:
        response = client_for(None).post(url_encuesta(curso.ana), {**RESPUESTA, **cambio})

        assert response.status_code == 400
        assert 'class="field-error"' in response.content.decode()
        assert Encuesta.objects.count() == 0

    def test_before_the_training_it_cannot_be_answered(self, regional, independencia) -> None:
        futura = capacitacion(regional, invitadas=[independencia], sesiones_pasadas=0, sesiones_futuras=1)
        ana = inscripcion(futura, "Ana", "ana@x.cl", municipalidad=independencia)

        assert "se responde después de la capacitación" in client_for(None).get(url_encuesta(ana)).content.decode()
        assert client_for(None).post(url_encuesta(ana), RESPUESTA).status_code == 409
        assert Encuesta.objects.count() == 0

    def test_it_costs_one_query_to_show(self, curso, django_assert_num_queries) -> None:
        with django_assert_num_queries(1):
            client_for(None).get(url_encuesta(curso.ana))


# The organiser and SERMIG staff who see the training; Independencia's and Quilicura's officers
# see the training but not its results.
RESULTADOS = {
    "anonimo": 302,
    "municipal": 403,
    "municipal_otra": 403,
    "regional": 200,
    "regional_otra": 404,
    "nacional": 200,
    "evaluador": 404,
}


def responder(inscrita: Inscripcion, **notas: int) -> None:
    respuesta = {"general": 5, "contenidos": 4, "relatores": 5, "utilidad": 3, **notas}
    services.encuesta_responder(token=inscrita.token_encuesta, **respuesta)


class TestResultados:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_every_persona(self, nombre, todas, curso) -> None:
        responder(curso.ana)
        responder(curso.luis, general=4, utilidad=4)

        response = client_for(todas[nombre]).get(curso.url("encuesta_resultados"))

        assert response.status_code == RESULTADOS[nombre]
        if response.status_code == 200:
            assert response.context["resultados"] == {
                "respuestas": 2,
                "general": Decimal("4.5"),
                "contenidos": Decimal("4.0"),
                "relatores": Decimal("5.0"),
                "utilidad": Decimal("3.5"),
            }
            body = response.content.decode()
            assert "2 respuestas de 4 participantes inscritos." in body
            assert "<td>4,5</td>" in body

    def test_a_municipal_organiser_sees_its_own(self, municipal, independencia) -> None:
        propia = capacitacion(municipal, titulo="Capacitación municipal")
        responder(inscripcion(propia, "Ana", "ana@x.cl", municipalidad=independencia))

        response = client_for(municipal).get(reverse("capacitaciones:encuesta_resultados", args=[propia.uuid]))

        assert response.status_code == 200
        assert "1 respuesta de 1 participantes inscritos." in response.content.decode()

    def test_without_answers_it_says_so(self, regional, curso) -> None:
        body = client_for(regional).get(curso.url("encuesta_resultados")).content.decode()
        assert "Aún no hay respuestas." in body

    def test_queries_do_not_grow_with_answers(self, regional, curso, independencia) -> None:
        client = client_for(regional)
        with CaptureQueriesContext(connection) as una:
            client.get(curso.url("encuesta_resultados"))
        for n in range(20):
            responder(inscripcion(curso.cap, f"P{n}", f"p{n}@x.cl", municipalidad=independencia))
        with CaptureQueriesContext(connection) as muchas:
            client.get(curso.url("encuesta_resultados"))
        assert len(una) == len(muchas) == 5  # session, user, training with counts, results, nav badge

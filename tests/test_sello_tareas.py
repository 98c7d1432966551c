"""The seal's Celery tasks (run eagerly): expiry reminders, revalidation, expiry, certificate
PDFs and notification e-mails. Idempotent, bounded retries, time limits (STYLE.md)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from municipios.models import Usuario
from sello import tasks
from sello.demo import Actores, llevar_a, revalidar
from sello.models import (
    Adhesion,
    Archivo,
    Certificado,
    DecisionComite,
    EstadoEvidencia,
    EstadoSello,
    Evidencia,
    Notificacion,
    Recordatorio,
    TransicionSello,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db


def correr(dia: date, capturar) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The daily task for ``dia``, with its e-mails sent (after commit, as in production)."""
    with capturar(execute=True):
        resumen: dict[str, int] = tasks.vigencias_revisar.delay(dia.isoformat()).get()
    return resumen


def recordatorios(titulo_contiene: str = "vence en") -> list[tuple[str, str]]:
    return sorted(
        Notificacion.objects.filter(titulo__contains=titulo_contiene).values_list("usuario__username", "titulo")
    )


def correos(asunto_contiene: str = "vence en") -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox if asunto_contiene in m.subject)


@pytest.fixture
def quilicura_certificada(sello_quilicura) -> Adhesion:
    """Certified, due on ``vigente_hasta``; recipients: its officer and the RM team."""
    return sello_quilicura.adhesion


DESTINATARIOS = ["p.municipal.otra", "p.regional"]
CORREOS = ["p.municipal.otra@example.cl", "p.regional@example.cl"]


class TestRecordatorios:
    def test_nothing_happens_more_than_90_days_before(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        vence = quilicura_certificada.vigente_hasta

        resumen = correr(vence - timedelta(days=91), django_capture_on_commit_callbacks)

        assert resumen == {"recordatorios": 0, "revalidaciones": 0, "vencidas": 0}
        assert not Notificacion.objects.exists()
        assert mail.outbox == []
        quilicura_certificada.refresh_from_db()
        assert quilicura_certificada.estado == EstadoSello.CERTIFICADA

    def test_90_30_and_7_days_each_remind_exactly_once_a_day(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        vence = quilicura_certificada.vigente_hasta
        for dias in (90, 30, 7):
            dia = vence - timedelta(days=dias)
            titulo = f"El Sello Migrante de Municipalidad de Quilicura vence en {dias} días"

            correr(dia, django_capture_on_commit_callbacks)
            correr(dia, django_capture_on_commit_callbacks)  # the same day again: nothing new

            assert recordatorios(f"vence en {dias} días") == [(u, titulo) for u in DESTINATARIOS]
            assert correos(f"vence en {dias} días") == [(c, f"[Sello Migrante] {titulo}") for c in CORREOS]
        assert list(Recordatorio.objects.order_by("-dias").values_list("dias", flat=True)) == [90, 30, 7]
        assert len(recordatorios()) == 6
        assert len(correos()) == 6

    def test_a_day_between_thresholds_sends_nothing_new(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        vence = quilicura_certificada.vigente_hasta
        correr(vence - timedelta(days=90), django_capture_on_commit_callbacks)

        resumen = correr(vence - timedelta(days=60), django_capture_on_commit_callbacks)

        assert resumen["recordatorios"] == 0
        assert len(recordatorios()) == 2

    def test_crossing_several_thresholds_at_once_sends_one_message(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        """E.g. the scheduler was down: 5 days left, never reminded."""
        vence = quilicura_certificada.vigente_hasta

        resumen = correr(vence - timedelta(days=5), django_capture_on_commit_callbacks)
        correr(vence - timedelta(days=5), django_capture_on_commit_callbacks)

        assert resumen["recordatorios"] == 1
        titulo = "El Sello Migrante de Municipalidad de Quilicura vence en 5 días"
        assert recordatorios() == [(u, titulo) for u in DESTINATARIOS]
        assert correos() == [(c, f"[Sello Migrante] {titulo}") for c in CORREOS]
        # Every threshold is recorded as done: tomorrow does not remind "7 days" again.
        assert sorted(Recordatorio.objects.values_list("dias", flat=True)) == [7, 30, 90]
        correr(vence - timedelta(days=4), django_capture_on_commit_callbacks)
        assert len(recordatorios()) == 2


class TestRevalidacion:
    def test_90_days_before_it_opens_the_next_cycle_with_accepted_evidence(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        vence = quilicura_certificada.vigente_hasta
        aceptadas = set(
            Evidencia.objects.filter(adhesion=quilicura_certificada, estado=EstadoEvidencia.ACEPTADA).values_list(
                "pk", flat=True
            )
        )

        resumen = correr(vence - timedelta(days=90), django_capture_on_commit_callbacks)
        correr(vence - timedelta(days=89), django_capture_on_commit_callbacks)

        assert resumen["revalidaciones"] == 1
        quilicura_certificada.refresh_from_db()
        assert quilicura_certificada.estado == EstadoSello.REVALIDACION_PENDIENTE
        transicion = TransicionSello.objects.get(adhesion=quilicura_certificada, accion="abrir_revalidacion")
        assert transicion.usuario is None  # the system
        nueva = Adhesion.objects.get(ciclo_anterior=quilicura_certificada)  # only one, despite two runs
        assert nueva.ciclo == 2
        assert nueva.estado == EstadoSello.EN_IMPLEMENTACION
        heredadas = Evidencia.objects.filter(adhesion=nueva)
        assert len(aceptadas) > 0
        assert {e.heredada_de_id for e in heredadas} == aceptadas
        assert {e.estado for e in heredadas} == {EstadoEvidencia.ACEPTADA}
        assert len(recordatorios("Se abrió la revalidación")) == 2
        # The seal stays in force (and public) while revalidation is pending.
        body = client_for(None).get(reverse("publico:registro")).content.decode()
        assert "Municipalidad de Quilicura" in body

    def test_the_next_cycle_certified_leaves_the_previous_one_revalidated(
        self, municipal_otra, regional, nacional, evaluador, quilicura, django_capture_on_commit_callbacks
    ) -> None:
        actores = Actores(municipal=municipal_otra, regional=regional, nacional=nacional, evaluador=evaluador)
        with django_capture_on_commit_callbacks(execute=True):
            primera = llevar_a(municipalidad=quilicura, estado=EstadoSello.CERTIFICADA, actores=actores)
            segunda = revalidar(adhesion=primera, actores=actores)

        primera.refresh_from_db()
        assert primera.estado == EstadoSello.REVALIDADA
        assert segunda.ciclo == 2
        assert segunda.estado == EstadoSello.CERTIFICADA
        assert TransicionSello.objects.get(adhesion=primera, accion="revalidar").usuario is None
        nuevo = Certificado.objects.get(adhesion=segunda)
        assert nuevo.pdf is not None  # rendered by the task queued on commit
        registro = client_for(None).get(reverse("publico:registro"))
        assert [c.codigo for c in registro.context["certificados"]] == [nuevo.codigo]


class TestVencimiento:
    def test_past_its_date_the_seal_expires_and_verification_says_so(
        self, quilicura_certificada, sello_quilicura, django_capture_on_commit_callbacks
    ) -> None:
        vence = quilicura_certificada.vigente_hasta

        resumen = correr(vence + timedelta(days=1), django_capture_on_commit_callbacks)
        correr(vence + timedelta(days=1), django_capture_on_commit_callbacks)

        assert resumen["vencidas"] == 1
        quilicura_certificada.refresh_from_db()
        assert quilicura_certificada.estado == EstadoSello.VENCIDA
        assert TransicionSello.objects.filter(adhesion=quilicura_certificada, accion="vencer").count() == 1
        assert recordatorios("venció") == [
            (u, "El Sello Migrante de Municipalidad de Quilicura venció") for u in DESTINATARIOS
        ]
        assert len(correos("venció")) == 2
        codigo = sello_quilicura.certificado.codigo
        body = client_for(None).get(reverse("publico:verificar", kwargs={"codigo": codigo})).content.decode()
        assert "Certificado vencido" in body
        assert codigo not in client_for(None).get(reverse("publico:registro")).content.decode()

    def test_on_its_last_day_it_is_still_in_force(
        self, quilicura_certificada, django_capture_on_commit_callbacks
    ) -> None:
        correr(quilicura_certificada.vigente_hasta, django_capture_on_commit_callbacks)

        quilicura_certificada.refresh_from_db()
        assert quilicura_certificada.estado == EstadoSello.REVALIDACION_PENDIENTE


class TestCertificadoPdf:
    def test_running_it_twice_stores_one_file(self, sello_quilicura, nacional) -> None:
        certificado = sello_quilicura.certificado
        DecisionComite.objects.create(
            adhesion=sello_quilicura.adhesion,
            ronda=1,
            decision="otorgar",
            resolucion_numero="REX 1234",
            resolucion_fecha=certificado.emitido_en,
            registrada_por=nacional,
        )

        tasks.certificado_generar_pdf.delay(certificado.pk)
        tasks.certificado_generar_pdf.delay(certificado.pk)

        assert Archivo.objects.count() == 1
        certificado.refresh_from_db()
        assert certificado.pdf is not None
        assert certificado.pdf.subido_por == nacional  # who recorded the decision
        assert certificado.pdf.tipo == "application/pdf"
        assert certificado.pdf.nombre_original.startswith("certificado-sello-13125-")


class TestCorreo:
    def test_it_mails_the_notification_with_its_link(self, municipal) -> None:
        notificacion = Notificacion.objects.create(usuario=municipal, titulo="Hola", cuerpo="Cuerpo", url="/sello/")

        tasks.notificacion_enviar_correo.delay(notificacion.pk)

        (correo,) = mail.outbox
        assert correo.to == ["p.municipal@example.cl"]
        assert correo.subject == "[Sello Migrante] Hola"
        assert correo.body == "Cuerpo\n\nhttp://127.0.0.1:8000/sello/"

    def test_inactive_users_users_without_address_and_deleted_notifications_get_nothing(
        self, municipal, regional
    ) -> None:
        Usuario.objects.filter(pk=municipal.pk).update(is_active=False)
        Usuario.objects.filter(pk=regional.pk).update(email="")
        inactivo = Notificacion.objects.create(usuario=municipal, titulo="Hola")
        sin_correo = Notificacion.objects.create(usuario=regional, titulo="Hola")

        tasks.notificacion_enviar_correo.delay(inactivo.pk)
        tasks.notificacion_enviar_correo.delay(sin_correo.pk)
        tasks.notificacion_enviar_correo.delay(999_999)

        assert mail.outbox == []

    def test_a_mail_server_failure_is_retried_a_bounded_number_of_times(self, municipal, monkeypatch) -> None:
        intentos = []

        def falla(**kwargs: object) -> None:
            intentos.append(kwargs)
            raise ConnectionRefusedError("SMTP caído")

        monkeypatch.setattr("sello.services.notificaciones.send_mail", falla)
        notificacion = Notificacion.objects.create(usuario=municipal, titulo="Hola")

        # apply() runs the retries in-process, as a worker would (without the backoff waits);
        # the failure is recorded in the result instead of propagating.
        conf = tasks.notificacion_enviar_correo.app.conf
        propagar, conf.task_eager_propagates = conf.task_eager_propagates, False
        try:
            resultado = tasks.notificacion_enviar_correo.apply(args=[notificacion.pk])
        finally:
            conf.task_eager_propagates = propagar

        assert resultado.failed()
        assert isinstance(resultado.result, ConnectionRefusedError)
        assert len(intentos) == 1 + tasks.notificacion_enviar_correo.max_retries == 6


@pytest.mark.parametrize(
    "tarea",
    [tasks.latido, tasks.vigencias_revisar, tasks.certificado_generar_pdf, tasks.notificacion_enviar_correo],
    ids=lambda t: t.name,
)
def test_every_task_has_time_limits_and_bounded_retries(tarea) -> None:
    assert 0 < tarea.soft_time_limit < tarea.time_limit
    if getattr(tarea, "autoretry_for", ()):
        assert tarea.max_retries is not None
        assert tarea.max_retries <= 5
        assert tarea.retry_backoff
        assert tarea.retry_backoff_max <= 600


@pytest.mark.django_db
def test_a_notification_email_is_sent_once_even_if_the_task_is_delivered_twice(municipal) -> None:
    from django.core import mail

    from sello.models import Notificacion
    from sello.tasks import notificacion_enviar_correo

    notificacion = Notificacion.objects.create(usuario=municipal, titulo="Plan aprobado", url="/sello/")
    notificacion_enviar_correo(notificacion.pk)
    notificacion_enviar_correo(notificacion.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [municipal.email]
    notificacion.refresh_from_db()
    assert notificacion.correo_enviado_en is not None

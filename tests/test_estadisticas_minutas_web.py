"""The minuta pages: the list (scoped, filtered, refreshing itself while a job runs), the PDF
download, the request of one minuta and the national bulk generation.

Every page x every persona (allowed, denied with nothing created), bad input answered with a
Spanish message, and query counts that do not grow with the rows."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from estadisticas.minuta_datos import VERSION_PLANTILLA
from estadisticas.models import Minuta
from estadisticas.periodos import periodo_actual, periodo_cerrado
from sello.demo import PDF_MINIMO

from .conftest import INDEPENDENCIA, QUILICURA, VALPARAISO, client_for

pytestmark = pytest.mark.django_db

LISTA = "/estadisticas/minutas/"
SOLICITAR = "/estadisticas/minutas/solicitar/"
PROGRAMAR = "/estadisticas/minutas/programar/"
PERIODO = "2025-S2"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def nueva_minuta(
    cut: str, estado: str = Minuta.Estado.LISTA, periodo: str = PERIODO, error: str = "", **extra: Any
) -> Minuta:
    """A minuta job of ``cut``; a ready one has a stored (minimal) PDF."""
    minuta = Minuta(
        comuna_id=cut, periodo=periodo, version_plantilla=VERSION_PLANTILLA, estado=estado, error=error, **extra
    )
    if estado == Minuta.Estado.LISTA:
        minuta.archivo.save(f"minuta-{cut}-{periodo}.pdf", ContentFile(PDF_MINIMO), save=False)
        minuta.tamano = len(PDF_MINIMO)
    minuta.save()
    return minuta


@pytest.fixture
def minutas() -> dict[str, Minuta]:
    """Independencia ready, Quilicura pending (both RM), Valparaíso failed."""
    return {
        INDEPENDENCIA: nueva_minuta(INDEPENDENCIA),
        QUILICURA: nueva_minuta(QUILICURA, Minuta.Estado.PENDIENTE),
        VALPARAISO: nueva_minuta(VALPARAISO, Minuta.Estado.ERROR, error="OSError: disco lleno"),
    }


def filas(response: Any) -> list[str]:
    return sorted(m.comuna_id for m in response.context["page"])


def estado_minutas() -> list[tuple[Any, ...]]:
    return list(Minuta.objects.order_by("pk").values_list("pk", "comuna_id", "periodo", "estado", "intentos"))


class TestLista:
    @pytest.mark.parametrize(
        ("nombre", "esperadas"),
        [
            ("municipal", [INDEPENDENCIA]),
            ("municipal_otra", [QUILICURA]),
            ("regional", [INDEPENDENCIA, QUILICURA]),
            ("regional_otra", [VALPARAISO]),
            ("nacional", [VALPARAISO, INDEPENDENCIA, QUILICURA]),
        ],
    )
    def test_it_lists_the_minutas_of_the_territory(self, nombre, esperadas, persona, minutas) -> None:
        response = client_for(persona(nombre)).get(LISTA)
        assert response.status_code == 200
        assert filas(response) == sorted(esperadas)

    @pytest.mark.parametrize("nombre", ["evaluador", "sin_rol"])
    def test_people_without_minutas_are_refused(self, nombre, persona, minutas) -> None:
        assert client_for(persona(nombre)).get(LISTA).status_code == 403

    def test_anonymous_is_sent_to_login(self, minutas) -> None:
        response = Client().get(LISTA)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(
        ("params", "esperadas"),
        [
            ({"estado": "lista"}, [INDEPENDENCIA]),
            ({"estado": "error"}, [VALPARAISO]),
            ({"comuna": QUILICURA}, [QUILICURA]),
            ({"region": "05"}, [VALPARAISO]),
            ({"periodo": PERIODO}, [VALPARAISO, INDEPENDENCIA, QUILICURA]),
            ({"periodo": "2024-S1"}, []),
        ],
    )
    def test_filters(self, params, esperadas, nacional, minutas) -> None:
        assert filas(client_for(nacional).get(LISTA, params)) == sorted(esperadas)

    def test_a_malformed_filter_is_reported_not_applied(self, nacional, minutas) -> None:
        response = client_for(nacional).get(LISTA, {"periodo": "2025-S3"})
        assert response.status_code == 200
        assert "Use el formato 2026-S1 o 2026-S2." in response.content.decode()

    def test_it_shows_each_column_and_links_the_ready_pdf(self, regional, minutas) -> None:
        html = client_for(regional).get(LISTA).content.decode()
        lista = minutas[INDEPENDENCIA]
        assert f"/estadisticas/minutas/{lista.uuid}/descargar/" in html
        assert f"/estadisticas/minutas/{minutas[QUILICURA].uuid}/descargar/" not in html
        for texto in ("Independencia", "Quilicura", "Metropolitana", PERIODO, "Lista", "Pendiente"):
            assert texto in html

    def test_staff_read_the_error_and_municipalities_a_plain_message(
        self, regional_otra, municipal_valparaiso, minutas
    ):
        assert "OSError: disco lleno" in client_for(regional_otra).get(LISTA).content.decode()
        html = client_for(municipal_valparaiso).get(LISTA).content.decode()
        assert "OSError" not in html
        assert "Falló la generación" in html

    def test_it_refreshes_itself_while_a_job_is_pending(self, municipal, municipal_otra, minutas) -> None:
        # Quilicura's is pending: its page reloads; Independencia's is ready: no reload.
        assert '<meta http-equiv="refresh"' in client_for(municipal_otra).get(LISTA).content.decode()
        assert '<meta http-equiv="refresh"' not in client_for(municipal).get(LISTA).content.decode()

    def test_the_municipality_gets_no_comuna_filter_and_only_its_comuna_to_request(self, municipal, minutas) -> None:
        response = client_for(municipal).get(LISTA)
        assert "comuna" not in response.context["filtro"].form.fields
        assert response.context["solicitar"].fields["comuna"].widget.choices == [
            (INDEPENDENCIA, "Independencia (13108)")
        ]
        assert response.context["programar"] is None

    def test_query_count_does_not_grow_with_rows(self, nacional, minutas, django_assert_num_queries) -> None:
        client = client_for(nacional)
        # 1 session, 2 user, 3 count, 4 the page with comuna and región, 5 the comunas the user
        # may request, 6 the unread notifications of the navigation bar.
        with django_assert_num_queries(6):
            assert client.get(LISTA).status_code == 200
        for cut in ("13101", "13120", "13123", "05109", "05501", "08101", "09101", "10101"):
            nueva_minuta(cut, Minuta.Estado.GENERANDO)
        with django_assert_num_queries(6):
            assert len(client.get(LISTA).context["page"]) == 11


class TestDescargar:
    def url(self, minuta: Minuta) -> str:
        return f"/estadisticas/minutas/{minuta.uuid}/descargar/"

    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
    def test_it_serves_the_pdf_as_an_attachment(self, nombre, persona, minutas) -> None:
        response = client_for(persona(nombre)).get(self.url(minutas[INDEPENDENCIA]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="minuta-independencia-13108-2025-S2.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_MINIMO

    @pytest.mark.parametrize(
        ("nombre", "status"), [("municipal_otra", 404), ("regional_otra", 404), ("evaluador", 403)]
    )
    def test_outside_the_territory_it_is_not_found(self, nombre, status, persona, minutas) -> None:
        response = client_for(persona(nombre)).get(self.url(minutas[INDEPENDENCIA]))
        assert response.status_code == status
        assert response.get("Content-Type") != "application/pdf"

    def test_anonymous_is_sent_to_login(self, minutas) -> None:
        assert Client().get(self.url(minutas[INDEPENDENCIA])).status_code == 302

    def test_a_pending_minuta_says_so(self, regional, minutas) -> None:
        response = client_for(regional).get(self.url(minutas[QUILICURA]))
        assert response.status_code == 409
        assert "se está generando" in response.content.decode()

    def test_a_failed_minuta_says_so(self, regional_otra, minutas) -> None:
        response = client_for(regional_otra).get(self.url(minutas[VALPARAISO]))
        assert response.status_code == 409
        assert "su generación falló" in response.content.decode()

    def test_a_missing_file_is_not_found(self, municipal, minutas, media) -> None:
        for archivo in media.rglob("*.pdf"):
            archivo.unlink()
        assert client_for(municipal).get(self.url(minutas[INDEPENDENCIA])).status_code == 404


class TestSolicitar:
    def post(self, client: Client, comuna: str, periodo: str | None = None) -> Any:
        return client.post(SOLICITAR, {"comuna": comuna, "periodo": periodo or periodo_cerrado().codigo})

    @pytest.mark.parametrize(
        ("nombre", "comuna"),
        [("municipal", INDEPENDENCIA), ("regional", QUILICURA), ("regional_otra", VALPARAISO), ("nacional", "15101")],
    )
    def test_it_creates_the_job_and_queues_it(
        self, nombre, comuna, persona, django_capture_on_commit_callbacks
    ) -> None:
        usuario = persona(nombre)
        with django_capture_on_commit_callbacks() as callbacks:
            response = self.post(client_for(usuario), comuna)
        assert response.status_code == 302
        assert response["Location"] == f"{LISTA}?periodo={periodo_cerrado().codigo}"
        minuta = Minuta.objects.get()
        assert (minuta.comuna_id, minuta.periodo, minuta.estado) == (comuna, periodo_cerrado().codigo, "pendiente")
        assert minuta.solicitada_por == usuario
        assert len(callbacks) == 1  # the generation task, sent after the commit

    def test_asking_twice_reuses_the_job(self, municipal, django_capture_on_commit_callbacks) -> None:
        client = client_for(municipal)
        with django_capture_on_commit_callbacks():
            self.post(client, INDEPENDENCIA)
            self.post(client, INDEPENDENCIA)
        assert Minuta.objects.count() == 1

    def test_a_failed_job_gets_fresh_attempts(self, regional_otra, minutas, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks():
            self.post(client_for(regional_otra), VALPARAISO, PERIODO)
        minutas[VALPARAISO].refresh_from_db()
        assert (minutas[VALPARAISO].estado, minutas[VALPARAISO].error) == ("pendiente", "")

    @pytest.mark.parametrize(
        ("nombre", "comuna", "status"),
        [
            ("municipal", QUILICURA, 403),
            ("municipal_otra", INDEPENDENCIA, 403),
            ("regional", VALPARAISO, 403),
            ("regional_otra", INDEPENDENCIA, 403),
            ("evaluador", INDEPENDENCIA, 403),
            ("sin_rol", INDEPENDENCIA, 403),
            ("anonimo", INDEPENDENCIA, 302),
        ],
    )
    def test_outside_the_territory_nothing_is_created(self, nombre, comuna, status, persona, minutas) -> None:
        antes = estado_minutas()
        response = self.post(client_for(persona(nombre)), comuna)
        assert response.status_code == status
        assert estado_minutas() == antes

    @pytest.mark.parametrize(
        ("comuna", "periodo", "mensaje"),
        [
            (INDEPENDENCIA, "2025-S3", "Periodo no válido: «2025-S3». Use el formato 2026-S1 o 2026-S2."),
            (INDEPENDENCIA, "2026-T1", "Periodo no válido: «2026-T1»"),
            (INDEPENDENCIA, "el primer semestre", "tenga menos de 7 caracteres (tiene 18)"),
            (INDEPENDENCIA, "1999-S1", "Periodo fuera de rango: 1999."),
            (INDEPENDENCIA, "2027-S1", "El periodo 2027-S1 aún no comienza"),
            ("99999", "2025-S2", "La comuna «99999» no existe: use su código CUT de 5 dígitos."),
            ("<b>", "2025-S2", "no existe"),
            ("", "2025-S2", "Este campo es requerido."),
        ],
    )
    def test_bad_input_gets_a_clear_message_and_creates_nothing(self, comuna, periodo, mensaje, nacional) -> None:
        response = self.post(client_for(nacional), comuna, periodo)
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert "<b>" not in response.content.decode()
        assert not Minuta.objects.exists()

    def test_the_current_semester_can_be_requested(self, municipal, django_capture_on_commit_callbacks) -> None:
        with django_capture_on_commit_callbacks():
            assert self.post(client_for(municipal), INDEPENDENCIA, periodo_actual().codigo).status_code == 302
        assert Minuta.objects.get().periodo == periodo_actual().codigo

    def test_get_is_not_allowed(self, municipal) -> None:
        assert client_for(municipal).get(SOLICITAR).status_code == 405


class TestProgramar:
    def test_national_staff_queue_all_346(self, nacional, minutas, django_capture_on_commit_callbacks) -> None:
        with django_capture_on_commit_callbacks() as callbacks:
            response = client_for(nacional).post(PROGRAMAR, {"periodo": PERIODO}, follow=True)
        assert response.status_code == 200
        assert "Se programó la generación de 346 minutas" in response.content.decode()
        assert Minuta.objects.filter(periodo=PERIODO).count() == 346
        assert len(callbacks) == 1  # one on-commit hook sends the 346 tasks

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("municipal", 403),
            ("municipal_otra", 403),
            ("regional", 403),
            ("regional_otra", 403),
            ("evaluador", 403),
            ("sin_rol", 403),
            ("anonimo", 302),
        ],
    )
    def test_anyone_else_is_refused_and_nothing_is_created(
        self, nombre, status, persona: Callable[[str], Any], minutas
    ) -> None:
        antes = estado_minutas()
        assert client_for(persona(nombre)).post(PROGRAMAR, {"periodo": PERIODO}).status_code == status
        assert estado_minutas() == antes

    def test_a_bad_period_creates_nothing(self, nacional) -> None:
        response = client_for(nacional).post(PROGRAMAR, {"periodo": "2026-1"})
        assert response.status_code == 400
        assert "Periodo no válido" in response.content.decode()
        assert not Minuta.objects.exists()

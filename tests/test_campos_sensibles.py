"""Field-level checks (OWASP API3:2023 "broken object property level authorization").

Reads: the sensitive fields of a migrant's case - names, document numbers (RUN), contact data,
the description of violence, internal SERMIG notes - appear only where PRODUCT.md says
(the opened case of its territory; never the internal notes to a municipality): not in lists
(names masked for sensitive cases, documents always masked), exports, statistics, public
pages, notifications, e-mails, logs, nor to other territories. Trainings' participants' e-mails
and RUNs never leave the training's pages.

Writes: mass assignment is refused - every write endpoint (API and HTML forms) is sent the
fields a client must not set (``estado``, ``comuna``, ``municipalidad``, ``creado_por``,
``id``, ``uuid``, ``rol``, ``is_staff``, ``region``, ``puntaje``, ``version``...): the API
answers 400 naming them or ignores them, and the stored record never takes their values.
A municipal officer cannot change their own role or territory through any page.

The run prints ``campos sensibles: N campos en M superficies, K escrituras con campos extra``.
"""

import io
import logging
import uuid as uuidlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from capacitaciones.models import BuenaPractica, Capacitacion, DispositivoTerritorial, Inscripcion
from casos.models import Caso, Mensaje, Persona
from estadisticas.models import Minuta
from municipios.models import Municipalidad, Rol, Usuario
from sello.models import AccionPlan, Adhesion, Evidencia, Notificacion, Puntaje

from .conftest import api_client_for, client_for
from .idor_fixtures import MARCA_NOTA_INTERNA, preparar_idor
from .policies import preparar_todo

pytestmark = pytest.mark.django_db

# The sensitive person of Independencia's "caso-sensible" (gender violence).
SENSIBLE = {
    "nombres": "Yolanda",
    "apellidos": "Secretaria Ocultis",
    "numero_documento": "12.345.678-5",
    "documento_normalizado": "123456785",
    "telefono": "+56 9 8765 4321",
    "email": "yolanda.ocultis@correo.cl",
}
DESCRIPCION_SENSIBLE = "Relato de violencia intrafamiliar con detalles reservados"
# The person of "caso-gestion" (not sensible: named in lists, document masked).
GESTION = {"nombres": "Rosalba", "apellidos": "Visible", "documento_normalizado": "HT4455667", "telefono": "+56 2 1111"}
NOTA_INTERNA = "Nota interna de prueba"  # from tests/policies/base.py preparar()

# What no list, export, statistic, public page, notification, e-mail or log may carry.
NUNCA_EN_LISTAS = (
    SENSIBLE["nombres"],
    SENSIBLE["apellidos"],
    SENSIBLE["documento_normalizado"],
    SENSIBLE["numero_documento"],
    SENSIBLE["telefono"],
    SENSIBLE["email"],
    DESCRIPCION_SENSIBLE,
    GESTION["documento_normalizado"],
    GESTION["telefono"],
    NOTA_INTERNA,
    MARCA_NOTA_INTERNA,
)
CAMPOS_VISTOS: set[str] = set()
CONTADOR = {"superficies": 0, "escrituras": 0}


@pytest.fixture
def mundo(municipal, municipal_otra, municipal_valparaiso, regional, regional_otra, nacional, evaluador) -> None:
    preparar_todo()
    preparar_idor()
    sensible = Caso.objects.get(descripcion="caso-sensible")
    Persona.objects.filter(pk=sensible.persona_id).update(tipo_documento="run", **SENSIBLE)
    gestion = Caso.objects.get(descripcion="caso-gestion")
    Persona.objects.filter(pk=gestion.persona_id).update(**GESTION)
    # The description is the case's own text: kept, but looked up by a stable marker below.
    Caso.objects.filter(pk=sensible.pk).update(descripcion=f"caso-sensible {DESCRIPCION_SENSIBLE}")


def caso(prefijo: str) -> Caso:
    return Caso.objects.select_related("persona").get(descripcion__startswith=prefijo)


def usuario(username: str) -> Usuario:
    return Usuario.objects.get(username=username)


def cuerpo(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def ausentes(texto: str, marcas: tuple[str, ...], donde: str) -> list[str]:
    CONTADOR["superficies"] += 1
    CAMPOS_VISTOS.update(marcas)
    return [f"{donde}: shows {m!r}" for m in marcas if m in texto]


# --- Reads --------------------------------------------------------------------------------


class TestLecturas:
    def test_api_lists_mask_names_of_sensitive_cases_and_every_document(self, mundo) -> None:
        errores = []
        for nombre in ("municipal", "regional", "nacional"):
            response = api_client_for(usuario(USUARIOS[nombre])).get("/api/v1/casos/")
            assert response.status_code == 200
            errores += ausentes(cuerpo(response), NUNCA_EN_LISTAS, f"{nombre} /api/v1/casos/")
            filas = {f["folio"]: f for f in response.json()["results"]}
            sensible, gestion = filas[caso("caso-sensible").folio], filas[caso("caso-gestion").folio]
            assert sensible["persona"]["nombre"] == "Y. S. O."
            assert sensible["persona"]["documento"] == "••••••785"
            assert gestion["persona"]["nombre"] == "Rosalba Visible"  # not sensitive: named
            assert gestion["persona"]["documento"] == "••••••667"
        assert errores == []

    def test_other_territories_and_the_evaluador_read_nothing_of_a_case(self, mundo) -> None:
        sensible, gestion = caso("caso-sensible"), caso("caso-gestion")
        marcas = (*NUNCA_EN_LISTAS, "Rosalba", sensible.folio, gestion.folio, str(sensible.uuid))
        errores = []
        for nombre in ("municipal_otra", "municipal_valparaiso", "regional_otra", "evaluador"):
            api = api_client_for(usuario(USUARIOS[nombre]))
            web = client_for(usuario(USUARIOS[nombre]))
            lista = api.get("/api/v1/casos/")
            assert lista.status_code == 200
            assert [f["folio"] for f in lista.json()["results"] if f["folio"].startswith("13108-")] == []
            errores += ausentes(cuerpo(lista), marcas[:-3], f"{nombre} api list")
            for url in (
                f"/api/v1/casos/{sensible.uuid}/",
                f"/api/v1/casos/{sensible.uuid}/mensajes/",
                f"/casos/{sensible.uuid}/",
                f"/casos/privacidad/personas/{sensible.persona.uuid}/datos.json",
            ):
                client = api if url.startswith("/api/") else web
                response = client.get(url)
                assert response.status_code == 404, (nombre, url)
                errores += ausentes(cuerpo(response), marcas, f"{nombre} {url}")
            for url in ("/casos/", "/casos/cola/", "/estadisticas/nacional/"):
                errores += ausentes(cuerpo(web.get(url)), marcas[:-3], f"{nombre} {url}")
        assert errores == []

    def test_the_opened_case_shows_the_person_only_in_its_territory(self, mundo) -> None:
        sensible = caso("caso-sensible")
        for nombre in ("municipal", "regional", "nacional"):
            datos = api_client_for(usuario(USUARIOS[nombre])).get(f"/api/v1/casos/{sensible.uuid}/").json()
            assert datos["persona"]["nombres"] == "Yolanda"
            assert datos["persona"]["documento"] == "123456785"

    def test_internal_notes_are_never_shown_to_a_municipal_officer(self, mundo) -> None:
        gestion, sensible = caso("caso-gestion"), caso("caso-sensible")
        municipal_api = api_client_for(usuario("p.municipal"))
        municipal_web = client_for(usuario("p.municipal"))
        errores = []
        for c in (gestion, sensible):
            mensajes = municipal_api.get(f"/api/v1/casos/{c.uuid}/mensajes/")
            assert mensajes.status_code == 200
            assert [m["interno"] for m in mensajes.json()] == [False] * len(mensajes.json())
            errores += ausentes(cuerpo(mensajes), (NOTA_INTERNA, MARCA_NOTA_INTERNA), f"api mensajes {c.folio}")
            errores += ausentes(
                cuerpo(municipal_web.get(f"/casos/{c.uuid}/")), (NOTA_INTERNA, MARCA_NOTA_INTERNA), f"page {c.folio}"
            )
        # The internal note's attachment does not exist for the municipality.
        nota = Mensaje.objects.get(texto=MARCA_NOTA_INTERNA)
        assert municipal_web.get(f"/casos/adjuntos/{nota.pk}/").status_code == 404
        # SERMIG staff read them.
        regional = api_client_for(usuario("p.regional")).get(f"/api/v1/casos/{gestion.uuid}/mensajes/").json()
        assert NOTA_INTERNA in [m["texto"] for m in regional if m["interno"]]
        assert errores == []

    def test_an_internal_note_notifies_nobody_of_the_municipality(
        self, mundo, django_capture_on_commit_callbacks
    ) -> None:
        gestion = caso("caso-gestion")
        antes = set(Notificacion.objects.values_list("pk", flat=True))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client_for(usuario("p.regional")).post(
                f"/api/v1/casos/{gestion.uuid}/mensajes/",
                {"texto": "Sospecha fundada XYZ", "interno": True},
                format="json",
            )
        assert response.status_code == 201
        nuevas = Notificacion.objects.exclude(pk__in=antes)
        municipales = nuevas.filter(usuario__rol=Rol.MUNICIPAL)
        assert list(municipales.values_list("pk", flat=True)) == []
        errores = []
        for n in nuevas:
            errores += ausentes(f"{n.titulo} {n.cuerpo}", ("Sospecha fundada XYZ",), f"notification {n.pk}")
        for correo in mail.outbox:
            errores += ausentes(f"{correo.subject} {correo.body}", ("Sospecha fundada XYZ",), f"mail {correo.to}")
        assert errores == []

    def test_escalating_a_sensitive_case_notifies_without_personal_data(
        self, mundo, django_capture_on_commit_callbacks, caplog
    ) -> None:
        """Notifications, e-mails and logs of an escalation never carry the person's data."""
        municipal = usuario("p.municipal")
        api = api_client_for(municipal)
        mail.outbox.clear()
        antes = set(Notificacion.objects.values_list("pk", flat=True))
        marcas = ("Zoraida", "Confidencial Pérez", "98765432", "zoraida@correo.cl", "+56 9 5555 0000", "golpes")
        with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
            creado = api.post(
                "/api/v1/casos/",
                {
                    "nombres": "Zoraida",
                    "apellidos": "Confidencial Pérez",
                    "tipo_documento": "pasaporte",
                    "numero_documento": "98765432",
                    "email": "zoraida@correo.cl",
                    "telefono": "+56 9 5555 0000",
                    "tipo": "violencia",
                    "descripcion": "Relata golpes reiterados",
                    "consentimiento": True,
                    "consentimiento_fecha": "2026-01-02",
                },
                format="json",
            )
            assert creado.status_code == 201, creado.content
            datos = creado.json()
            derivado = api.post(
                f"/api/v1/casos/{datos['uuid']}/transiciones/",
                {"accion": "derivar", "version": datos["version"]},
                format="json",
            )
            assert derivado.status_code == 200, derivado.content
        nuevas = list(Notificacion.objects.exclude(pk__in=antes))
        assert nuevas, "the escalation notifies the regional team"
        errores = []
        for n in nuevas:
            errores += ausentes(f"{n.titulo} {n.cuerpo} {n.url}", marcas, f"notification {n.pk}")
        for correo in mail.outbox:
            alternativas = " ".join(str(c) for c, _ in getattr(correo, "alternatives", []))
            errores += ausentes(f"{correo.subject} {correo.body} {alternativas}", marcas, f"mail {correo.to}")
        errores += ausentes("\n".join(r.getMessage() for r in caplog.records), marcas, "logs")
        # The derivation's answer is a list row: the name is masked.
        assert derivado.json()["persona"]["nombre"] == "Z. C. P."
        assert errores == []

    def test_case_exports_mask_names_of_sensitive_cases_and_documents(self, mundo) -> None:
        errores = []
        for nombre in ("regional", "nacional"):
            client = client_for(usuario(USUARIOS[nombre]))
            csv = client.get("/casos/exportar.csv")
            assert csv.status_code == 200
            texto = cuerpo(csv)
            errores += ausentes(texto, NUNCA_EN_LISTAS, f"{nombre} csv")
            assert "Y. S. O." in texto
            xlsx = client.get("/casos/exportar.xlsx")
            assert xlsx.status_code == 200
            libro = load_workbook(io.BytesIO(xlsx.content), read_only=True)
            celdas = " ".join(
                str(c) for hoja in libro.worksheets for fila in hoja.iter_rows(values_only=True) for c in fila
            )
            errores += ausentes(celdas, NUNCA_EN_LISTAS, f"{nombre} xlsx")
        assert errores == []

    def test_statistics_and_public_pages_carry_no_personal_data(self, mundo) -> None:
        sensible = caso("caso-sensible")
        marcas = (*NUNCA_EN_LISTAS, "Rosalba", "Visible", "ana@independencia.cl", "luis@independencia.cl")
        errores = []
        superficies = {
            "nacional": [
                "/estadisticas/nacional/",
                "/estadisticas/region/13/",
                "/estadisticas/comuna/13108/",
                "/estadisticas/mapa/nacional.json",
                "/api/v1/estadisticas/",
                "/api/v1/estadisticas/?nivel=comuna&codigo=13108",
            ],
            "municipal": ["/estadisticas/comuna/13108/", "/api/v1/estadisticas/?nivel=comuna&codigo=13108"],
            "anonimo": ["/registro/", "/registro/mapa.json", "/verificar/", "/accounts/login/"],
        }
        for nombre, urls in superficies.items():
            user = usuario(USUARIOS[nombre]) if nombre != "anonimo" else None
            for url in urls:
                response = (api_client_for(user) if url.startswith("/api/") else client_for(user)).get(url)
                assert response.status_code in (200, 404), (nombre, url, response.status_code)
                errores += ausentes(cuerpo(response), marcas, f"{nombre} {url}")
        assert sensible.folio not in cuerpo(client_for(None).get("/registro/"))
        assert errores == []

    def test_training_participants_contact_data_stays_out_of_the_api(self, mundo) -> None:
        marcas = ("ana@independencia.cl", "luis@independencia.cl", "marta@valparaiso.cl")
        errores = []
        for nombre in ("municipal", "regional", "nacional", "regional_otra", "municipal_otra"):
            api = api_client_for(usuario(USUARIOS[nombre]))
            errores += ausentes(cuerpo(api.get("/api/v1/capacitaciones/")), marcas, f"{nombre} list")
            for cap in Capacitacion.objects.all():
                errores += ausentes(cuerpo(api.get(f"/api/v1/capacitaciones/{cap.uuid}/")), marcas, f"{nombre} detail")
        # Valparaíso's participant is not shown to the Región Metropolitana at all.
        regional = api_client_for(usuario("p.regional")).get("/api/v1/capacitaciones/")
        errores += ausentes(cuerpo(regional), ("Marta Valdés",), "regional list")
        assert errores == []

    def test_the_duplicate_warning_reveals_nothing_of_another_territory(self, mundo) -> None:
        """Quilicura registers the same document as Independencia's person: no warning, no folio."""
        gestion = caso("caso-gestion")
        Persona.objects.filter(pk=gestion.persona_id).update(
            tipo_documento="run", numero_documento="12.345.678-5", documento_normalizado="123456785"
        )
        response = api_client_for(usuario("p.municipal.otra")).post(
            "/api/v1/casos/",
            {
                "nombres": "Otra",
                "tipo_documento": "run",
                "numero_documento": "12.345.678-5",
                "tipo": "consulta",
                "descripcion": "Consulta",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["posibles_duplicados"] == []
        errores = ausentes(
            cuerpo(response), (gestion.folio, caso("caso-sensible").folio, "Rosalba", "Yolanda"), "duplicates"
        )
        assert errores == []


# --- Writes: mass assignment ---------------------------------------------------------------

USUARIOS = {
    "municipal": "p.municipal",
    "municipal_otra": "p.municipal.otra",
    "municipal_valparaiso": "p.municipal.valpo",
    "regional": "p.regional",
    "regional_otra": "p.regional.otra",
    "nacional": "p.nacional",
    "evaluador": "p.evaluador",
}


def quilicura() -> Municipalidad:
    return Municipalidad.objects.get(comuna_id="13125")


def extra_api() -> dict[str, Any]:
    """Fields no API client may set."""
    return {
        "id": 999999,
        "uuid": str(uuidlib.uuid4()),
        "estado": "cerrado",
        "comuna": "13125",
        "municipalidad": str(quilicura().uuid),
        "creado_por": "p.nacional",
        "version": 999,
        "region": "05",
        "rol": Rol.NACIONAL,
        "is_staff": True,
        "puntaje": 100,
        "sensible": False,
        "folio": "13125-2026-000001",
    }


def escritura() -> None:
    CONTADOR["escrituras"] += 1


class TestAsignacionMasivaApi:
    def test_a_new_case_refuses_every_undeclared_field(self, mundo) -> None:
        api = api_client_for(usuario("p.municipal"))
        base = {
            "nombres": "Nueva",
            "tipo_documento": "pasaporte",
            "numero_documento": "AB1",
            "tipo": "violencia",
            "descripcion": "x",
        }
        casos, personas = Caso.objects.count(), Persona.objects.count()
        for campo, valor in {**extra_api(), "asignado_a": "p.regional", "persona": 1, "vencido": True}.items():
            escritura()
            response = api.post("/api/v1/casos/", {**base, campo: valor}, format="json")
            assert response.status_code == 400, (campo, response.status_code)
            assert campo in str(response.json()), campo
        assert (Caso.objects.count(), Persona.objects.count()) == (casos, personas)

    def test_transitions_and_messages_refuse_undeclared_fields(self, mundo) -> None:
        gestion = caso("caso-gestion")
        antes = Caso.objects.filter(pk=gestion.pk).values().get()
        mensajes = Mensaje.objects.count()
        regional = api_client_for(usuario("p.regional"))
        municipal = api_client_for(usuario("p.municipal"))
        extra = {**extra_api(), "asignado_a_id": 1, "resolucion": "x"}
        del extra["version"]  # declared by the transition (a stale one is a 409, below)
        for campo, valor in extra.items():
            escritura()
            transicion = regional.post(
                f"/api/v1/casos/{gestion.uuid}/transiciones/",
                {"accion": "solicitar_informacion", "version": gestion.version, "comentario": "x", campo: valor},
                format="json",
            )
            assert transicion.status_code == 400, (campo, transicion.status_code)
            escritura()
            mensaje = municipal.post(
                f"/api/v1/casos/{gestion.uuid}/mensajes/", {"texto": "x", campo: valor, "autor": 1}, format="json"
            )
            assert mensaje.status_code == 400, (campo, mensaje.status_code)
        escritura()
        vieja = regional.post(
            f"/api/v1/casos/{gestion.uuid}/transiciones/",
            {"accion": "solicitar_informacion", "version": 999, "comentario": "x"},
            format="json",
        )
        assert vieja.status_code == 409
        # A municipality cannot write an internal note.
        escritura()
        interna = municipal.post(
            f"/api/v1/casos/{gestion.uuid}/mensajes/", {"texto": "x", "interno": True}, format="json"
        )
        assert interna.status_code == 403
        assert Caso.objects.filter(pk=gestion.pk).values().get() == antes
        assert Mensaje.objects.count() == mensajes

    def test_seal_transitions_ignore_state_territory_and_score(self, mundo) -> None:
        adhesion = Adhesion.objects.get(municipalidad__comuna_id="13108")
        antes = (
            Adhesion.objects.filter(pk=adhesion.pk)
            .values("municipalidad_id", "vigente_hasta", "fecha_certificacion")
            .get()
        )
        puntajes = set(Puntaje.objects.values_list("pk", flat=True))
        escritura()
        response = api_client_for(usuario("p.municipal")).post(
            f"/api/v1/adhesiones/{adhesion.uuid}/transiciones/",
            {
                "accion": "solicitar_evaluacion",
                "version": adhesion.version,
                "comentario": "",
                **extra_api(),
                "vigente_hasta": "2099-12-31",
                "fecha_certificacion": "2020-01-01",
            },
            format="json",
        )
        assert response.status_code in (200, 400, 409), response.content
        adhesion.refresh_from_db()
        assert adhesion.estado in ("en_implementacion", "evaluacion_solicitada")
        despues = (
            Adhesion.objects.filter(pk=adhesion.pk)
            .values("municipalidad_id", "vigente_hasta", "fecha_certificacion")
            .get()
        )
        assert despues == antes
        assert not Puntaje.objects.exclude(pk__in=puntajes).filter(total=100).exists()

    def test_evidence_ignores_state_adhesion_and_reviewer(self, mundo) -> None:
        accion = (
            AccionPlan.objects.filter(plan__adhesion__municipalidad__comuna_id="13108", no_aplica=False)
            .order_by("pk")
            .first()
        )
        assert accion is not None
        otra = Adhesion.objects.get(municipalidad__comuna_id="13125")
        escritura()
        response = api_client_for(usuario("p.municipal")).post(
            "/api/v1/evidencias/",
            {
                "accion": accion.pk,
                "descripcion": "Acta firmada",
                "enlace": "https://example.org/acta",
                **extra_api(),
                "estado": "aceptada",
                "adhesion": str(otra.uuid),
                "revisada_por": "p.regional",
                "comentario_revision": "Aprobada por mí misma",
            },
            format="json",
        )
        assert response.status_code in (201, 400), response.content
        if response.status_code == 201:
            evidencia = Evidencia.objects.get(uuid=response.json()["uuid"])
            assert (
                evidencia.estado,
                evidencia.adhesion_id,
                evidencia.revisada_por_id,
                evidencia.comentario_revision,
            ) == (
                "enviada",
                accion.plan.adhesion_id,
                None,
                "",
            )
            assert evidencia.uuid != uuidlib.UUID(extra_api()["uuid"])
        assert not Evidencia.objects.filter(adhesion=otra, descripcion="Acta firmada").exists()

    def test_evidence_review_ignores_its_adhesion_and_action(self, mundo) -> None:
        evidencia = Evidencia.objects.get(adhesion__municipalidad__comuna_id="13108", estado="enviada")
        otra = AccionPlan.objects.filter(plan__adhesion__municipalidad__comuna_id="13125").first()
        assert otra is not None
        escritura()
        response = api_client_for(usuario("p.regional")).post(
            f"/api/v1/evidencias/{evidencia.uuid}/revisar/",
            {
                "estado": "aceptada",
                "version": evidencia.version,
                **extra_api(),
                "accion": otra.pk,
                "adhesion": str(otra.plan.adhesion.uuid),
                "archivo": None,
                "enviada_en": "2020-01-01T00:00:00Z",
            },
            format="json",
        )
        assert response.status_code in (200, 400), response.content
        despues = Evidencia.objects.get(pk=evidencia.pk)
        assert (despues.adhesion_id, despues.accion_id, despues.archivo_id, despues.enviada_en) == (
            evidencia.adhesion_id,
            evidencia.accion_id,
            evidencia.archivo_id,
            evidencia.enviada_en,
        )

    def test_a_minuta_request_refuses_undeclared_fields(self, mundo) -> None:
        minutas = Minuta.objects.count()
        api = api_client_for(usuario("p.municipal"))
        for campo, valor in {**extra_api(), "archivo": "x.pdf", "solicitada_por": 1, "huella": "0"}.items():
            if campo == "comuna":
                continue
            escritura()
            response = api.post(
                "/api/v1/minutas/", {"comuna": "13108", "periodo": "2025-S2", campo: valor}, format="json"
            )
            assert response.status_code == 400, (campo, response.status_code)
        # Another territory's comuna is not the requester's to ask for.
        escritura()
        otra = api.post("/api/v1/minutas/", {"comuna": "13125", "periodo": "2025-S2"}, format="json")
        assert otra.status_code in (403, 404), otra.status_code
        assert Minuta.objects.count() == minutas


# --- Writes: HTML forms with extra fields ---------------------------------------------------

EXTRA_HTML = {
    "id": "999999",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "estado": "resuelto",
    "comuna": "13125",
    "municipalidad": "",
    "creado_por": "",
    "creada_por": "",
    "asignado_a": "",
    "sensible": "",
    "folio": "13125-2026-999999",
    "rol": Rol.NACIONAL,
    "is_staff": "on",
    "is_superuser": "on",
    "region": "05",
    "puntaje": "100",
    "version_extra": "999",
}


def extra_html() -> dict[str, Any]:
    otra = quilicura()
    nacional = usuario("p.nacional")
    return {
        **EXTRA_HTML,
        "municipalidad": str(otra.pk),
        "creado_por": str(nacional.pk),
        "creada_por": str(nacional.pk),
        "asignado_a": str(usuario("p.regional.otra").pk),
        "region_id": "05",
        "comuna_id": "13125",
    }


def perfil(user: Usuario) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.rol, user.municipalidad_id, user.region_id, user.is_staff, user.is_superuser, user.is_active)


class TestAsignacionMasivaFormularios:
    def test_a_new_case_keeps_its_comuna_state_author_and_sensitivity(self, mundo) -> None:
        from .test_casos_paginas import datos_nuevo

        municipal = usuario("p.municipal")
        escritura()
        response = client_for(municipal).post(
            reverse("casos:nuevo"),
            {**datos_nuevo(tipo="violencia", subtipo=""), **extra_html(), "confirmar_duplicado": "on"},
        )
        assert response.status_code == 302, cuerpo(response)[:500]
        nuevo = Caso.objects.order_by("-pk").first()
        assert nuevo is not None
        assert (
            nuevo.comuna_id,
            nuevo.estado,
            nuevo.creado_por_id,
            nuevo.asignado_a_id,
            nuevo.sensible,
            nuevo.version,
        ) == (
            "13108",
            "borrador",
            municipal.pk,
            None,
            True,
            1,
        )
        assert nuevo.folio != EXTRA_HTML["folio"]
        assert str(nuevo.uuid) != EXTRA_HTML["uuid"]
        assert nuevo.persona.comuna_id == "13108"

    def test_editing_a_draft_does_not_move_or_advance_it(self, mundo) -> None:
        from .test_casos_paginas import datos_edicion

        borrador = caso("caso-borrador")
        antes = (
            borrador.comuna_id,
            borrador.estado,
            borrador.creado_por_id,
            borrador.persona_id,
            borrador.folio,
            borrador.asignado_a_id,
            borrador.uuid,
        )
        escritura()
        response = client_for(usuario("p.municipal")).post(
            reverse("casos:editar", kwargs={"uuid": borrador.uuid}),
            {**datos_edicion(borrador, descripcion="caso-borrador editado"), **extra_html(), "persona": "1"},
        )
        assert response.status_code == 302
        borrador.refresh_from_db()
        assert borrador.descripcion == "caso-borrador editado"
        assert (
            borrador.comuna_id,
            borrador.estado,
            borrador.creado_por_id,
            borrador.persona_id,
            borrador.folio,
            borrador.asignado_a_id,
            borrador.uuid,
        ) == antes

    def test_a_municipality_cannot_post_an_internal_note_through_the_page(self, mundo) -> None:
        gestion = caso("caso-gestion")
        antes = Mensaje.objects.filter(interno=True).count()
        escritura()
        response = client_for(usuario("p.municipal")).post(
            reverse("casos:mensajes", kwargs={"uuid": gestion.uuid}),
            {"texto": "Intento de nota", "interno": "on", "autor": str(usuario("p.regional").pk), **extra_html()},
        )
        assert response.status_code == 403
        assert Mensaje.objects.filter(interno=True).count() == antes
        assert not Mensaje.objects.filter(texto="Intento de nota").exists()

    def test_rectifying_a_person_does_not_move_block_or_anonymise_her(self, mundo) -> None:
        persona = caso("caso-gestion").persona
        escritura()
        response = client_for(usuario("p.municipal")).post(
            reverse("casos:privacidad_rectificar", kwargs={"uuid": persona.uuid}),
            {
                "nombres": "Rosalba",
                "apellidos": "Rectificada",
                "tipo_documento": persona.tipo_documento,
                "numero_documento": persona.numero_documento,
                "nacionalidad": "HT",
                "sexo": "mujer",
                "tramo_edad": "desconocido",
                "telefono": "",
                "email": "",
                **extra_html(),
                "bloqueada": "on",
                "anonimizada_en": "2020-01-01",
                "documento_normalizado": "XXX",
            },
        )
        assert response.status_code in (200, 302), response.status_code
        persona.refresh_from_db()
        assert (persona.comuna_id, persona.bloqueada, persona.anonimizada_en, persona.creada_por_id) == (
            "13108",
            False,
            None,
            usuario("p.municipal").pk,
        )
        assert persona.documento_normalizado != "XXX"

    def test_office_data_cannot_change_the_municipality_nor_the_officer(self, mundo) -> None:
        from .test_municipios_pages import DATOS_VALIDOS

        municipal = usuario("p.municipal")
        independencia = Municipalidad.objects.get(comuna_id="13108")
        antes = (independencia.comuna_id, independencia.nombre, independencia.uuid)
        perfil_antes = perfil(municipal)
        escritura()
        response = client_for(municipal).post(
            reverse("municipios:editar", kwargs={"uuid": independencia.uuid}),
            {**DATOS_VALIDOS, "version": independencia.version, **extra_html(), "nombre": "Otra", "comuna": "13125"},
        )
        assert response.status_code == 302
        independencia.refresh_from_db()
        assert independencia.oficina_nombre == DATOS_VALIDOS["oficina_nombre"]
        assert (independencia.comuna_id, independencia.nombre, independencia.uuid) == antes
        assert perfil(municipal) == perfil_antes

    def test_no_page_lets_an_officer_change_their_own_role_or_territory(self, mundo) -> None:
        """Every page a municipal officer may POST to about themselves (password, office data,
        account pages if any): their role, territory and staff flags never change."""
        municipal = usuario("p.municipal")
        antes = perfil(municipal)
        client = client_for(municipal)
        independencia = Municipalidad.objects.get(comuna_id="13108")
        urls = [f"/municipios/{independencia.uuid}/editar/", *paginas_de_cuenta()]
        assert "/accounts/password_change/" in urls
        for url in urls:
            escritura()
            response = client.post(url, {**extra_html(), "municipalidad_id": str(quilicura().pk)})
            assert response.status_code < 500, url
        assert perfil(municipal) == antes
        # Nor through the admin (not staff) or the API (no user endpoint).
        assert client.post(f"/admin/municipios/usuario/{municipal.pk}/change/", {"rol": "nacional"}).status_code == 302
        assert perfil(municipal) == antes

    def test_seal_plan_and_evidence_forms_ignore_state_and_ownership(self, mundo) -> None:
        from .test_sello_municipal import datos_accion

        adhesion = Adhesion.objects.get(municipalidad__comuna_id="13108")
        accion = AccionPlan.objects.filter(plan__adhesion=adhesion, no_aplica=False).order_by("pk").first()
        assert accion is not None
        antes = (accion.plan_id, accion.linea, accion.obligatoria, accion.accion_catalogo_id, accion.nombre)
        client = client_for(usuario("p.municipal"))
        extra = {
            **extra_html(),
            "plan": "1",
            "linea": "5",
            "obligatoria": "",
            "nombre": "Renombrada",
            "accion_catalogo": "1",
        }
        escritura()
        client.post(
            reverse("sello:accion_editar", kwargs={"uuid": adhesion.uuid, "pk": accion.pk}), {**datos_accion(), **extra}
        )
        accion.refresh_from_db()
        assert (accion.plan_id, accion.linea, accion.obligatoria, accion.accion_catalogo_id, accion.nombre) == antes
        escritura()
        response = client.post(
            reverse("sello:evidencia_nueva", kwargs={"uuid": adhesion.uuid, "pk": accion.pk}),
            {
                "descripcion": "Evidencia con extras",
                "enlace": "https://example.org/e",
                **extra_html(),
                "estado": "aceptada",
                "adhesion": str(Adhesion.objects.get(municipalidad__comuna_id="13125").pk),
                "revisada_por": str(usuario("p.regional").pk),
            },
        )
        assert response.status_code == 302
        evidencia = Evidencia.objects.get(descripcion="Evidencia con extras")
        assert (evidencia.estado, evidencia.adhesion_id, evidencia.accion_id, evidencia.revisada_por_id) == (
            "enviada",
            adhesion.pk,
            accion.pk,
            None,
        )
        escritura()
        registro = client.post(
            reverse("sello:adhesion", kwargs={"uuid": adhesion.uuid}),
            {"version": adhesion.version, **extra_html(), "estado": "certificada", "vigente_hasta": "2099-01-01"},
        )
        assert registro.status_code in (400, 409), registro.status_code
        adhesion.refresh_from_db()
        assert (adhesion.estado, adhesion.municipalidad.comuna_id, adhesion.vigente_hasta) == (
            "en_implementacion",
            "13108",
            None,
        )

    def test_trainings_practices_and_operativos_keep_their_organiser_and_territory(self, mundo) -> None:
        from .test_capacitaciones_dispositivos import datos as datos_operativo
        from .test_capacitaciones_paginas import datos_capacitacion, datos_inscripcion

        regional = usuario("p.regional")
        escritura()
        response = client_for(regional).post(
            reverse("capacitaciones:nueva"),
            {
                **datos_capacitacion(titulo="Con extras"),
                **extra_html(),
                "organizador": "sermig_nacional",
                "municipalidad_organizadora": str(quilicura().pk),
            },
        )
        assert response.status_code == 302, cuerpo(response)[:300]
        cap = Capacitacion.objects.get(titulo="Con extras")
        assert (cap.organizador, cap.region_id, cap.municipalidad_organizadora_id, cap.creada_por_id) == (
            "sermig_regional",
            "13",
            None,
            regional.pk,
        )
        municipal = usuario("p.municipal")
        rm = Capacitacion.objects.get(titulo="Capacitación regional RM")
        escritura()
        client_for(municipal).post(
            reverse("capacitaciones:inscribir", kwargs={"uuid": rm.uuid}),
            {
                **datos_inscripcion(email="extra@independencia.cl"),
                **extra_html(),
                "estado": "cancelada",
                "capacitacion": str(Capacitacion.objects.get(titulo__contains="Valparaíso").pk),
            },
        )
        for inscrita in Inscripcion.objects.filter(email="extra@independencia.cl"):
            assert (inscrita.capacitacion_id, inscrita.estado) in ((rm.pk, "inscrita"), (rm.pk, "espera"))
        escritura()
        client_for(municipal).post(
            reverse("capacitaciones:practica_nueva"),
            {
                "nombre": "Práctica con extras",
                "anio_inicio": "2020",
                "responsable": "OMIL",
                "descripcion": "d",
                "objetivos": "o",
                "actividades": "a",
                "lineas": ["5"],
                **extra_html(),
                "estado": "publicada",
                "publicada_en": "2020-01-01T00:00:00Z",
            },
        )
        for practica in BuenaPractica.objects.filter(nombre="Práctica con extras"):
            assert (practica.comuna_id, practica.estado, practica.publicada_en) == ("13108", "enviada", None)
        escritura()
        client_for(municipal).post(reverse("capacitaciones:dispositivo_nuevo"), {**datos_operativo(), **extra_html()})
        assert not DispositivoTerritorial.objects.exclude(comuna_id="13108").filter(registrado_por=municipal).exists()


def paginas_de_cuenta() -> list[str]:
    """Every page of one's own account (``accounts/``, ``cuenta/``) but the login and logout."""
    from .test_idor import url_patterns

    return [
        f"/{ruta}"
        for ruta in url_patterns()
        if ruta.startswith(("accounts/", "cuenta/"))
        and "<" not in ruta
        and ruta not in ("accounts/login/", "accounts/logout/")
    ]


@pytest.fixture(scope="module", autouse=True)
def resumen(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not CONTADOR["superficies"]:
        return
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    captura = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is not None and captura is not None:
        with captura.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(
                f"campos sensibles: {len(CAMPOS_VISTOS)} campos en {CONTADOR['superficies']} superficies, "
                f"{CONTADOR['escrituras']} escrituras con campos extra"
            )

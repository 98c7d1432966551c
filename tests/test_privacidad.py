"""Data protection of a person of the cases (Ley 21.719): export of all her data (JSON, PDF),
rectification with its audit trail, blocking, every POST for every persona, and the national
log of these operations. Anonymisation and retention: ``test_privacidad_anonimizacion.py``."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from casos import privacidad, selectors
from casos.models import AccesoSensible, AccionPrivacidad, Caso, Mensaje, OperacionPrivacidad, Persona
from sello import pdf as sello_pdf
from sello.models import Archivo

from .conftest import PERSONAS, api_client_for, client_for
from .hostiles.cargas import CONTENIDO_LOCAL, SONDAS_PDF
from .privacidad_fixtures import (
    ADJUNTO,
    APELLIDOS,
    DOCUMENTO,
    EMAIL,
    NOMBRES,
    OTRA,
    TELEFONO,
    Titular,
    otra_persona,
    titular,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ella(municipal, regional) -> Titular:
    return titular(municipal, regional)


def url(persona: Persona, suffix: str = "") -> str:
    return f"/casos/privacidad/personas/{persona.uuid}/{suffix}"


def exportar(client: Client, persona: Persona) -> dict[str, Any]:
    response = client.get(url(persona, "datos.json"))
    assert response.status_code == 200
    datos: dict[str, Any] = json.loads(response.content)
    return datos


def estado(persona: Persona) -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    fila = Persona.objects.values_list(
        "nombres", "telefono", "bloqueada", "anonimizada_en", "uuid", "fecha_nacimiento"
    ).get(pk=persona.pk)
    return (
        fila,
        Persona.history.filter(id=persona.pk).count(),
        tuple(Caso.objects.filter(persona=persona).order_by("pk").values_list("descripcion", "version")),
        OperacionPrivacidad.objects.count(),
    )


# --- Export ---------------------------------------------------------------------------------


def test_the_export_has_all_her_data_and_only_hers(ella, municipal, regional) -> None:
    otra_persona(municipal)
    response = client_for(regional).get(url(ella.persona, "datos.json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="datos-persona-')
    assert NOMBRES not in response["Content-Disposition"]
    assert {"private", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    texto = response.content.decode()
    datos = json.loads(texto)
    p = datos["persona"]
    assert (p["nombres"], p["apellidos"], p["numero_documento"], p["telefono"], p["email"]) == (
        NOMBRES,
        APELLIDOS,
        DOCUMENTO,
        TELEFONO,
        EMAIL,
    )
    assert (p["fecha_nacimiento"], p["nacionalidad"], p["sexo"], p["comuna"]["cut"]) == (
        "1990-04-17",
        "HT",
        "mujer",
        "13108",
    )
    assert [c["folio"] for c in datos["casos"]] == [ella.cerrado.folio, ella.borrador.folio]
    cerrado = datos["casos"][0]
    assert cerrado["descripcion"].startswith(f"Relato de {NOMBRES}")
    assert cerrado["resolucion"].startswith(f"Orientada {NOMBRES}")
    assert [t["accion"] for t in cerrado["transiciones"]] == ["derivar", "cerrar"]
    assert [(m["interno"], m["adjunto"]) for m in cerrado["mensajes"]] == [
        (False, None),
        (True, None),
        (False, {"nombre": ADJUNTO, "tipo": "application/pdf", "tamano": ella.adjunto.tamano}),
    ]
    assert datos["alcance"]["notas_internas"] is True
    # The history of her data: registered, then the phone number rectified (old value kept).
    historial = datos["historial_persona"]
    assert [h["tipo"] for h in historial] == ["creación", "modificación"]
    assert historial[1]["cambios"] == [{"campo": "telefono", "antes": "+56 9 0000 0000", "despues": TELEFONO}]
    assert [h["tipo"] for h in cerrado["historial"]] == ["creación", "modificación"]
    assert {c["campo"] for c in cerrado["historial"][1]["cambios"]} == {"resolucion", "numero_solicitud_sermig"}
    assert "accesos" not in datos  # the access log: national staff only
    assert OTRA not in texto
    assert "otrania" not in texto


def test_a_municipal_export_leaves_out_the_internal_notes(ella, municipal) -> None:
    datos = exportar(client_for(municipal), ella.persona)
    assert [m["interno"] for m in datos["casos"][0]["mensajes"]] == [False, False]
    assert "Nota interna" not in json.dumps(datos, ensure_ascii=False)
    assert datos["alcance"] == {
        "notas_internas": False,
        "registro_de_accesos": False,
        "nota": "Las notas internas del SERMIG sobre la persona no se incluyen: las entrega el SERMIG.",
    }


def test_every_export_is_logged_and_the_national_access_log_shows_it(ella, municipal, nacional) -> None:
    exportar(client_for(municipal), ella.persona)
    assert client_for(municipal).get(url(ella.persona, "datos.pdf")).status_code == 200
    operaciones = OperacionPrivacidad.objects.order_by("pk").values_list("accion", "detalle", "usuario")
    assert list(operaciones) == [("exportar", "json", municipal.pk), ("exportar", "pdf", municipal.pk)]
    # One entry per case and export in the access log of sensitive records (via "exportar").
    accesos = AccesoSensible.objects.filter(via="exportar", usuario=municipal)
    assert sorted(accesos.values_list("caso__folio", flat=True)) == sorted(
        [ella.cerrado.folio, ella.borrador.folio] * 2
    )
    pagina = client_for(nacional).get("/casos/accesos/", {"folio": ella.borrador.folio})
    assert pagina.status_code == 200
    assert pagina.content.decode().count("<td>exportar</td>") == 2
    # National staff's export carries that log too.
    assert {a["via"] for a in exportar(client_for(nacional), ella.persona)["accesos"]} == {"exportar"}


def test_the_pdf_export_reads_back_her_data(ella, regional) -> None:
    response = client_for(regional).get(url(ella.persona, "datos.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    salida = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    texto = " ".join(salida.decode().split())
    # (The attachment's name may be hyphenated at the end of a line: its tail is enough.)
    for esperado in (
        NOMBRES,
        APELLIDOS,
        DOCUMENTO,
        TELEFONO,
        EMAIL,
        ella.cerrado.folio,
        "wislandita.pdf",
        "Nota interna",
    ):
        assert esperado in texto


def test_the_export_reads_a_fixed_number_of_queries(ella, municipal, nacional, django_assert_num_queries) -> None:
    persona = privacidad.personas_qs().get(pk=ella.persona.pk)
    # SAVEPOINT; her cases; their transitions; their messages; her history; her cases' history;
    # the access log of her cases; the operation logged; the access-log entries; RELEASE.
    with django_assert_num_queries(10):
        privacidad.persona_exportar(persona=persona, usuario=nacional, formato="json")
    for _ in range(3):
        titular(municipal, nacional)  # (other people: her document does not grow)
    with django_assert_num_queries(10):
        privacidad.persona_exportar(persona=persona, usuario=nacional, formato="json")


@pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra", "evaluador", "sin_rol"])
def test_other_territories_cannot_export_her_data(ella, nombre, persona) -> None:
    antes = estado(ella.persona)
    client = client_for(persona(nombre))
    for suffix in ("", "datos.json", "datos.pdf", "rectificar/"):
        assert client.get(url(ella.persona, suffix)).status_code == 404
    assert estado(ella.persona) == antes
    assert not AccesoSensible.objects.exists()


@pytest.mark.parametrize("sonda", list(SONDAS_PDF))
def test_a_probe_in_her_data_prints_as_text_and_fetches_nothing(
    sonda: str, ella: Titular, regional: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """WeasyPrint probes in her name, a case's description, a message and an attachment's name."""
    carga = SONDAS_PDF[sonda]
    Persona.objects.filter(pk=ella.persona.pk).update(nombres=carga)
    Caso.objects.filter(pk=ella.cerrado.pk).update(descripcion=carga)
    Mensaje.objects.filter(caso=ella.cerrado, interno=True).update(texto=carga)
    Archivo.objects.filter(pk=ella.adjunto.pk).update(nombre_original=carga[:200])
    pedidas: list[str] = []
    original = sello_pdf.FetcherSeguro.fetch

    def espia(self: Any, url: str, headers: Any = None) -> Any:
        pedidas.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(sello_pdf.FetcherSeguro, "fetch", espia)
    response = client_for(regional).get(url(ella.persona, "datos.pdf"))
    assert response.status_code == 200
    assert [u for u in pedidas if not u.startswith("data:")] == []
    ruta = tmp_path / "datos.pdf"
    ruta.write_bytes(response.content)
    adjuntos = subprocess.run(["pdfdetach", "-list", str(ruta)], capture_output=True, check=True, text=True).stdout
    texto = subprocess.run(["pdftotext", str(ruta), "-"], capture_output=True, check=True, text=True).stdout
    assert adjuntos.startswith("0 embedded files")
    assert CONTENIDO_LOCAL not in texto
    assert "".join(carga.split()).lower() in "".join(texto.split()).lower()


# --- Rectification --------------------------------------------------------------------------


def formulario(persona: Persona, **cambios: Any) -> dict[str, Any]:
    datos = {c: getattr(persona, c) for c in privacidad.CAMPOS_RECTIFICABLES}
    datos["nacionalidad"] = str(datos["nacionalidad"])
    datos["fecha_nacimiento"] = datos["fecha_nacimiento"] or ""
    return {**datos, **cambios}


def test_a_rectification_records_who_when_and_the_old_values(ella, municipal) -> None:
    client = client_for(municipal)
    assert client.get(url(ella.persona, "rectificar/")).status_code == 200
    response = client.post(url(ella.persona, "rectificar/"), formulario(ella.persona, nombres="Wislande", telefono=""))
    assert response.status_code == 302
    assert response["Location"] == url(ella.persona)
    ella.persona.refresh_from_db()
    assert (ella.persona.nombres, ella.persona.telefono) == ("Wislande", "")
    ultimo, anterior = ella.persona.history.order_by("-history_date", "-history_id")[:2]
    assert (ultimo.history_user, ultimo.history_change_reason) == (municipal, "Rectificación")
    assert (anterior.nombres, anterior.telefono) == (NOMBRES, TELEFONO)
    assert list(OperacionPrivacidad.objects.values_list("accion", "detalle")) == [("rectificar", "nombres, telefono")]


def test_a_rectification_is_validated_like_a_registration(ella, municipal) -> None:
    antes = estado(ella.persona)
    response = client_for(municipal).post(
        url(ella.persona, "rectificar/"),
        formulario(ella.persona, tipo_documento="run", numero_documento="12.345.678-9"),
    )
    assert response.status_code == 400
    assert "El RUN no es válido" in response.content.decode()
    assert estado(ella.persona) == antes


def test_a_rectified_birth_date_makes_her_a_child_and_her_cases_sensitive(ella, regional) -> None:
    nacida = ella.persona.creada_en.date().replace(year=ella.persona.creada_en.year - 10)
    privacidad.persona_rectificar(persona=ella.persona, usuario=regional, fecha_nacimiento=nacida)
    ella.persona.refresh_from_db()
    assert ella.persona.es_nna is True
    assert set(Caso.objects.filter(persona=ella.persona).values_list("sensible", flat=True)) == {True}


def test_her_page_logs_the_showing_of_her_sensitive_cases(ella, regional) -> None:
    pagina = client_for(regional).get(url(ella.persona))
    assert pagina.status_code == 200
    assert NOMBRES in pagina.content.decode()
    assert list(AccesoSensible.objects.values_list("caso", "usuario", "via")) == [
        (ella.cerrado.pk, regional.pk, "persona")  # the draft is not sensitive
    ]


# --- Blocking -------------------------------------------------------------------------------


def test_a_blocked_person_is_hidden_from_everybody_but_national_staff(ella, municipal, regional, nacional) -> None:
    response = client_for(municipal).post(url(ella.persona, "bloquear/"), {"motivo": "Solicitud de la titular"})
    assert response.status_code == 302
    assert response["Location"] == "/casos/"
    ella.persona.refresh_from_db()
    assert (ella.persona.bloqueada, ella.persona.bloqueada_por, ella.persona.bloqueo_motivo) == (
        True,
        municipal,
        "Solicitud de la titular",
    )
    for usuario in (municipal, regional):
        for suffix in ("", "datos.json", "datos.pdf"):
            assert client_for(usuario).get(url(ella.persona, suffix)).status_code == 404
        visibles = privacidad.ocultar_bloqueadas(usuario, selectors.casos_visibles(usuario=usuario))
        assert not visibles.filter(persona=ella.persona).exists()
    pagina = client_for(nacional).get(url(ella.persona))
    assert pagina.status_code == 200
    assert "Solicitud de la titular" in pagina.content.decode()
    assert exportar(client_for(nacional), ella.persona)["persona"]["bloqueo"]["motivo"] == "Solicitud de la titular"
    visibles = privacidad.ocultar_bloqueadas(nacional, selectors.casos_visibles(usuario=nacional))
    assert visibles.filter(persona=ella.persona).count() == 2


def test_blocked_data_is_kept_and_cannot_be_edited(ella, municipal, nacional) -> None:
    privacidad.persona_bloquear(persona=ella.persona, usuario=municipal, motivo="Procedimiento judicial")
    antes = estado(ella.persona)
    client = client_for(nacional)
    assert client.get(url(ella.persona, "rectificar/")).status_code == 409
    assert client.post(url(ella.persona, "rectificar/"), formulario(ella.persona, nombres="X")).status_code == 409
    assert client.post(url(ella.persona, "anonimizar/"), {"confirmar": "on"}).status_code == 409
    assert estado(ella.persona) == antes


def test_national_staff_unblock_and_the_history_keeps_the_block(ella, municipal, nacional) -> None:
    privacidad.persona_bloquear(persona=ella.persona, usuario=municipal, motivo="Procedimiento judicial")
    assert client_for(nacional).post(url(ella.persona, "desbloquear/")).status_code == 302
    # The audit trail, on her page for national staff (only): who blocked, why, who unblocked.
    pagina = client_for(nacional).get(url(ella.persona)).content.decode()
    assert "modificación · Bloqueo" in pagina
    assert "bloqueo_motivo: — → Procedimiento judicial" in pagina
    assert "modificación · Desbloqueo" in pagina
    assert "Historial de cambios" not in client_for(municipal).get(url(ella.persona)).content.decode()
    ella.persona.refresh_from_db()
    assert (ella.persona.bloqueada, ella.persona.bloqueo_motivo) == (False, "")
    bloqueo = ella.persona.history.get(bloqueada=True)
    assert (bloqueo.history_user, bloqueo.bloqueo_motivo) == (municipal, "Procedimiento judicial")
    assert client_for(municipal).get(url(ella.persona)).status_code == 200


def test_a_block_needs_its_reason(ella, municipal) -> None:
    antes = estado(ella.persona)
    response = client_for(municipal).post(url(ella.persona, "bloquear/"), {"motivo": "  "})
    assert response.status_code == 400
    assert estado(ella.persona) == antes


def test_her_cases_are_hidden_from_lists_pages_and_the_api(ella, municipal, regional) -> None:
    privacidad.persona_bloquear(persona=ella.persona, usuario=municipal, motivo="Solicitud de la titular")
    for usuario in (municipal, regional):
        assert ella.borrador.folio not in client_for(usuario).get("/casos/").content.decode()
        assert ella.borrador.folio not in api_client_for(usuario).get("/api/v1/casos/").content.decode()
        assert client_for(usuario).get(f"/casos/{ella.cerrado.uuid}/").status_code == 404
        assert api_client_for(usuario).get(f"/api/v1/casos/{ella.cerrado.uuid}/").status_code == 404
    assert ella.cerrado.folio not in client_for(regional).get("/casos/exportar.csv").getvalue().decode()


def test_her_cases_cannot_be_changed_while_blocked(ella, municipal, nacional) -> None:
    privacidad.persona_bloquear(persona=ella.persona, usuario=municipal, motivo="Solicitud de la titular")
    antes = estado(ella.persona)
    response = client_for(nacional).post(
        f"/casos/{ella.cerrado.uuid}/accion/", {"accion": "reabrir", "version": ella.cerrado.version, "comentario": "x"}
    )
    assert response.status_code == 409
    assert estado(ella.persona) == antes


# --- Every POST for every persona -----------------------------------------------------------

OK = 302
POSTS: dict[str, tuple[dict[str, Any], dict[str, int]]] = {
    # action: (form, status per persona); the anonymous persona is sent to the login (302).
    "rectificar/": (
        {"nombres": "Wislande"},
        {
            "municipal": OK,
            "municipal_otra": 404,
            "regional": OK,
            "regional_otra": 404,
            "nacional": OK,
            "evaluador": 404,
        },
    ),
    "bloquear/": (
        {"motivo": "Solicitud de la titular"},
        {
            "municipal": OK,
            "municipal_otra": 404,
            "regional": OK,
            "regional_otra": 404,
            "nacional": OK,
            "evaluador": 404,
        },
    ),
    "desbloquear/": (
        {},
        {
            "municipal": 404,
            "municipal_otra": 404,
            "regional": 404,
            "regional_otra": 404,
            "nacional": OK,
            "evaluador": 404,
        },
    ),
    "anonimizar/": (
        {"confirmar": "on"},
        {
            "municipal": 403,
            "municipal_otra": 404,
            "regional": 403,
            "regional_otra": 404,
            "nacional": OK,
            "evaluador": 404,
        },
    ),
}


@pytest.mark.parametrize("accion", list(POSTS))
@pytest.mark.parametrize("nombre", PERSONAS)
def test_every_post_for_every_persona(
    accion, nombre, persona, ella, municipal, django_capture_on_commit_callbacks
) -> None:
    form, esperados = POSTS[accion]
    if accion == "desbloquear/":
        privacidad.persona_bloquear(persona=ella.persona, usuario=municipal, motivo="Solicitud")
    datos = formulario(ella.persona, **form) if accion == "rectificar/" else form
    antes = estado(ella.persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(persona(nombre)).post(url(ella.persona, accion), datos)
    esperado = esperados.get(nombre, 302)
    assert response.status_code == esperado
    if nombre == "anonimo":
        assert response["Location"].startswith("/accounts/login/")
    cambiado = estado(ella.persona) != antes
    assert cambiado is (esperado == OK and nombre != "anonimo")


# --- National log ---------------------------------------------------------------------------


def test_the_national_log_lists_every_operation_with_filters(ella, municipal, regional, nacional) -> None:
    exportar(client_for(municipal), ella.persona)
    privacidad.persona_rectificar(persona=ella.persona, usuario=regional, telefono="+56 2 2222 2222")
    privacidad.persona_bloquear(persona=ella.persona, usuario=regional, motivo="Solicitud")
    client = client_for(nacional)
    pagina = client.get("/casos/privacidad/").content.decode()
    assert "3 operaciones registradas" in pagina
    # The log names the fields, never the values.
    assert NOMBRES not in pagina
    assert TELEFONO not in pagina
    assert "1 operación registrada" in client.get("/casos/privacidad/", {"accion": "exportar"}).content.decode()
    assert "2 operaciones registradas" in client.get("/casos/privacidad/", {"usuario": "p.regional"}).content.decode()
    assert client.get("/casos/privacidad/", {"desde": "no-es-fecha"}).status_code == 400
    assert list(OperacionPrivacidad.objects.order_by("pk").values_list("accion", flat=True)) == [
        AccionPrivacidad.EXPORTAR,
        AccionPrivacidad.RECTIFICAR,
        AccionPrivacidad.BLOQUEAR,
    ]

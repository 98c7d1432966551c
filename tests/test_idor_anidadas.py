"""IDOR probes that need more than one identifier (``tests/test_idor.py`` swaps and guesses one):

- **nested routes**: a parent the user may see with a child of another parent (an action of
  another municipality's plan, a registration of another training, an attachment of an internal
  note or of another territory's case, an attendance mark for another training's participant);
- **identifiers in bodies**: an action, evidence, case, person, municipality or comuna of
  another territory sent in a form or API body;
- **exports and list filters** naming another territory (``?comuna=``, ``?region=``,
  ``?adhesion=``, ``?municipalidad=``): the answer holds nothing of it.

Every refused request is checked to have changed no row of any table. The run prints
``IDOR anidadas: N sondas (...)``.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from capacitaciones.models import Asistencia, BuenaPractica, Capacitacion, Inscripcion
from casos.models import Caso, Mensaje
from municipios.models import Municipalidad, Usuario
from sello.models import AccionPlan, Adhesion, Evidencia

from .conftest import api_client_for, client_for
from .idor_fixtures import MARCA_NOTA_INTERNA, MARCA_QUILICURA, TITULO_VALPARAISO, diferencias, foto, preparar_idor
from .policies import preparar_todo

pytestmark = pytest.mark.django_db

CONTADOR: Counter[str] = Counter()
ARCHIVO = (b"%PDF", b"PK\x03\x04")


@pytest.fixture
def mundo(municipal, municipal_otra, municipal_valparaiso, regional, regional_otra, nacional, evaluador) -> None:
    preparar_todo()
    preparar_idor()


def usuario(username: str) -> Usuario:
    return Usuario.objects.get(username=username)


def web(username: str | None) -> Client:
    client = client_for(usuario(username) if username else None)
    client.raise_request_exception = False
    return client


def api(username: str) -> APIClient:
    client = api_client_for(usuario(username))
    client.raise_request_exception = False
    return client


def denegada(
    tipo: str, client: Client | APIClient, metodo: str, url: str, esperado: set[int], datos: Any = None
) -> list[str]:
    """One refused request: the expected status, no file, and nothing changed anywhere."""
    CONTADOR[tipo] += 1
    antes = foto()
    if metodo == "GET":
        response = client.get(url, datos or {})
    elif isinstance(client, APIClient):
        response = client.post(url, datos or {}, format="json")
    else:
        response = client.post(url, datos or {})
    errores = []
    if response.status_code not in esperado:
        errores.append(f"{metodo} {url}: {response.status_code} (expected {sorted(esperado)})")
    contenido = b"".join(response.streaming_content) if response.streaming else response.content
    if contenido.startswith(ARCHIVO):
        errores.append(f"{metodo} {url}: a refusal carries a file")
    cambios = diferencias(antes, foto())
    if cambios:
        errores.append(f"{metodo} {url}: a refused request changed {cambios}")
    return errores


def accion_de(cut: str) -> AccionPlan:
    accion = AccionPlan.objects.filter(plan__adhesion__municipalidad__comuna_id=cut).order_by("pk").first()
    assert accion is not None
    return accion


def adhesion(cut: str) -> Adhesion:
    return Adhesion.objects.get(municipalidad__comuna_id=cut)


# --- Nested routes --------------------------------------------------------------------------


class TestRutasAnidadas:
    def test_an_action_of_another_plan_under_ones_own_adhesion_does_not_exist(self, mundo) -> None:
        errores = []
        for quien, propia, ajena in (
            ("p.municipal", "13108", "13125"),  # same región
            ("p.municipal", "13108", "13101"),  # Santiago: another municipality's plan
            ("p.municipal.otra", "13125", "13108"),
        ):
            client = web(quien)
            url_adhesion = adhesion(propia).uuid
            pk = accion_de(ajena).pk
            for sufijo, datos in (
                (f"plan/acciones/{pk}/", {"unidad_responsable": "Intrusa", "indicador": "x", "meta": "1"}),
                (f"acciones/{pk}/evidencias/nueva/", {"descripcion": "Intrusa", "enlace": "https://example.org"}),
            ):
                url = f"/sello/{url_adhesion}/{sufijo}"
                errores += denegada("anidada", client, "GET", url, {404})
                errores += denegada("anidada", client, "POST", url, {404}, datos)
        assert errores == []

    def test_a_replaced_evidence_must_be_of_the_same_action(self, mundo) -> None:
        """Re-submitting an observed evidence of another action (or territory): the form of an
        action with nothing observed has no such field (a new evidence is stored, linked to
        nothing); the API answers 404 for another territory's action or evidence."""
        independencia = adhesion("13108")
        observada = Evidencia.objects.get(adhesion=independencia, estado="observada")
        otra_accion = AccionPlan.objects.filter(plan__adhesion=independencia).exclude(pk=observada.accion_id).first()
        assert otra_accion is not None
        ajena = Evidencia.objects.filter(adhesion__municipalidad__comuna_id="13125").first()
        assert ajena is not None
        client = web("p.municipal")
        for reemplaza in (observada, ajena):
            CONTADOR["anidada"] += 1
            url = f"/sello/{independencia.uuid}/acciones/{otra_accion.pk}/evidencias/nueva/"
            datos = {
                "descripcion": f"Reemplazo {reemplaza.pk}",
                "enlace": "https://example.org/r",
                "reemplaza": str(reemplaza.uuid),
            }
            response = client.post(url, datos)
            assert response.status_code in (302, 400)
            nuevas = Evidencia.objects.filter(descripcion=f"Reemplazo {reemplaza.pk}")
            assert [(e.accion_id, e.reemplaza_id) for e in nuevas] in ([], [(otra_accion.pk, None)])
            assert not Evidencia.objects.filter(reemplaza=reemplaza).exists()
        cliente_api = api("p.municipal")
        errores = denegada(
            "cuerpo",
            cliente_api,
            "POST",
            "/api/v1/evidencias/",
            {404},
            {"accion": accion_de("13125").pk, "descripcion": "x", "enlace": "https://example.org/x"},
        )
        errores += denegada(
            "cuerpo",
            cliente_api,
            "POST",
            "/api/v1/evidencias/",
            {404},
            {
                "accion": observada.accion_id,
                "descripcion": "x",
                "enlace": "https://example.org/x",
                "reemplaza": str(ajena.uuid),
            },
        )
        assert errores == []

    def test_a_registration_of_another_training_cannot_be_cancelled_under_this_one(self, mundo) -> None:
        rm = Capacitacion.objects.get(titulo="Capacitación regional RM")
        valparaiso = Inscripcion.objects.get(capacitacion__titulo=TITULO_VALPARAISO)
        municipal = Capacitacion.objects.get(titulo="Capacitación municipal Independencia")
        otra_de_rm = Inscripcion.objects.create(
            capacitacion=municipal, nombre="Pedro Rojas", email="pedro@independencia.cl", institucion="M", unidad="OMIL"
        )
        errores = []
        for quien in ("p.regional", "p.nacional", "p.municipal"):
            for inscripcion in (valparaiso, otra_de_rm):
                url = f"/capacitaciones/{rm.uuid}/inscripciones/{inscripcion.pk}/cancelar/"
                errores += denegada("anidada", web(quien), "POST", url, {404})
        assert errores == []

    def test_attendance_marks_for_another_trainings_participants_are_ignored(self, mundo) -> None:
        rm = Capacitacion.objects.get(titulo="Capacitación regional RM")
        sesion = rm.sesiones.order_by("inicio").first()
        assert sesion is not None
        ajena = Inscripcion.objects.get(capacitacion__titulo=TITULO_VALPARAISO)
        CONTADOR["anidada"] += 1
        response = web("p.regional").post(
            f"/capacitaciones/sesiones/{sesion.pk}/asistencia/", {f"p{ajena.pk}": "presente"}
        )
        assert response.status_code in (200, 302, 400)
        assert not Asistencia.objects.filter(inscripcion=ajena).exists()
        # Another región's session does not exist for the Región Metropolitana.
        otra = Capacitacion.objects.get(titulo=TITULO_VALPARAISO).sesiones.order_by("inicio").first()
        assert otra is not None
        errores = denegada(
            "anidada",
            web("p.regional"),
            "POST",
            f"/capacitaciones/sesiones/{otra.pk}/asistencia/",
            {404},
            {f"p{ajena.pk}": "presente"},
        )
        errores += denegada("anidada", web("p.regional"), "GET", f"/capacitaciones/sesiones/{otra.pk}/hoja.pdf", {404})
        assert errores == []

    def test_attachments_of_internal_notes_and_other_territories_are_not_served(self, mundo) -> None:
        nota = Mensaje.objects.get(texto=MARCA_NOTA_INTERNA)
        quilicura = Mensaje.objects.get(texto=MARCA_QUILICURA)
        errores = []
        for quien, mensaje in (
            ("p.municipal", nota),  # her own case, but an internal note
            ("p.municipal", quilicura),  # same región, another municipality
            ("p.municipal.otra", nota),
            ("p.regional.otra", quilicura),
            ("p.evaluador", nota),
        ):
            errores += denegada("anidada", web(quien), "GET", f"/casos/adjuntos/{mensaje.pk}/", {404})
        assert errores == []
        # Whoever may see them gets the file.
        for quien, mensaje in (("p.regional", nota), ("p.municipal.otra", quilicura), ("p.nacional", nota)):
            response = web(quien).get(f"/casos/adjuntos/{mensaje.pk}/")
            assert response.status_code == 200
            assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- Identifiers in bodies ------------------------------------------------------------------


class TestIdentificadoresEnElCuerpo:
    def test_cases_of_another_territory_cannot_be_assigned_from_a_queue(self, mundo) -> None:
        independencia = Caso.objects.get(descripcion="caso-quilicura")
        valparaiso = Caso.objects.get(descripcion="caso-valparaiso")
        errores = denegada(
            "cuerpo",
            web("p.regional.otra"),
            "POST",
            "/casos/cola/asignar/",
            {404},
            {"casos": [str(independencia.uuid)], "asignado_a": str(usuario("p.regional.otra").pk)},
        )
        errores += denegada(
            "cuerpo",
            web("p.regional"),
            "POST",
            "/casos/cola/asignar/",
            {404},
            {"casos": [str(valparaiso.uuid)], "asignado_a": str(usuario("p.regional").pk)},
        )
        # One case of the territory and one of another: the whole request is refused.
        errores += denegada(
            "cuerpo",
            web("p.regional"),
            "POST",
            "/casos/cola/asignar/",
            {404},
            {"casos": [str(independencia.uuid), str(valparaiso.uuid)], "asignado_a": str(usuario("p.regional").pk)},
        )
        assert errores == []

    def test_a_case_cannot_be_assigned_to_staff_of_another_region(self, mundo) -> None:
        derivado = Caso.objects.get(descripcion="caso-quilicura")
        errores = denegada(
            "cuerpo",
            api("p.regional"),
            "POST",
            f"/api/v1/casos/{derivado.uuid}/transiciones/",
            {400},
            {"accion": "asignar", "version": derivado.version, "asignado_a": "p.regional.otra"},
        )
        assert errores == []

    def test_minutas_trainings_and_operativos_of_another_territory_are_refused(self, mundo) -> None:
        valparaiso = Municipalidad.objects.get(comuna_id="05101")
        errores = denegada(
            "cuerpo",
            web("p.municipal"),
            "POST",
            "/estadisticas/minutas/solicitar/",
            {400, 403},
            {"comuna": "13125", "periodo": "2025-S2"},
        )
        errores += denegada(
            "cuerpo",
            api("p.municipal"),
            "POST",
            "/api/v1/minutas/",
            {403, 404},
            {"comuna": "13125", "periodo": "2025-S2"},
        )
        errores += denegada(
            "cuerpo",
            web("p.regional"),
            "POST",
            "/capacitaciones/nueva/",
            {400},
            {
                "titulo": "Invita fuera",
                "tema": "interculturalidad",
                "modalidad": "mixta",
                "descripcion": "d",
                "audiencias": ["dideco"],
                "cupo": "10",
                "horas": "2",
                "asistencia_minima": "75",
                "invitadas": [str(valparaiso.pk)],
            },
        )
        errores += denegada(
            "cuerpo",
            web("p.regional"),
            "POST",
            "/capacitaciones/operativos/nuevo/",
            {400, 403, 404},
            {
                "comuna": "05101",
                "tipo": "migraciones_en_tu_barrio",
                "fecha": "2026-01-02",
                "lugar": "Plaza",
                "servicios": ["orientacion"],
                "instituciones": "SERMIG",
                "mujeres": "1",
                "hombres": "1",
                "otros": "0",
                "nna": "0",
                "mayores_60": "0",
            },
        )
        assert errores == []

    def test_a_practice_of_another_municipality_cannot_be_copied_nor_read_unpublished(self, mundo) -> None:
        enviada = BuenaPractica.objects.get(nombre="Práctica enviada Independencia")
        errores = denegada(
            "cuerpo", web("p.municipal.otra"), "GET", f"/capacitaciones/practicas/nueva/?desde={enviada.uuid}", {404}
        )
        for quien in ("p.municipal.otra", "p.regional.otra", "p.municipal.valpo"):
            errores += denegada("anidada", web(quien), "GET", f"/capacitaciones/practicas/{enviada.uuid}/", {404})
            errores += denegada("anidada", api(quien), "GET", f"/api/v1/buenas-practicas/{enviada.uuid}/", {404})
        assert errores == []


# --- Exports and list filters ---------------------------------------------------------------


def marcas_de(cut: str) -> set[str]:
    """Identifiers of a comuna's objects that a list could show."""
    marcas: set[str] = set()
    for caso in Caso.objects.filter(comuna_id=cut):
        marcas |= {str(caso.uuid), caso.folio}
    for a in Adhesion.objects.filter(municipalidad__comuna_id=cut):
        marcas.add(str(a.uuid))
        marcas |= {str(u) for u in Evidencia.objects.filter(adhesion=a).values_list("uuid", flat=True)}
    marcas.add(str(Municipalidad.objects.get(comuna_id=cut).uuid))
    return marcas


FILTROS: list[tuple[str, str, str]] = [
    # (persona, url with another territory's identifier, the comuna whose objects must not show)
    ("p.municipal", "/casos/?comuna=13125", "13125"),
    ("p.municipal", "/api/v1/casos/?comuna=13125", "13125"),
    ("p.municipal", "/api/v1/adhesiones/?comuna=13125", "13125"),
    ("p.municipal", "/api/v1/adhesiones/?region=13", "13125"),
    ("p.municipal", "/api/v1/evidencias/?adhesion={adhesion_13125}", "13125"),
    ("p.municipal", "/api/v1/municipios/?region=13", "13125"),
    ("p.municipal", "/municipios/?region=13", "13125"),
    ("p.municipal", "/api/v1/minutas/?comuna=13125", "13125"),
    ("p.municipal", "/api/v1/dispositivos/?comuna=13125", "13125"),
    ("p.regional.otra", "/casos/?comuna=13108", "13108"),
    ("p.regional.otra", "/casos/cola/?comuna=13108", "13108"),
    ("p.regional.otra", "/casos/exportar.csv?comuna=13108", "13108"),
    ("p.regional.otra", "/casos/exportar.xlsx?comuna=13108", "13108"),
    ("p.regional.otra", "/api/v1/casos/?comuna=13108", "13108"),
    ("p.regional.otra", "/api/v1/adhesiones/?region=13", "13108"),
    ("p.regional.otra", "/api/v1/adhesiones/?comuna=13108", "13108"),
    ("p.regional.otra", "/api/v1/evidencias/?adhesion={adhesion_13108}", "13108"),
    ("p.regional.otra", "/api/v1/municipios/?region=13", "13108"),
    ("p.regional.otra", "/municipios/?region=13", "13108"),
    ("p.regional.otra", "/sello/revision/?region=13", "13108"),
    ("p.regional.otra", "/api/v1/minutas/?comuna=13108", "13108"),
    ("p.regional.otra", "/api/v1/minutas/?region=13", "13108"),
    ("p.regional.otra", "/estadisticas/minutas/?comuna=13108", "13108"),
    ("p.regional.otra", "/api/v1/dispositivos/?region=13", "13108"),
    ("p.regional.otra", "/api/v1/capacitaciones/?region=13", "13108"),
    ("p.regional.otra", "/capacitaciones/operativos/?comuna=13108", "13108"),
    ("p.regional.otra", "/casos/accesos/?comuna=13108", "13108"),
    ("p.regional", "/casos/?comuna=05101", "05101"),
    ("p.regional", "/casos/exportar.csv?comuna=05101", "05101"),
    ("p.regional", "/api/v1/casos/?comuna=05101", "05101"),
]


@pytest.mark.parametrize(("quien", "url", "cut"), FILTROS, ids=[f"{q} {u}" for q, u, _ in FILTROS])
def test_a_filter_naming_another_territory_lists_nothing_of_it(quien: str, url: str, cut: str, mundo) -> None:
    url = url.format(adhesion_13125=adhesion("13125").uuid, adhesion_13108=adhesion("13108").uuid)
    CONTADOR["filtro"] += 1
    client = api(quien) if url.startswith("/api/") else web(quien)
    response = client.get(url)
    # A filter value outside the user's choices may also be refused (400) or the page be the
    # role's refusal (403): never another territory's rows.
    assert response.status_code in (200, 400, 403), response.status_code
    contenido = b"".join(response.streaming_content) if response.streaming else response.content
    if url.split("?")[0].endswith(".xlsx") and response.status_code == 200:
        from io import BytesIO

        from openpyxl import load_workbook

        libro = load_workbook(BytesIO(contenido), read_only=True)
        texto = " ".join(str(c) for h in libro.worksheets for f in h.iter_rows(values_only=True) for c in f)
    else:
        texto = contenido.decode(errors="replace")
    assert [m for m in marcas_de(cut) if m in texto] == []
    if url.startswith("/api/") and response.status_code == 200 and "region=" not in url:
        # Only the other territory named: nothing at all.
        assert response.json()["results"] == []


@pytest.fixture(scope="module", autouse=True)
def resumen(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not CONTADOR:
        return
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    captura = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is not None and captura is not None:
        detalle = ", ".join(f"{n} {t}" for t, n in sorted(CONTADOR.items()))
        with captura.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"IDOR anidadas: {sum(CONTADOR.values())} sondas ({detalle})")

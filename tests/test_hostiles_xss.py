"""XSS payloads in every free-text field, rendered as text; spreadsheet formulas neutralised in
every export; script links refused.

The world of the access matrix (``tests/policies``) is built, every free-text field of every
row of the project's models is overwritten with a payload tagged with the field's number, and
every page of the matrix is fetched by every persona allowed to see it: no payload may appear
raw in an HTML response, and each field shown anywhere appears escaped. PDFs are covered by
``test_hostiles_pdf.py``; the case exports (the only CSV/XLSX writers) are checked here.
"""

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from casos.models import Caso, EstadoCaso, TipoCaso
from municipios.models import Municipalidad, Usuario
from sello.models import EstadoSello, Evidencia

from .casos_fixtures import caso, persona
from .conftest import PERSONAS, api_client_for, client_for
from .hostiles.cargas import FORMULAS, INICIOS_PELIGROSOS, escapada, xss
from .policies import politica, preparar_todo
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

PROYECTO = ("municipios", "sello", "casos", "capacitaciones", "estadisticas")
# Official territory (loaded by a migration, read-only in the admin).
REFERENCIA = {"municipios.region", "municipios.provincia", "municipios.comuna", "municipios.poblacioncomuna"}
# Set by the platform, never typed by a person; some are parsed back (a payload would only
# break the page, not test escaping).
SISTEMA = {
    "municipios.usuario.password",
    "sello.archivo.tipo",
    "sello.archivo.sha256",
    "sello.latidoworker.worker",
    "sello.transicionsello.accion",
    "sello.notificacion.url",
    "casos.transicioncaso.accion",
    "casos.accesosensible.via",
    "estadisticas.importacion.checksum",
    "estadisticas.minuta.periodo",
    "estadisticas.minuta.huella",
}


# Free-text fields no page shows (each with why); every other one must be seen escaped.
NO_MOSTRADOS = {
    "capacitaciones.CertificadoCapacitacion.motivo_revocacion",  # verification says "revocado" only
    "capacitaciones.Encuesta.comentario",  # survey results are aggregated
    "capacitaciones.Inscripcion.run",  # only on the attendance sheet (PDF)
    "casos.Persona.numero_documento",  # pages show the normalised number, masked
    "estadisticas.ResumenMensual.categoria",  # summary keys, shown through their labels
    "estadisticas.ResumenSello.estado",
    "sello.AccionCatalogo.descripcion",  # catalogue text not shown in the pages
    # Rows of official files: only their aggregates (CifraOficial) are shown.
    *(
        f"estadisticas.{modelo}.{campo}"
        for modelo, campos in {
            "EstimacionExtranjeros": ("comuna_nombre", "edad", "pais"),
            "RefugioSermig": ("pais", "rango_etario", "sexo"),
            "ResidenciaSermig": ("actividad", "autoridad", "comuna_nombre", "estudios", "pais", "profesion", "sexo"),
        }.items()
        for campo in campos
    ),
}


def campos_de_texto() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Free-text fields people write: CharField/TextField without choices, not unique, not a
    key, not e-mail or URL (validated), not historical copies or reference data."""
    campos: list[tuple[type[models.Model], models.Field[Any, Any]]] = []
    for modelo in apps.get_models():
        etiqueta = modelo._meta.label_lower
        if modelo._meta.app_label not in PROYECTO or etiqueta in REFERENCIA or modelo.__name__.startswith("Historical"):
            continue
        for campo in modelo._meta.concrete_fields:
            if (
                isinstance(campo, models.CharField | models.TextField)
                and not isinstance(campo, models.EmailField | models.URLField | models.SlugField)
                and not campo.choices
                and not campo.unique
                and not campo.primary_key
                and campo.editable
                and f"{etiqueta}.{campo.name}" not in SISTEMA
            ):
                campos.append((modelo, campo))
    return campos


CAMPOS = campos_de_texto()


def en_restricciones_unicas(modelo: type[models.Model]) -> set[str]:
    nombres: set[str] = set()
    for restriccion in modelo._meta.constraints:
        if isinstance(restriccion, models.UniqueConstraint):
            nombres |= set(restriccion.fields)
    for juntos in modelo._meta.unique_together:
        nombres |= set(juntos)
    return nombres


def sembrar() -> dict[str, str]:
    """Overwrite every free-text field of every row with its payload; payload -> field. A
    field under a unique constraint gets the row's pk appended (the payload stays intact)."""
    cargas = {}
    for numero, (modelo, campo) in enumerate(CAMPOS, start=1):
        largo = campo.max_length - 12 if campo.max_length and campo.name in en_restricciones_unicas(modelo) else None
        carga = xss(numero, largo or campo.max_length)
        if carga is None:
            continue
        if largo is None:
            modelo._base_manager.update(**{campo.name: carga})
        else:
            for pk in modelo._base_manager.values_list("pk", flat=True):
                modelo._base_manager.filter(pk=pk).update(**{campo.name: f"{carga}-{pk}"})
        cargas[carga] = f"{modelo._meta.label}.{campo.name}"
    return cargas


def completar_mundo() -> dict[str, tuple[str, dict[str, int]]]:
    """Rows the access matrix does not need but pages show: a survey comment, a committee
    decision, a commented seal transition, a "no aplica" action, official figures by country;
    and the public verification page of a training certificate."""
    from capacitaciones.models import CertificadoCapacitacion, Encuesta, Inscripcion
    from estadisticas.models import CifraOficial, Fuente, Importacion, IndicadorOficial
    from sello.models import AccionPlan, Adhesion, Decision, DecisionComite, TransicionSello

    nacional = Usuario.objects.get(username="p.nacional")
    Encuesta.objects.create(
        inscripcion=Inscripcion.objects.get(email="luis@independencia.cl"),
        general=4,
        contenidos=4,
        relatores=5,
        utilidad=4,
        comentario="x",
    )
    quilicura = Adhesion.objects.get(municipalidad__comuna_id="13125")
    DecisionComite.objects.create(
        adhesion=quilicura,
        ronda=1,
        decision=Decision.OTORGAR,
        resolucion_numero="x",
        resolucion_fecha=timezone.localdate(),
        fundamento="x",
        registrada_por=nacional,
    )
    independencia = Adhesion.objects.get(municipalidad__comuna_id="13108")
    TransicionSello.objects.create(
        adhesion=independencia,
        desde="adherida",
        hasta="plan_en_elaboracion",
        accion="x",
        usuario=nacional,
        comentario="x",
    )
    AccionPlan.objects.filter(pk=AccionPlan.objects.filter(plan__adhesion=independencia).order_by("-pk")[0].pk).update(
        no_aplica=True, justificacion_no_aplica="x"
    )
    importacion = Importacion.objects.create(
        fuente=Fuente.INE_SERMIG_RESUMEN_COMUNAS,
        release="x",
        estado=Importacion.Estado.COMPLETADA,
        terminado_en=timezone.now(),
    )
    for comuna_id in ("13108", None):
        CifraOficial.objects.create(
            importacion=importacion,
            indicador=IndicadorOficial.EXTRANJEROS_PAIS,
            comuna_id=comuna_id,
            region_id="13",
            anio=2022,
            valor=100,
            categoria="x",
        )
    emitido = CertificadoCapacitacion.objects.select_related("inscripcion").order_by("pk")[0]
    sin_certificado = emitido.inscripcion.capacitacion.inscripciones.filter(certificado__isnull=True)[0]
    certificado = CertificadoCapacitacion.objects.create(
        inscripcion=sin_certificado,
        nombre="x",
        titulo="x",
        organiza="x",
        fechas="x",
        horas=emitido.horas,
        emitido_en=emitido.emitido_en,
        revocado_en=timezone.now(),
        motivo_revocacion="x",
    )
    sermig = {**dict.fromkeys(PERSONAS, 0), "regional": 200, "nacional": 200, "evaluador": 200}
    return {
        "verificar (certificado de capacitación)": (f"/verificar/{certificado.codigo}/", dict.fromkeys(PERSONAS, 200)),
        "sello/<uuid:uuid>/ (Quilicura, con decisión)": (f"/sello/{quilicura.uuid}/", sermig),
    }


@pytest.fixture
def mundo(
    municipal: Usuario,
    municipal_otra: Usuario,
    regional: Usuario,
    regional_otra: Usuario,
    nacional: Usuario,
    evaluador: Usuario,
) -> dict[str, tuple[str, dict[str, int]]]:
    """The access matrix's objects, and the concrete URL of every GET route (built before the
    texts they are looked up by are overwritten)."""
    preparar_todo()
    urls = {ruta: (construir_url(), esperado) for ruta, (construir_url, esperado) in politica().items()}
    return {**urls, **completar_mundo()}


def test_every_free_text_field_renders_escaped_in_every_page(
    mundo: dict[str, tuple[str, dict[str, int]]],
    persona: Callable[[str], Usuario | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cargas = sembrar()
    errores: list[str] = []
    vistas: set[str] = set()
    pedidas = 0
    for ruta, (url, esperado) in mundo.items():
        for nombre in PERSONAS:
            if esperado[nombre] != 200:
                continue
            usuario = persona(nombre)
            client = api_client_for(usuario) if url.startswith("/api/") else client_for(usuario)
            try:
                response = client.get(url)
            except Exception as exc:
                errores.append(f"{ruta} ({nombre}): {type(exc).__name__}: {exc}")
                continue
            pedidas += 1
            tipo = response.get("Content-Type", "")
            if response.status_code != 200:
                errores.append(f"{ruta} ({nombre}): {response.status_code}")
            if not tipo.startswith("text/html"):
                continue
            cuerpo = response.content.decode()
            errores += [f"{ruta} ({nombre}): raw {cargas[c]}" for c in cargas if c in cuerpo]
            vistas |= {c for c in cargas if escapada(c) in cuerpo}
    no_vistas = {cargas[c] for c in cargas.keys() - vistas}
    with capsys.disabled():
        print(
            f"\nXSS: {len(cargas)} free-text fields seeded, {pedidas} page fetches (every GET route x every "
            f"persona allowed), {len(cargas) - len(no_vistas)} fields seen escaped, none raw"
        )
    assert errores == []
    assert no_vistas <= NO_MOSTRADOS, sorted(no_vistas - NO_MOSTRADOS)


# --- Exports --------------------------------------------------------------------------------
def test_every_export_neutralises_formulas(municipal: Usuario, regional: Usuario) -> None:
    """Every user-written text of the case exports (person's name, SERMIG request number,
    sub-type, assignee's name), with each formula, in a plain and in a sensitive case."""
    regional.first_name, regional.last_name = FORMULAS[0], FORMULAS[1]
    regional.save()
    marcado = persona(municipal, nombres="<script>alert(1)</script>", apellidos="Joseph")
    caso(municipal, estado=EstadoCaso.EN_GESTION, persona_obj=marcado)
    for formula in FORMULAS:
        for tipo in (TipoCaso.REGULARIZACION, TipoCaso.VIOLENCIA):
            p = persona(municipal, nombres=formula, apellidos=formula)
            c = caso(municipal, estado=EstadoCaso.EN_GESTION, tipo=tipo, asignado_a=regional, persona_obj=p)
            Caso.objects.filter(pk=c.pk).update(numero_solicitud_sermig=formula[:40], subtipo=formula[:30])
    client = client_for(regional)

    respuesta: Any = client.get(reverse("casos:exportar_csv"))
    texto = b"".join(respuesta.streaming_content).decode("utf-8-sig")
    celdas_csv = [c for fila in csv.reader(io.StringIO(texto, newline=""), delimiter=";") for c in fila]
    libro = openpyxl.load_workbook(io.BytesIO(client.get(reverse("casos:exportar_xlsx")).content))
    celdas_xlsx = [c for fila in libro.active.iter_rows() for c in fila if c.value is not None]

    assert [c for c in celdas_csv if c.startswith(INICIOS_PELIGROSOS)] == []
    assert [
        c.coordinate for c in celdas_xlsx if c.data_type != "s" or str(c.value).startswith(INICIOS_PELIGROSOS)
    ] == []
    valores_xlsx = [c.value for c in celdas_xlsx]
    for formula in FORMULAS:
        # Shown as text, prefixed with an apostrophe (the full name, the request number...).
        nombre = f"{formula} {formula}".strip()
        assert f"'{nombre}" in celdas_csv
        assert f"'{nombre}".replace("\r", "\n") in valores_xlsx  # XML turns a CR into a line feed
        assert f"'{formula[:40]}" in celdas_csv
    assert f"'{FORMULAS[0]} {FORMULAS[1]}" in celdas_csv  # the assignee
    assert "<script>alert(1)</script> Joseph" in celdas_csv  # markup is plain text in a spreadsheet


# --- Links ----------------------------------------------------------------------------------
ENLACES_HOSTILES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:x",
]


@pytest.mark.parametrize("enlace", ENLACES_HOSTILES)
def test_an_evidence_link_that_runs_script_is_refused(
    enlace: str, municipal: Usuario, regional: Usuario, independencia: Municipalidad
) -> None:
    """Evidence links are rendered as ``href``: only http and https are accepted (web and API)."""
    sello = construir(independencia, EstadoSello.EN_IMPLEMENTACION, municipal=municipal, regional=regional)
    accion = next(a for a in sello.acciones if not a.evidencias.exists())
    antes = Evidencia.objects.count()
    web = client_for(municipal).post(
        reverse("sello:evidencia_nueva", kwargs={"uuid": sello.adhesion.uuid, "pk": accion.pk}),
        {"descripcion": "Acta", "enlace": enlace},
    )
    api = api_client_for(municipal).post(
        "/api/v1/evidencias/", {"accion": accion.pk, "descripcion": "Acta", "enlace": enlace}, format="json"
    )
    assert (web.status_code, api.status_code) == (400, 400)
    assert "El enlace no es una dirección web válida (http o https)." in web.content.decode()
    assert Evidencia.objects.count() == antes

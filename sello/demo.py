"""Drive municipalities through the seal's lifecycle with the real services (demo and tests).

Nothing here bypasses a service: every step is what a person would do in the UI.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from municipios.models import Municipalidad

from .models import AccionPlan, Adhesion, EstadoEvidencia, EstadoSello, Evidencia
from .services import adhesion as adhesion_services
from .services import evaluacion as evaluacion_services
from .services import evidencias as evidencias_services
from .services import plan as plan_services
from .transiciones import transicionar

# A minimal, valid one-page PDF (used as the demo's scanned letters and evidence files).
PDF_MINIMO = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

ORDEN = [
    EstadoSello.INTERESADA,
    EstadoSello.ADHERIDA,
    EstadoSello.PLAN_EN_ELABORACION,
    EstadoSello.PLAN_APROBADO,
    EstadoSello.EN_IMPLEMENTACION,
    EstadoSello.EVALUACION_SOLICITADA,
    EstadoSello.EN_EVALUACION,
    EstadoSello.CERTIFICADA,
]


@dataclass
class Actores:
    municipal: Any
    regional: Any
    nacional: Any
    evaluador: Any


def pdf(nombre: str = "documento.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, PDF_MINIMO, content_type="application/pdf")


def completar_plan(adhesion: Adhesion, actores: Actores, inicio: date) -> None:
    for accion in AccionPlan.objects.filter(plan__adhesion=adhesion).order_by("linea", "orden"):
        plan_services.accion_actualizar(
            accion=accion,
            usuario=actores.municipal,
            unidad_responsable="Oficina de Migrantes (DIDECO)",
            fecha_inicio=inicio,
            fecha_termino=inicio + timedelta(days=300),
            indicador="Medio de verificación disponible",
            meta="100% al cierre del ciclo",
        )


def presentar_y_aceptar(adhesion: Adhesion, actores: Actores, *, todas: bool = True) -> None:
    """Submit a link as evidence of every applicable action and have regional staff accept it."""
    acciones = AccionPlan.objects.filter(plan__adhesion=adhesion, no_aplica=False).order_by("linea", "orden")
    for accion in acciones:
        if Evidencia.objects.filter(accion=accion, estado=EstadoEvidencia.ACEPTADA).exists():
            continue
        evidencia = evidencias_services.evidencia_presentar(
            accion=accion,
            usuario=actores.municipal,
            descripcion=f"Medio de verificación: {accion.nombre[:120]}",
            enlace=f"https://transparencia.example.cl/{adhesion.municipalidad.comuna_id}/{accion.pk}",
        )
        evidencias_services.evidencia_revisar(
            evidencia=evidencia, usuario=actores.regional, estado=EstadoEvidencia.ACEPTADA, comentario="", version=1
        )
        if not todas:
            break


@transaction.atomic
def llevar_a(
    *,
    municipalidad: Municipalidad,
    estado: EstadoSello,
    actores: Actores,
    certificada_el: date | None = None,
) -> Adhesion:
    """Create a cycle-1 adhesion for ``municipalidad`` and advance it to ``estado``."""
    objetivo = ORDEN.index(estado)
    hoy = timezone.localdate()
    adhesion = adhesion_services.adhesion_crear(municipalidad=municipalidad, usuario=actores.regional)
    if objetivo >= 1:
        adhesion = adhesion_services.adhesion_registrar(
            adhesion=adhesion,
            usuario=actores.municipal,
            version=adhesion.version,
            fecha_adhesion=hoy - timedelta(days=400),
            acuerdo_concejo_numero=f"{municipalidad.comuna_id[-3:]}/2024",
            acuerdo_concejo_fecha=hoy - timedelta(days=410),
            encargado_nombre=municipalidad.encargado_nombre or "Encargado/a de la Oficina de Migrantes",
            encargado_cargo="Encargado/a Oficina de Migrantes",
            encargado_email=municipalidad.encargado_email or "migrantes@example.cl",
            carta_firmada=pdf("carta-compromiso-firmada.pdf"),
        )
    if objetivo >= 2:
        plan_services_iniciar = adhesion_services.plan_iniciar
        plan = plan_services_iniciar(adhesion=adhesion, usuario=actores.municipal, version=adhesion.version)
        adhesion.refresh_from_db()
        if objetivo >= 3:
            completar_plan(adhesion, actores, hoy - timedelta(days=380))
            plan.refresh_from_db()
            plan = plan_services.plan_enviar(plan=plan, usuario=actores.municipal, version=plan.version)
            plan_services.plan_revisar(
                plan=plan, usuario=actores.regional, aprobar=True, comentario="", version=plan.version
            )
            adhesion.refresh_from_db()
    if objetivo >= 4:
        adhesion = transicionar(
            adhesion=adhesion, accion="iniciar_implementacion", usuario=actores.municipal, version=adhesion.version
        )
    if objetivo >= 5:
        presentar_y_aceptar(adhesion, actores)
        adhesion.refresh_from_db()
        adhesion = evaluacion_services.evaluacion_solicitar(
            adhesion=adhesion, usuario=actores.municipal, version=adhesion.version
        )
    if objetivo >= 6:
        (evaluacion,) = evaluacion_services.evaluadores_asignar(
            adhesion=adhesion, usuario=actores.nacional, evaluadores=[actores.evaluador], version=adhesion.version
        )
        adhesion.refresh_from_db()
    if objetivo >= 7:
        evaluacion_services.evaluacion_registrar(
            evaluacion=evaluacion,
            usuario=actores.evaluador,
            puntajes={str(n): 90 for n in range(1, 6)},
            comentarios={"1": "Institucionalidad consolidada."},
            comentario_general="Cumple con holgura los mínimos de cada línea.",
            enviar=True,
        )
        evaluacion_services.decision_registrar(
            adhesion=adhesion,
            usuario=actores.nacional,
            decision="otorgar",
            resolucion_numero=f"REX {municipalidad.comuna_id}",
            resolucion_fecha=certificada_el or hoy - timedelta(days=30),
            fundamento="",
            version=adhesion.version,
        )
        adhesion.refresh_from_db()
    return adhesion


def revalidar(*, adhesion: Adhesion, actores: Actores) -> Adhesion:
    """Take a certified adhesion through revalidation: the next cycle is certified and the
    previous one ends "revalidada"."""
    from .services import vigencia

    assert adhesion.vigente_hasta is not None
    vigencia.vigencias_revisar(hoy=adhesion.vigente_hasta - timedelta(days=80))
    nueva = Adhesion.objects.get(ciclo_anterior=adhesion)
    presentar_y_aceptar(nueva, actores)
    nueva.refresh_from_db()
    nueva = evaluacion_services.evaluacion_solicitar(adhesion=nueva, usuario=actores.municipal, version=nueva.version)
    (evaluacion,) = evaluacion_services.evaluadores_asignar(
        adhesion=nueva, usuario=actores.nacional, evaluadores=[actores.evaluador], version=nueva.version
    )
    nueva.refresh_from_db()
    evaluacion_services.evaluacion_registrar(
        evaluacion=evaluacion,
        usuario=actores.evaluador,
        puntajes={str(n): 95 for n in range(1, 6)},
        comentarios={},
        comentario_general="Mantiene y amplía lo certificado.",
        enviar=True,
    )
    evaluacion_services.decision_registrar(
        adhesion=nueva,
        usuario=actores.nacional,
        decision="otorgar",
        resolucion_numero=f"REX {adhesion.municipalidad.comuna_id}-R",
        resolucion_fecha=timezone.localdate() - timedelta(days=10),
        fundamento="",
        version=nueva.version,
    )
    nueva.refresh_from_db()
    return nueva


def estados_de_evidencia_variados(adhesion: Adhesion, actores: Actores) -> None:
    """Evidence in every review state (for Independencia, in implementation)."""
    acciones = list(AccionPlan.objects.filter(plan__adhesion=adhesion, no_aplica=False).order_by("linea", "orden"))
    resultados = [
        (EstadoEvidencia.ACEPTADA, ""),
        (EstadoEvidencia.ACEPTADA, ""),
        (EstadoEvidencia.ACEPTADA, ""),
        (EstadoEvidencia.OBSERVADA, "El decreto adjunto no está firmado por el alcalde. Adjunte la versión firmada."),
        (EstadoEvidencia.RECHAZADA, "El documento corresponde a otra comuna."),
        (None, ""),
        (None, ""),
    ]
    for accion, (estado, comentario) in zip(acciones, resultados, strict=False):
        evidencia = evidencias_services.evidencia_presentar(
            accion=accion,
            usuario=actores.municipal,
            descripcion=f"Medio de verificación: {accion.nombre[:120]}",
            archivo=pdf(f"evidencia-{accion.pk}.pdf"),
        )
        if estado is not None:
            evidencias_services.evidencia_revisar(
                evidencia=evidencia, usuario=actores.regional, estado=estado, comentario=comentario, version=1
            )


def sembrar_sello(usuarios: dict[str, Any]) -> dict[str, Adhesion]:
    """The demo's seal states (PRODUCT.md §8)."""
    from .models import Adhesion as AdhesionModel

    if AdhesionModel.objects.exists():
        return {a.municipalidad.comuna_id: a for a in AdhesionModel.objects.select_related("municipalidad")}
    rm = Actores(usuarios["muni.quilicura"], usuarios["regional.rm"], usuarios["nacional"], usuarios["evaluador"])
    valpo = Actores(
        usuarios["muni.valparaiso"], usuarios["regional.valparaiso"], usuarios["nacional"], usuarios["evaluador"]
    )
    indep = Actores(
        usuarios["muni.independencia"], usuarios["regional.rm"], usuarios["nacional"], usuarios["evaluador"]
    )
    # Municipalities without a demo officer are driven by a transient officer account.
    hoy = timezone.localdate()
    resultado: dict[str, Adhesion] = {}
    resultado["13125"] = llevar_a(
        municipalidad=Municipalidad.objects.get(comuna_id="13125"),
        estado=EstadoSello.CERTIFICADA,
        actores=rm,
        certificada_el=hoy - timedelta(days=200),
    )
    primera = llevar_a(
        municipalidad=Municipalidad.objects.get(comuna_id="05101"),
        estado=EstadoSello.CERTIFICADA,
        actores=valpo,
        certificada_el=hoy - timedelta(days=700),
    )
    resultado["05101"] = revalidar(adhesion=primera, actores=valpo)
    independencia = llevar_a(
        municipalidad=Municipalidad.objects.get(comuna_id="13108"), estado=EstadoSello.EN_IMPLEMENTACION, actores=indep
    )
    estados_de_evidencia_variados(independencia, indep)
    resultado["13108"] = independencia
    for cut, estado in [
        ("13501", EstadoSello.ADHERIDA),  # Melipilla
        ("13502", EstadoSello.INTERESADA),  # Alhué
        ("13120", EstadoSello.PLAN_EN_ELABORACION),  # Ñuñoa
        ("13101", EstadoSello.EVALUACION_SOLICITADA),  # Santiago
        ("05109", EstadoSello.PLAN_APROBADO),  # Viña del Mar
    ]:
        municipalidad = Municipalidad.objects.get(comuna_id=cut)
        funcionario = _funcionario_demo(municipalidad)
        regional = usuarios["regional.rm"] if cut.startswith("13") else usuarios["regional.valparaiso"]
        actores = Actores(funcionario, regional, usuarios["nacional"], usuarios["evaluador"])
        resultado[cut] = llevar_a(municipalidad=municipalidad, estado=estado, actores=actores)
    return resultado


def _funcionario_demo(municipalidad: Municipalidad) -> Any:
    from municipios.models import Rol, Usuario

    usuario, _ = Usuario.objects.get_or_create(
        username=f"muni.{municipalidad.comuna_id}",
        defaults={
            "first_name": "Funcionario/a",
            "last_name": municipalidad.comuna.nombre,
            "rol": Rol.MUNICIPAL,
            "municipalidad": municipalidad,
            "email": f"muni.{municipalidad.comuna_id}@demo.sello.example.cl",
        },
    )
    usuario.set_unusable_password()
    usuario.save(update_fields=["password"])
    return usuario

"""Fast ORM builders of seal states for tests (the services are tested in their own tests;
``sello.demo.llevar_a`` walks the real services but takes ~1 s)."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from municipios.models import Municipalidad
from sello.demo import PDF_MINIMO
from sello.models import (
    AccionPlan,
    Adhesion,
    Archivo,
    CatalogoVersion,
    Certificado,
    EstadoEvidencia,
    EstadoPlan,
    EstadoSello,
    Evaluacion,
    Evidencia,
    PlanTrabajo,
    ReglaPuntaje,
)

E = EstadoSello
CON_PLAN = (
    E.PLAN_EN_ELABORACION,
    E.PLAN_APROBADO,
    E.EN_IMPLEMENTACION,
    E.EVALUACION_SOLICITADA,
    E.EN_EVALUACION,
    E.CERTIFICADA,
    E.REVALIDACION_PENDIENTE,
)


@dataclass
class Sello:
    adhesion: Adhesion
    plan: PlanTrabajo | None = None
    acciones: list[AccionPlan] = field(default_factory=list)
    evidencias: dict[str, Evidencia] = field(default_factory=dict)
    certificado: Certificado | None = None
    evaluacion: Evaluacion | None = None


def archivo_pdf(usuario: Any, nombre: str = "evidencia.pdf") -> Archivo:
    archivo = Archivo(
        nombre_original=nombre,
        tipo="application/pdf",
        tamano=len(PDF_MINIMO),
        sha256="0" * 64,
        subido_por=usuario,
        subido_en=timezone.now(),
    )
    archivo.archivo.save("archivo", ContentFile(PDF_MINIMO), save=False)
    archivo.save()
    return archivo


def construir(
    municipalidad: Municipalidad,
    estado: EstadoSello,
    *,
    municipal: Any,
    regional: Any = None,
    evaluador: Any = None,
    nacional: Any = None,
    plan_estado: EstadoPlan | None = None,
) -> Sello:
    """An adhesion of ``municipalidad`` in ``estado`` with what that state implies.

    In implementation (and later) the plan is approved and there is one evidence in each review
    state: ``enviada`` (a stored PDF file), ``aceptada``, ``observada`` and ``rechazada`` (links).
    """
    hoy = timezone.localdate()
    catalogo = CatalogoVersion.objects.filter(publicada_en__isnull=False).latest("publicada_en")
    regla = ReglaPuntaje.objects.filter(publicada_en__isnull=False).latest("version")
    certificada = estado in (E.CERTIFICADA, E.REVALIDACION_PENDIENTE)
    adhesion = Adhesion.objects.create(
        municipalidad=municipalidad,
        estado=estado,
        catalogo=catalogo,
        regla=regla,
        fecha_adhesion=hoy - timedelta(days=300) if estado != E.INTERESADA else None,
        acuerdo_concejo_numero="123/2025" if estado != E.INTERESADA else "",
        acuerdo_concejo_fecha=hoy - timedelta(days=310) if estado != E.INTERESADA else None,
        encargado_nombre="Encargada de prueba" if estado != E.INTERESADA else "",
        fecha_certificacion=hoy - timedelta(days=100) if certificada else None,
        vigente_hasta=hoy + timedelta(days=630) if certificada else None,
    )
    sello = Sello(adhesion=adhesion)
    if estado not in CON_PLAN:
        return sello
    if plan_estado is None:
        plan_estado = EstadoPlan.BORRADOR if estado == E.PLAN_EN_ELABORACION else EstadoPlan.APROBADO
    sello.plan = PlanTrabajo.objects.create(
        adhesion=adhesion, estado=plan_estado, enviado_en=timezone.now() if plan_estado != EstadoPlan.BORRADOR else None
    )
    sello.acciones = AccionPlan.objects.bulk_create(
        AccionPlan(
            plan=sello.plan,
            accion_catalogo=a,
            linea=a.linea,
            nombre=a.nombre,
            obligatoria=a.obligatoria,
            orden=a.orden,
            unidad_responsable="DIDECO",
            fecha_inicio=hoy - timedelta(days=200),
            fecha_termino=hoy + timedelta(days=100),
            indicador="Documento aprobado",
            meta="1",
        )
        for a in catalogo.acciones.order_by("linea", "orden")
    )
    if estado in (E.PLAN_EN_ELABORACION, E.PLAN_APROBADO):
        return sello
    ahora = timezone.now()
    revisor = regional or nacional or municipal
    if estado == E.EN_IMPLEMENTACION:
        estados = [
            EstadoEvidencia.ENVIADA,
            EstadoEvidencia.ACEPTADA,
            EstadoEvidencia.OBSERVADA,
            EstadoEvidencia.RECHAZADA,
        ]
        for accion, ev_estado in zip(sello.acciones, estados, strict=False):
            es_archivo = ev_estado == EstadoEvidencia.ENVIADA
            sello.evidencias[ev_estado] = Evidencia.objects.create(
                adhesion=adhesion,
                accion=accion,
                descripcion=f"Evidencia {ev_estado} de {accion.nombre[:60]}",
                archivo=archivo_pdf(municipal) if es_archivo else None,
                enlace="" if es_archivo else f"https://transparencia.example.cl/{accion.pk}",
                estado=ev_estado,
                enviada_por=municipal,
                enviada_en=ahora - timedelta(days=10),
                revisada_por=None if es_archivo else revisor,
                revisada_en=None if es_archivo else ahora,
                comentario_revision=""
                if ev_estado in (EstadoEvidencia.ENVIADA, EstadoEvidencia.ACEPTADA)
                else "Corregir",
            )
        return sello
    # Evaluation requested or later: every action has accepted evidence (a link).
    Evidencia.objects.bulk_create(
        Evidencia(
            adhesion=adhesion,
            accion=accion,
            descripcion=f"Evidencia de {accion.nombre[:60]}",
            enlace=f"https://transparencia.example.cl/{accion.pk}",
            estado=EstadoEvidencia.ACEPTADA,
            enviada_por=municipal,
            enviada_en=ahora - timedelta(days=30),
            revisada_por=revisor,
            revisada_en=ahora - timedelta(days=20),
        )
        for accion in sello.acciones
    )
    if estado in (E.EN_EVALUACION, E.CERTIFICADA, E.REVALIDACION_PENDIENTE) and evaluador is not None:
        sello.evaluacion = Evaluacion.objects.create(
            adhesion=adhesion, ronda=1, evaluador=evaluador, asignada_por=nacional or evaluador
        )
    if certificada:
        assert adhesion.fecha_certificacion is not None
        assert adhesion.vigente_hasta is not None
        sello.certificado = Certificado.objects.create(
            adhesion=adhesion,
            municipalidad_nombre=municipalidad.nombre,
            region_nombre=municipalidad.comuna.region.nombre,
            resolucion_numero="REX 1234",
            emitido_en=adhesion.fecha_certificacion,
            vigente_hasta=adhesion.vigente_hasta,
        )
    return sello

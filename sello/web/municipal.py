"""Seal pages of the municipal officer ("Mi Sello"): the municipality's current cycle, its
adhesion, work plan, evidence and the transitions it drives.

Every view fetches through the scoping helper (another territory is a 404), checks that the
user is the municipality's own officer (otherwise 403), calls one service and redirects.
A refused operation (``ErrorDeNegocio``) shows the service's Spanish message and writes nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped

from .. import selectors, transiciones
from ..archivos import nombre_seguro
from ..errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..models import (
    ESTADOS_CERRADOS,
    AccionPlan,
    Adhesion,
    EstadoEvidencia,
    EstadoSello,
    Evidencia,
    Linea,
    PlanTrabajo,
)
from ..services import adhesion as adhesion_services
from ..services import certificados
from ..services import evaluacion as evaluacion_services
from ..services import evidencias as evidencias_services
from ..services import plan as plan_services
from .municipal_forms import (
    AccionNuevaForm,
    AccionPlanForm,
    AdhesionForm,
    EvidenciaForm,
    PlanEnviarForm,
    TransicionForm,
)

SERMIG = (Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR)


# --- Helpers --------------------------------------------------------------------------------
def _adhesiones_qs() -> QuerySet[Adhesion]:
    return Adhesion.objects.select_related("municipalidad__comuna__region", "catalogo", "regla")


def _es_municipal_de(user: Any, adhesion: Adhesion) -> bool:
    return getattr(user, "rol", None) == Rol.MUNICIPAL and puede_editar(user, adhesion)


def _adhesion_propia(request: HttpRequest, uuid: str) -> Adhesion:
    """The adhesion, if the user is its municipality's officer: 404 outside the territory,
    403 for SERMIG staff, who see it but do not act for the municipality."""
    adhesion = get_scoped_or_404(request.user, _adhesiones_qs(), uuid=uuid)
    if not _es_municipal_de(request.user, adhesion):
        raise PermissionDenied
    return adhesion


def _accion_propia(request: HttpRequest, adhesion: Adhesion, pk: int) -> AccionPlan:
    # Scoped AND of the adhesion in the URL: an action of another cycle is a 404 here.
    return get_scoped_or_404(
        request.user,
        AccionPlan.objects.select_related("plan", "accion_catalogo").filter(plan__adhesion=adhesion),
        pk=pk,
    )


def _status(exc: ErrorDeNegocio) -> int:
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, (ConflictoDeVersion, TransicionNoPermitida)):
        return 409
    return 400


def _refusal(request: HttpRequest, exc: ErrorDeNegocio | None = None, *, mensaje: str = "") -> HttpResponse:
    return render(
        request,
        "sello/municipal/error.html",
        {"mensaje": exc.mensaje if exc else mensaje},
        status=_status(exc) if exc else 400,
    )


def _private_file_headers(response: HttpResponseBase) -> HttpResponseBase:
    """Downloads are never rendered by the browser nor kept by shared caches."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _inicio_sermig() -> str:
    # The SERMIG review page may not be wired yet; fall back to the municipality list.
    try:
        return reverse("sello:revision")
    except NoReverseMatch:
        return reverse("municipios:list")


@dataclass
class LineaDelPlan:
    valor: int
    nombre: str
    acciones: list[AccionPlan]


def _contexto_adhesion(user: Any, adhesion: Adhesion) -> dict[str, Any]:
    acciones = list(selectors.acciones_con_evidencias(adhesion=adhesion))
    por_linea = {linea.value: LineaDelPlan(linea.value, str(linea.label), []) for linea in Linea}
    for accion in acciones:
        por_linea[accion.linea].acciones.append(accion)
    recibe = adhesion.estado in evidencias_services.ESTADOS_QUE_RECIBEN_EVIDENCIA
    evidencias = [ev for accion in acciones for ev in accion.evidencias.all()]
    ya_presentadas = {ev.reemplaza_id for ev in evidencias if ev.reemplaza_id}
    plan = scoped(user, PlanTrabajo.objects.filter(adhesion=adhesion)).first()
    plan_editable = plan is not None and plan.estado in plan_services.EDITABLE
    return {
        "resultado": selectors.resumen(adhesion=adhesion),
        "plan": plan,
        "plan_editable": plan_editable,
        "puede_enviar_plan": plan_editable and adhesion.estado == EstadoSello.PLAN_EN_ELABORACION,
        "lineas": list(por_linea.values()),
        "recibe_evidencia": recibe,
        "representables": {
            ev.pk
            for ev in evidencias
            if recibe and ev.estado == EstadoEvidencia.OBSERVADA and ev.pk not in ya_presentadas
        },
        "transiciones": list(adhesion.transiciones.select_related("usuario").order_by("-fecha", "-pk")),
        "acciones_sello": [
            t for t in transiciones.acciones_disponibles(user, adhesion) if t.accion in TransicionForm.ACCIONES
        ],
        "puede_registrar_adhesion": transiciones.puede(user, adhesion, "adherir"),
    }


# --- Mi Sello -------------------------------------------------------------------------------
@login_required
@require_GET
def mi_sello(request: HttpRequest) -> HttpResponse:
    """The municipality's current cycle: summary, plan with evidence, log and next steps."""
    user: Any = request.user
    if user.rol in SERMIG:
        return redirect(_inicio_sermig())
    if user.rol != Rol.MUNICIPAL or not user.municipalidad_id:
        return render(request, "sin_rol.html", status=403)
    municipalidad = user.municipalidad
    adhesion = selectors.adhesion_actual(municipalidad=municipalidad)
    contexto: dict[str, Any] = {
        "municipalidad": municipalidad,
        "adhesion": adhesion,
        "puede_manifestar": adhesion is None or adhesion.estado in ESTADOS_CERRADOS,
    }
    if adhesion is not None:
        contexto.update(_contexto_adhesion(user, adhesion))
    return render(request, "sello/municipal/mi_sello.html", contexto)


@require_POST
@login_required
def interes(request: HttpRequest) -> HttpResponse:
    """The municipality «manifiesta interés»: its cycle starts in state "interesada"."""
    user: Any = request.user
    if user.rol != Rol.MUNICIPAL or not user.municipalidad_id:
        raise PermissionDenied
    try:
        adhesion_services.adhesion_crear(municipalidad=user.municipalidad, usuario=user)
    except ErrorDeNegocio as exc:
        return _refusal(request, exc)
    messages.success(request, _("Se registró el interés de la municipalidad en el Sello Migrante."))
    return redirect("sello:mi_sello")


# --- Adhesion -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def adhesion_registrar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = _adhesion_propia(request, uuid)
    status = 200
    if request.method == "POST":
        form = AdhesionForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                adhesion_services.adhesion_registrar(adhesion=adhesion, usuario=request.user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Adhesión registrada: la municipalidad adhirió al Sello Migrante."))
                return redirect("sello:mi_sello")
    else:
        municipalidad = adhesion.municipalidad
        form = AdhesionForm(
            initial={
                "version": adhesion.version,
                "fecha_adhesion": timezone.localdate(),
                "encargado_nombre": municipalidad.encargado_nombre,
                "encargado_email": municipalidad.encargado_email,
            }
        )
    return render(
        request,
        "sello/municipal/adhesion_form.html",
        {"adhesion": adhesion, "form": form, "editable": transiciones.puede(request.user, adhesion, "adherir")},
        status=status,
    )


@login_required
@require_GET
def carta_pdf(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """The carta de compromiso filled with the municipality's data, to print and sign."""
    adhesion = get_scoped_or_404(request.user, _adhesiones_qs(), uuid=uuid)
    response = HttpResponse(certificados.carta_compromiso_pdf(adhesion=adhesion), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"carta-compromiso-{adhesion.municipalidad.comuna_id}.pdf"
    )
    return _private_file_headers(response)


@require_POST
@login_required
def transicion(request: HttpRequest, uuid: str) -> HttpResponse:
    """The transitions the municipality drives, each with the version the officer saw."""
    adhesion = _adhesion_propia(request, uuid)
    form = TransicionForm(request.POST)
    if not form.is_valid():
        return _refusal(request, mensaje=_("La acción solicitada no es válida."))
    accion, version, comentario = (form.cleaned_data[k] for k in ("accion", "version", "comentario"))
    try:
        if accion == "iniciar_plan":
            adhesion_services.plan_iniciar(
                adhesion=adhesion, usuario=request.user, version=version, comentario=comentario
            )
        elif accion == "solicitar_evaluacion":
            evaluacion_services.evaluacion_solicitar(
                adhesion=adhesion, usuario=request.user, version=version, comentario=comentario
            )
        else:
            transiciones.transicionar(
                adhesion=adhesion, accion=accion, usuario=request.user, version=version, comentario=comentario
            )
    except ErrorDeNegocio as exc:
        return _refusal(request, exc)
    messages.success(request, _("Listo: %(accion)s.") % {"accion": transiciones.TRANSICIONES[accion].etiqueta})
    return redirect("sello:mi_sello")


# --- Work plan ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def accion_editar(request: HttpRequest, uuid: str, pk: int) -> HttpResponse:
    adhesion = _adhesion_propia(request, uuid)
    accion = _accion_propia(request, adhesion, pk)
    status = 200
    if request.method == "POST":
        form = AccionPlanForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                plan_services.accion_actualizar(accion=accion, usuario=request.user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Acción del plan guardada."))
                return redirect(f"{reverse('sello:mi_sello')}#accion-{accion.pk}")
    else:
        form = AccionPlanForm(initial={name: getattr(accion, name) for name in AccionPlanForm.base_fields})
    return render(
        request,
        "sello/municipal/accion_form.html",
        {
            "adhesion": adhesion,
            "accion": accion,
            "form": form,
            "editable": accion.plan.estado in plan_services.EDITABLE,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def accion_nueva(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = _adhesion_propia(request, uuid)
    plan = get_scoped_or_404(request.user, PlanTrabajo.objects.all(), adhesion=adhesion)
    status = 200
    if request.method == "POST":
        form = AccionNuevaForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                accion = plan_services.accion_agregar(plan=plan, usuario=request.user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Acción agregada al plan."))
                return redirect(f"{reverse('sello:mi_sello')}#accion-{accion.pk}")
    else:
        form = AccionNuevaForm(initial={"linea": request.GET.get("linea")})
    return render(
        request,
        "sello/municipal/accion_form.html",
        {"adhesion": adhesion, "accion": None, "form": form, "editable": plan.estado in plan_services.EDITABLE},
        status=status,
    )


@require_POST
@login_required
def plan_enviar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = _adhesion_propia(request, uuid)
    plan = get_scoped_or_404(request.user, PlanTrabajo.objects.all(), adhesion=adhesion)
    form = PlanEnviarForm(request.POST)
    if not form.is_valid():
        return _refusal(request, mensaje=_("La solicitud no es válida."))
    try:
        plan_services.plan_enviar(plan=plan, usuario=request.user, version=form.cleaned_data["version"])
    except ErrorDeNegocio as exc:
        return _refusal(request, exc)
    messages.success(request, _("Plan de trabajo enviado a revisión del equipo regional."))
    return redirect("sello:mi_sello")


# --- Evidence -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def evidencia_nueva(request: HttpRequest, uuid: str, pk: int) -> HttpResponse:
    adhesion = _adhesion_propia(request, uuid)
    accion = _accion_propia(request, adhesion, pk)
    observadas = scoped(
        request.user,
        Evidencia.objects.filter(accion=accion, estado=EstadoEvidencia.OBSERVADA, reemplazada_por__isnull=True),
    ).order_by("enviada_en", "pk")
    status = 200
    if request.method == "POST":
        form = EvidenciaForm(request.POST, request.FILES, observadas=observadas)
        status = 400
        if form.is_valid():
            try:
                evidencias_services.evidencia_presentar(accion=accion, usuario=request.user, **form.cleaned_data)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = _status(exc)
            else:
                messages.success(request, _("Evidencia enviada a revisión del equipo regional."))
                return redirect(f"{reverse('sello:mi_sello')}#accion-{accion.pk}")
    else:
        form = EvidenciaForm(observadas=observadas, initial={"reemplaza": request.GET.get("reemplaza")})
    return render(
        request,
        "sello/municipal/evidencia_form.html",
        {
            "adhesion": adhesion,
            "accion": accion,
            "form": form,
            "recibe": adhesion.estado in evidencias_services.ESTADOS_QUE_RECIBEN_EVIDENCIA and not accion.no_aplica,
        },
        status=status,
    )


@login_required
@require_GET
def evidencia_archivo(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """An evidence file, for whoever may see the evidence; served as an attachment with the
    content type validated on upload (never the uploader's claim)."""
    evidencia = get_scoped_or_404(request.user, Evidencia.objects.select_related("archivo"), uuid=uuid)
    archivo = evidencia.archivo
    if archivo is None:
        raise Http404(_("Esta evidencia es un enlace, no un archivo."))
    try:
        contenido = archivo.archivo.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("No encontrado.")) from exc
    response = FileResponse(
        contenido, as_attachment=True, filename=nombre_seguro(archivo.nombre_original), content_type=archivo.tipo
    )
    return _private_file_headers(response)


urlpatterns: list[URLPattern] = [
    path("", mi_sello, name="mi_sello"),
    path("interes/", interes, name="interes"),
    path("<uuid:uuid>/adhesion/", adhesion_registrar, name="adhesion"),
    path("<uuid:uuid>/carta.pdf", carta_pdf, name="carta"),
    path("<uuid:uuid>/transicion/", transicion, name="transicion"),
    path("<uuid:uuid>/plan/acciones/nueva/", accion_nueva, name="accion_nueva"),
    path("<uuid:uuid>/plan/acciones/<int:pk>/", accion_editar, name="accion_editar"),
    path("<uuid:uuid>/plan/enviar/", plan_enviar, name="plan_enviar"),
    path("<uuid:uuid>/acciones/<int:pk>/evidencias/nueva/", evidencia_nueva, name="evidencia_nueva"),
    path("evidencias/<uuid:uuid>/archivo/", evidencia_archivo, name="evidencia_archivo"),
]

"""Seal pages of SERMIG: the regional review queue, a municipality's seal file, the national
decisions, and the Comité Evaluador's evaluations.

Every view fetches through the scoping helper (another territory is a 404), checks the role
(403), validates a form (400), calls one service (its refusal: 403, 409 or 400 with its
message) and redirects.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from municipios.models import Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped

from .. import selectors
from ..errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida
from ..models import (
    AccionPlan,
    Adhesion,
    Certificado,
    EstadoEvidencia,
    EstadoPlan,
    EstadoSello,
    Evaluacion,
    Evidencia,
    Linea,
    PlanTrabajo,
)
from ..services import evaluacion as evaluacion_services
from ..services import evidencias as evidencia_services
from ..services import plan as plan_services
from ..services.certificados import url_verificacion
from ..transiciones import puede
from .sermig_forms import (
    AsignarEvaluadoresForm,
    DecisionForm,
    EvaluacionForm,
    MotivoForm,
    RetirarForm,
    RevisionEvidenciaForm,
    RevisionPlanForm,
)

PAGE_SIZE = 25
STAFF = (Rol.REGIONAL, Rol.NACIONAL)


def status_de(exc: ErrorDeNegocio) -> int:
    """The HTTP status of a service's refusal."""
    if isinstance(exc, SinPermiso):
        return 403
    if isinstance(exc, ConflictoDeVersion | TransicionNoPermitida):
        return 409
    return 400


def exigir_rol(user: Any, *roles: Rol) -> None:
    if getattr(user, "rol", None) not in roles:
        raise PermissionDenied


def paginar(request: HttpRequest, qs: QuerySet[Any], param: str) -> tuple[Page[Any], str]:
    """A page of ``qs`` chosen by ``?<param>=``, and the query string without that parameter."""
    pagina = Paginator(qs, PAGE_SIZE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return pagina, query.urlencode()


def adhesiones_qs() -> QuerySet[Adhesion]:
    return Adhesion.objects.select_related("municipalidad__comuna__region", "catalogo", "regla", "plan", "certificado")


def url_de_detalle(adhesion: Adhesion, ancla: str = "") -> str:
    return reverse("sello:detalle", kwargs={"uuid": adhesion.uuid}) + (f"#{ancla}" if ancla else "")


# --- Review queue ---------------------------------------------------------------------------


@login_required
def revision(request: HttpRequest) -> HttpResponse:
    """Evidence and plans waiting for review in the user's territory, oldest first, and the
    territory's adhesions by state."""
    user: Any = request.user
    if user.rol == Rol.EVALUADOR:
        return redirect("sello:evaluaciones")
    exigir_rol(user, *STAFF)
    visibles = selectors.adhesiones_visibles(usuario=user)
    por_estado = dict(visibles.order_by().values_list("estado").annotate(total=Count("pk")))
    estado = request.GET.get("estado", "")
    if estado in EstadoSello.values:
        visibles = visibles.filter(estado=estado)
    else:
        estado = ""
    evidencias, query_evidencias = paginar(request, selectors.evidencias_por_revisar(usuario=user), "pagina_evidencias")
    planes, query_planes = paginar(request, selectors.planes_por_revisar(usuario=user), "pagina_planes")
    # Lifecycle order (interesada … retirada), not the alphabetical order of the stored values.
    orden = Case(*(When(estado=valor, then=Value(i)) for i, valor in enumerate(EstadoSello.values)))
    adhesiones, query_adhesiones = paginar(
        request, visibles.order_by(orden, "municipalidad__nombre", "-ciclo"), "pagina_adhesiones"
    )
    return render(
        request,
        "sello/sermig/revision.html",
        {
            "evidencias": evidencias,
            "query_evidencias": query_evidencias,
            "planes": planes,
            "query_planes": query_planes,
            "adhesiones": adhesiones,
            "query_adhesiones": query_adhesiones,
            "estado": estado,
            "estado_etiqueta": EstadoSello(estado).label if estado else "",
            "por_estado": [(valor, etiqueta, por_estado.get(valor, 0)) for valor, etiqueta in EstadoSello.choices],
        },
    )


# --- A municipality's seal file -------------------------------------------------------------


@dataclass
class EvidenciaFila:
    evidencia: Evidencia
    form: RevisionEvidenciaForm | None


@dataclass
class AccionFila:
    accion: AccionPlan
    evidencias: list[EvidenciaFila]


@dataclass
class EvaluacionFila:
    evaluacion: Evaluacion
    lineas: list[tuple[str, str | None, str | None]]

    @classmethod
    def de(cls, evaluacion: Evaluacion) -> "EvaluacionFila":
        lineas = []
        for linea in Linea:
            clave = str(linea.value)
            nombre = f"{clave}. {linea.label}"
            lineas.append((nombre, evaluacion.puntajes.get(clave), evaluacion.comentarios.get(clave)))
        return cls(evaluacion=evaluacion, lineas=lineas)


def mi_sello_url(user: Any) -> str:
    try:
        return reverse("sello:mi_sello")
    except NoReverseMatch:  # the municipal pages are optional for this module
        return reverse("municipios:detail", kwargs={"uuid": user.municipalidad.uuid})


def render_detalle(
    request: HttpRequest,
    adhesion: Adhesion,
    *,
    status: int = 200,
    evidencia_form: tuple[Evidencia, RevisionEvidenciaForm] | None = None,
    plan_form: RevisionPlanForm | None = None,
    retirar_form: RetirarForm | None = None,
    revocar_form: MotivoForm | None = None,
    error: str = "",
) -> HttpResponse:
    """The seal file page; a refused POST shows it again with its bound form and errors."""
    user: Any = request.user
    revisa = user.rol == Rol.REGIONAL and puede_editar(user, adhesion)
    nacional = user.rol == Rol.NACIONAL
    acciones = []
    for accion in selectors.acciones_con_evidencias(adhesion=adhesion):
        filas = []
        for evidencia in accion.evidencias.all():
            form = None
            if revisa and evidencia.estado == EstadoEvidencia.ENVIADA:
                if evidencia_form and evidencia_form[0].pk == evidencia.pk:
                    form = evidencia_form[1]
                else:
                    form = RevisionEvidenciaForm(
                        initial={"version": evidencia.version}, auto_id=f"id_ev{evidencia.pk}_%s"
                    )
            filas.append(EvidenciaFila(evidencia=evidencia, form=form))
        acciones.append(AccionFila(accion=accion, evidencias=filas))
    plan: PlanTrabajo | None = getattr(adhesion, "plan", None)
    if plan is not None and plan.estado == EstadoPlan.ENVIADO and revisa and plan_form is None:
        plan_form = RevisionPlanForm(initial={"version": plan.version}, auto_id="id_plan_%s")
    certificado: Certificado | None = getattr(adhesion, "certificado", None)
    evaluaciones = [EvaluacionFila.de(e) for e in adhesion.evaluaciones.select_related("evaluador")]
    if nacional and puede(user, adhesion, "retirar") and retirar_form is None:
        retirar_form = RetirarForm(initial={"version": adhesion.version}, auto_id="id_retirar_%s")
    if nacional and certificado and certificado.revocado_en is None and revocar_form is None:
        revocar_form = MotivoForm(auto_id="id_revocar_%s")
    return render(
        request,
        "sello/sermig/detalle.html",
        {
            "adhesion": adhesion,
            "error": error,
            "resultado": selectors.resumen(adhesion=adhesion),
            "acciones": acciones,
            "plan": plan,
            "plan_form": plan_form if revisa else None,
            "transiciones": adhesion.transiciones.select_related("usuario"),
            "evaluaciones": evaluaciones,
            "ver_puntajes": user.rol in STAFF,
            "decisiones": adhesion.decisiones.select_related("registrada_por"),
            "certificado": certificado,
            "url_verificacion": url_verificacion(certificado.codigo) if certificado else "",
            "puede_asignar": nacional and puede(user, adhesion, "iniciar_evaluacion"),
            "puede_decidir": nacional and puede(user, adhesion, "otorgar"),
            "retirar_form": retirar_form if nacional else None,
            "revocar_form": revocar_form if nacional and certificado and not certificado.revocado_en else None,
        },
        status=status,
    )


@login_required
def detalle(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), uuid=uuid)
    user: Any = request.user
    if user.rol == Rol.MUNICIPAL:
        return redirect(mi_sello_url(user))
    return render_detalle(request, adhesion)


@require_POST
@login_required
def evidencia_revisar(request: HttpRequest, uuid: str) -> HttpResponse:
    evidencia = get_scoped_or_404(request.user, Evidencia.objects.all(), uuid=uuid)
    exigir_rol(request.user, Rol.REGIONAL)
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), pk=evidencia.adhesion_id)
    form = RevisionEvidenciaForm(request.POST, auto_id=f"id_ev{evidencia.pk}_%s")
    if not form.is_valid():
        return render_detalle(request, adhesion, status=400, evidencia_form=(evidencia, form))
    try:
        revisada = evidencia_services.evidencia_revisar(
            evidencia=evidencia,
            usuario=request.user,
            estado=form.cleaned_data["estado"],
            comentario=form.cleaned_data["comentario"],
            version=form.cleaned_data["version"],
        )
    except ErrorDeNegocio as exc:
        return render_detalle(
            request, adhesion, status=status_de(exc), evidencia_form=(evidencia, form), error=exc.mensaje
        )
    messages.success(
        request,
        _("Evidencia «%(d)s»: %(e)s.") % {"d": revisada.descripcion[:80], "e": revisada.get_estado_display().lower()},
    )
    return redirect(url_de_detalle(adhesion, f"accion-{revisada.accion_id}"))


@require_POST
@login_required
def plan_revisar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), uuid=uuid)
    exigir_rol(request.user, Rol.REGIONAL)
    plan = get_scoped_or_404(request.user, PlanTrabajo.objects.all(), adhesion=adhesion)
    form = RevisionPlanForm(request.POST, auto_id="id_plan_%s")
    if not form.is_valid():
        return render_detalle(request, adhesion, status=400, plan_form=form)
    try:
        plan_services.plan_revisar(
            plan=plan,
            usuario=request.user,
            aprobar=form.cleaned_data["resultado"] == "aprobar",
            comentario=form.cleaned_data["comentario"],
            version=form.cleaned_data["version"],
        )
    except ErrorDeNegocio as exc:
        return render_detalle(request, adhesion, status=status_de(exc), plan_form=form, error=exc.mensaje)
    aprobado = form.cleaned_data["resultado"] == "aprobar"
    messages.success(request, _("Plan de trabajo aprobado.") if aprobado else _("Plan de trabajo observado."))
    return redirect(url_de_detalle(adhesion))


@require_POST
@login_required
def retirar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), uuid=uuid)
    exigir_rol(request.user, Rol.NACIONAL)
    form = RetirarForm(request.POST, auto_id="id_retirar_%s")
    if not form.is_valid():
        return render_detalle(request, adhesion, status=400, retirar_form=form)
    try:
        evaluacion_services.sello_retirar(
            adhesion=adhesion,
            usuario=request.user,
            motivo=form.cleaned_data["motivo"],
            version=form.cleaned_data["version"],
        )
    except ErrorDeNegocio as exc:
        return render_detalle(request, adhesion, status=status_de(exc), retirar_form=form, error=exc.mensaje)
    messages.success(request, _("El sello de %(m)s fue retirado.") % {"m": adhesion.municipalidad})
    return redirect(url_de_detalle(adhesion))


@require_POST
@login_required
def certificado_revocar(request: HttpRequest, pk: int) -> HttpResponse:
    certificado = get_scoped_or_404(request.user, Certificado.objects.all(), pk=pk)
    exigir_rol(request.user, Rol.NACIONAL)
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), pk=certificado.adhesion_id)
    form = MotivoForm(request.POST, auto_id="id_revocar_%s")
    if not form.is_valid():
        return render_detalle(request, adhesion, status=400, revocar_form=form)
    try:
        evaluacion_services.certificado_revocar(
            certificado=certificado, usuario=request.user, motivo=form.cleaned_data["motivo"]
        )
    except ErrorDeNegocio as exc:
        return render_detalle(request, adhesion, status=status_de(exc), revocar_form=form, error=exc.mensaje)
    messages.success(request, _("Certificado revocado."))
    return redirect(url_de_detalle(adhesion))


# --- National decisions ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluadores_asignar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), uuid=uuid)
    exigir_rol(request.user, Rol.NACIONAL)
    status = 200
    if request.method == "POST":
        form = AsignarEvaluadoresForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                evaluacion_services.evaluadores_asignar(
                    adhesion=adhesion,
                    usuario=request.user,
                    evaluadores=list(form.cleaned_data["evaluadores"]),
                    version=form.cleaned_data["version"],
                )
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = status_de(exc)
            else:
                messages.success(request, _("Evaluadores asignados: comenzó la evaluación."))
                return redirect(url_de_detalle(adhesion))
    else:
        form = AsignarEvaluadoresForm(initial={"version": adhesion.version})
    return render(
        request,
        "sello/sermig/evaluadores.html",
        {"adhesion": adhesion, "form": form, "permitido": puede(request.user, adhesion, "iniciar_evaluacion")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_registrar(request: HttpRequest, uuid: str) -> HttpResponse:
    adhesion = get_scoped_or_404(request.user, adhesiones_qs(), uuid=uuid)
    exigir_rol(request.user, Rol.NACIONAL)
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                registro = evaluacion_services.decision_registrar(
                    adhesion=adhesion, usuario=request.user, **form.cleaned_data
                )
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = status_de(exc)
            else:
                messages.success(request, _("Decisión registrada: %(d)s.") % {"d": registro.get_decision_display()})
                return redirect(url_de_detalle(adhesion))
    else:
        form = DecisionForm(initial={"version": adhesion.version})
    evaluaciones = [
        EvaluacionFila.de(e) for e in adhesion.evaluaciones.select_related("evaluador").order_by("-ronda", "pk")
    ]
    return render(
        request,
        "sello/sermig/decision.html",
        {
            "adhesion": adhesion,
            "form": form,
            "evaluaciones": evaluaciones,
            "permitido": puede(request.user, adhesion, "otorgar"),
        },
        status=status,
    )


# --- Comité Evaluador -----------------------------------------------------------------------


def evaluaciones_propias(user: Any) -> QuerySet[Evaluacion]:
    """The evaluations assigned to ``user``: scoped, and only its own."""
    return scoped(user, Evaluacion.objects.select_related("adhesion__municipalidad__comuna__region")).filter(
        evaluador=user
    )


@login_required
def evaluaciones(request: HttpRequest) -> HttpResponse:
    exigir_rol(request.user, Rol.EVALUADOR)
    qs = evaluaciones_propias(request.user).order_by("enviada_en", "-asignada_en", "pk")
    pagina, query = paginar(request, qs, "page")
    return render(request, "sello/sermig/evaluaciones.html", {"page": pagina, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def evaluacion_editar(request: HttpRequest, uuid: str) -> HttpResponse:
    evaluacion = get_scoped_or_404(request.user, evaluaciones_propias(request.user), uuid=uuid)
    adhesion = evaluacion.adhesion
    status = 200
    if request.method == "POST":
        form = EvaluacionForm(request.POST, evaluacion=evaluacion)
        status = 400
        if form.is_valid():
            datos = form.datos()
            try:
                evaluacion_services.evaluacion_registrar(evaluacion=evaluacion, usuario=request.user, **datos)
            except ErrorDeNegocio as exc:
                form.add_error(None, exc.mensaje)
                status = status_de(exc)
            else:
                if datos["enviar"]:
                    messages.success(request, _("Evaluación enviada al Comité."))
                    return redirect("sello:evaluaciones")
                messages.success(request, _("Borrador guardado."))
                return redirect("sello:evaluacion", uuid=evaluacion.uuid)
    else:
        form = EvaluacionForm(evaluacion=evaluacion)
    return render(
        request,
        "sello/sermig/evaluacion.html",
        {
            "evaluacion": evaluacion,
            "adhesion": adhesion,
            "resultado": selectors.resumen(adhesion=adhesion),
            "form": form,
            "editable": evaluacion.enviada_en is None and adhesion.estado == EstadoSello.EN_EVALUACION,
        },
        status=status,
    )


urlpatterns = [
    path("revision/", revision, name="revision"),
    path("evaluaciones/", evaluaciones, name="evaluaciones"),
    path("evaluaciones/<uuid:uuid>/", evaluacion_editar, name="evaluacion"),
    path("evidencias/<uuid:uuid>/revisar/", evidencia_revisar, name="evidencia_revisar"),
    path("certificados/<int:pk>/revocar/", certificado_revocar, name="certificado_revocar"),
    path("<uuid:uuid>/", detalle, name="detalle"),
    path("<uuid:uuid>/plan/revisar/", plan_revisar, name="plan_revisar"),
    path("<uuid:uuid>/evaluadores/", evaluadores_asignar, name="evaluadores"),
    path("<uuid:uuid>/decision/", decision_registrar, name="decision"),
    path("<uuid:uuid>/retirar/", retirar, name="retirar"),
]

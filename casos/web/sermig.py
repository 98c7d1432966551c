"""Case pages of SERMIG staff: the regional queue with bulk assignment, the exports of the case
list (also used by municipal officers), and the national access log of sensitive cases.

Every read goes through the scoping helper (``selectors`` or ``scoped``); the role is
checked first (403: the page is not for that role - the Comité Evaluador sees no cases);
a write validates a form and calls one service (its refusal: 403, 409 or 400 with its
message), then redirects.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from municipios.models import Rol, Usuario
from municipios.scoping import scoped
from sello.errores import ConflictoDeVersion, ErrorDeNegocio, SinPermiso, TransicionNoPermitida

from .. import exports, selectors, services
from ..filters import CasoFilter
from ..models import AccesoSensible, Caso
from .paginacion import PaginadorCasos, total_de

PAGE_SIZE = 25
MAX_ASIGNAR = 100
SERMIG = (Rol.REGIONAL, Rol.NACIONAL)
EXPORTAN = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def sin_pagina(request: HttpRequest) -> str:
    """The query string without the page number (filters kept by the pagination links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Regional queue and bulk assignment -----------------------------------------------------


def asignables(usuario: Any) -> QuerySet[Usuario]:
    """Who the user may assign queue cases to: the active regional team of its región; national
    staff, any active SERMIG regional or national staff (the service checks the case's región)."""
    activos = Usuario.objects.filter(is_active=True).select_related("region")
    activos = activos.order_by("first_name", "last_name", "username")
    if usuario.rol == Rol.NACIONAL:
        return activos.filter(rol__in=SERMIG)
    if usuario.rol == Rol.REGIONAL and usuario.region_id:
        return activos.filter(rol=Rol.REGIONAL, region_id=usuario.region_id)
    return activos.none()


class UsuarioChoiceField(forms.ModelChoiceField[Usuario]):
    def label_from_instance(self, obj: Usuario) -> str:
        nombre = obj.get_full_name() or obj.username
        if obj.rol == Rol.NACIONAL:
            return f"{nombre} · {_('nivel nacional')}"
        return f"{nombre} · {obj.region}" if obj.region else nombre


class UUIDsField(forms.Field):
    """The checked cases (``name="casos"``, several values): a de-duplicated list of UUIDs."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[UUID]:
        valores = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            uuids = list(dict.fromkeys(UUID(str(v)) for v in valores))
        except ValueError as exc:
            raise ValidationError(_("La selección de casos no es válida."), code="invalid") from exc
        if len(uuids) > MAX_ASIGNAR:
            raise ValidationError(_("Seleccione como máximo %(n)d casos a la vez.") % {"n": MAX_ASIGNAR}, code="max")
        return uuids


class AsignarForm(forms.Form):
    casos = UUIDsField(error_messages={"required": gettext_lazy("Seleccione al menos un caso de la cola.")})
    asignado_a = UsuarioChoiceField(
        queryset=Usuario.objects.none(),
        label=gettext_lazy("Asignar los casos seleccionados a"),
        empty_label=gettext_lazy("— Seleccione una persona —"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "La persona seleccionada no puede recibir casos de su cola: elija a alguien de la lista."
            )
        },
    )

    def __init__(self, *args: Any, usuario: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campo = self.fields["asignado_a"]
        assert isinstance(campo, forms.ModelChoiceField)
        campo.queryset = asignables(usuario)


@dataclass
class FilaCola:
    caso: Caso
    nombre: str
    vencido: bool
    seleccionado: bool
    tipo: str = ""
    prioridad: str = ""
    estado: str = ""


def render_cola(request: HttpRequest, form: AsignarForm, *, status: int = 200) -> HttpResponse:
    """The queue page; a refused assignment shows it again with the form's errors."""
    user: Any = request.user
    filtro = CasoFilter(request.GET, queryset=selectors.cola_regional(usuario=user))
    total = total_de(request, filtro, solo=selectors.en_cola, estimar=False)
    pagina = PaginadorCasos(filtro.qs, PAGE_SIZE, total=total).get_page(request.GET.get("page"))
    seleccionados = set(request.POST.getlist("casos")) if form.is_bound else set()
    ahora = timezone.now()
    etiquetas = selectors.etiquetas_de_casos()
    filas = [
        FilaCola(
            caso=caso,
            nombre=selectors.nombre_visible(caso),
            vencido=exports.esta_vencido(caso, ahora),
            seleccionado=str(caso.uuid) in seleccionados,
            tipo=etiquetas["tipo"].get(caso.tipo, caso.tipo),
            prioridad=etiquetas["prioridad"].get(caso.prioridad, caso.prioridad),
            estado=etiquetas["estado"].get(caso.estado, caso.estado),
        )
        for caso in pagina
    ]
    query = request.GET.urlencode()
    return render(
        request,
        "casos/sermig/cola.html",
        {
            "filtro": filtro,
            "page": pagina,
            "filas": filas,
            "query": sin_pagina(request),
            "asignar_url": reverse("casos:cola_asignar") + (f"?{query}" if query else ""),
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def cola(request: HttpRequest) -> HttpResponse:
    """The regional queue: open escalated cases of the territory, unassigned first, then
    overdue, then by deadline; sensitive names masked."""
    exigir_rol(request.user, *SERMIG)
    return render_cola(request, AsignarForm(usuario=request.user))


@require_POST
@login_required
def cola_asignar(request: HttpRequest) -> HttpResponse:
    """Assign the checked cases to one person: all of them, or none."""
    user: Any = request.user
    exigir_rol(user, *SERMIG)
    form = AsignarForm(request.POST, usuario=user)
    form.is_valid()
    uuids = form.cleaned_data.get("casos") or []
    casos = list(scoped(user, Caso.objects.select_related("comuna"), write=True).filter(uuid__in=uuids))
    if len(casos) != len(uuids):
        # A case of another territory (or that does not exist): the whole request is refused,
        # before any other error is reported about it.
        raise Http404(_("No encontrado."))
    if form.errors:
        return render_cola(request, form, status=400)
    asignado = form.cleaned_data["asignado_a"]
    try:
        services.casos_asignar(casos=casos, usuario=user, asignado_a=asignado)
    except ErrorDeNegocio as exc:
        form.add_error(None, exc.mensaje)
        return render_cola(request, form, status=status_de(exc))
    messages.success(
        request,
        _("Casos asignados a %(u)s: %(n)d.") % {"u": asignado.get_full_name() or asignado.username, "n": len(casos)},
    )
    query = request.GET.urlencode()
    return redirect(reverse("casos:cola") + (f"?{query}" if query else ""))


# --- Exports --------------------------------------------------------------------------------


def casos_a_exportar(request: HttpRequest) -> QuerySet[Caso] | HttpResponse:
    """The list the user sees (scoped, with the list's filters), or a 400 for a bad filter."""
    exigir_rol(request.user, *EXPORTAN)
    filtro = CasoFilter(request.GET, queryset=selectors.casos_visibles(usuario=request.user))
    if not filtro.is_valid():
        # Exporting more than the list shows would be worse than a clear refusal.
        return HttpResponseBadRequest(
            _("Filtro no válido: revise los filtros de la lista y vuelva a exportar."),
            content_type="text/plain; charset=utf-8",
        )
    return filtro.qs


def nombre_archivo(extension: str) -> str:
    return f"casos-{timezone.localdate():%Y%m%d}.{extension}"


@never_cache
@login_required
@require_safe
def exportar_csv(request: HttpRequest) -> HttpResponseBase:
    casos = casos_a_exportar(request)
    if isinstance(casos, HttpResponse):
        return casos
    response = StreamingHttpResponse(
        (linea.encode("utf-8") for linea in exports.csv_lineas(casos)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{nombre_archivo("csv")}"'
    return response


@never_cache
@login_required
@require_safe
def exportar_xlsx(request: HttpRequest) -> HttpResponse:
    casos = casos_a_exportar(request)
    if isinstance(casos, HttpResponse):
        return casos
    response = HttpResponse(exports.xlsx_bytes(casos), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{nombre_archivo("xlsx")}"'
    return response


# --- National access log of sensitive cases -------------------------------------------------


class AccesosFiltroForm(forms.Form):
    folio = forms.CharField(label=gettext_lazy("Folio"), required=False, max_length=20)
    usuario = forms.CharField(label=gettext_lazy("Usuario (nombre o cuenta)"), required=False, max_length=150)


def accesos_visibles(usuario: Any) -> QuerySet[AccesoSensible]:
    """The access log: national staff only (it covers every territory)."""
    accesos = AccesoSensible.objects.select_related("caso", "usuario").order_by("-fecha", "-pk")
    return accesos if getattr(usuario, "rol", None) == Rol.NACIONAL else accesos.none()


@login_required
@require_safe
def accesos(request: HttpRequest) -> HttpResponse:
    """Who opened which sensitive case, when and through which channel (web, API, admin)."""
    exigir_rol(request.user, Rol.NACIONAL)
    form = AccesosFiltroForm(request.GET)
    qs = accesos_visibles(request.user)
    if form.is_valid():
        if folio := form.cleaned_data["folio"].strip():
            qs = qs.filter(caso__folio__icontains=folio)
        if nombre := form.cleaned_data["usuario"].strip():
            qs = qs.filter(
                Q(usuario__username__icontains=nombre)
                | Q(usuario__first_name__icontains=nombre)
                | Q(usuario__last_name__icontains=nombre)
            )
    pagina = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casos/sermig/accesos.html",
        {"form": form, "page": pagina, "query": sin_pagina(request)},
        status=200 if form.is_valid() else 400,
    )


urlpatterns = [
    path("cola/", cola, name="cola"),
    path("cola/asignar/", cola_asignar, name="cola_asignar"),
    path("exportar.csv", exportar_csv, name="exportar_csv"),
    path("exportar.xlsx", exportar_xlsx, name="exportar_xlsx"),
    path("accesos/", accesos, name="accesos"),
]

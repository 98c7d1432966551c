"""Minuta pages (/estadisticas/minutas/...): the list of the user's minutas with their
generation state, the download of a ready one, a request for one comuna and, for national
staff, the generation of all 346 for a period.

Every read goes through the scoping helper (a minuta of another territory is a 404); the
role is checked first (403: the Comité Evaluador and users without a role have no minutas);
a request validates a form (400 with its message, nothing created), checks that the comuna is
within the user's territory (403) and calls one service.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from municipios.models import Comuna, Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped

from ..filters import MinutaFilter, periodo_solicitable
from ..minutas import minuta_solicitar, minutas_programar
from ..models import Minuta
from ..periodos import Periodo, periodo_cerrado

PAGE_SIZE = 25
CON_MINUTAS = (Rol.MUNICIPAL, Rol.REGIONAL, Rol.NACIONAL)
SERMIG = (Rol.REGIONAL, Rol.NACIONAL)
EN_CURSO = (Minuta.Estado.PENDIENTE, Minuta.Estado.GENERANDO)
# Seconds between reloads of the list while a listed minuta is being generated.
REFRESCO = 10


def exigir_rol(user: Any, *roles: Rol) -> None:
    if getattr(user, "rol", None) not in roles:
        raise PermissionDenied


def minutas_qs() -> QuerySet[Minuta]:
    return Minuta.objects.select_related("comuna__region")


def puede_solicitar(user: Any, comuna: Comuna) -> bool:
    """Municipal staff for their comuna, regional staff for their región's, national for any:
    the rule of writing a minuta of that comuna (decided without a query)."""
    return getattr(user, "rol", None) in CON_MINUTAS and puede_editar(user, Minuta(comuna=comuna))


def comunas_elegibles(user: Any) -> list[tuple[str, str]]:
    """``(CUT, name)`` of the comunas the user may request a minuta of (reference data)."""
    comunas = Comuna.objects.select_related("region").order_by("region__orden_norte_sur", "nombre")
    if user.rol == Rol.MUNICIPAL:
        comunas = comunas.filter(cut=user.municipalidad.comuna_id)
    elif user.rol == Rol.REGIONAL:
        comunas = comunas.filter(region_id=user.region_id)
    if user.rol == Rol.NACIONAL:
        return [(c.cut, f"{c.nombre} ({c.cut}) · {c.region.nombre_corto}") for c in comunas]
    return [(c.cut, f"{c.nombre} ({c.cut})") for c in comunas]


class PeriodoField(forms.CharField):
    def clean(self, value: Any) -> Periodo:
        return periodo_solicitable(super().clean(value))


class SolicitarForm(forms.Form):
    comuna = forms.CharField(label=gettext_lazy("Comuna"), widget=forms.Select)
    periodo = PeriodoField(
        label=gettext_lazy("Periodo"), max_length=7, help_text=gettext_lazy("Semestre, por ejemplo 2026-S1.")
    )

    def __init__(self, *args: Any, comunas: list[tuple[str, str]], **kwargs: Any) -> None:
        # Own ids: the page also has the filter form, with fields of the same names.
        kwargs.setdefault("auto_id", "solicitar_%s")
        super().__init__(*args, **kwargs)
        self.fields["comuna"].widget.choices = comunas

    def clean_comuna(self) -> Comuna:
        cut = self.cleaned_data["comuna"].strip()
        valido = cut.isdigit() and len(cut) == 5
        comuna = Comuna.objects.select_related("region").filter(cut=cut).first() if valido else None
        if comuna is None:
            raise forms.ValidationError(
                _("La comuna «%(cut)s» no existe: use su código CUT de 5 dígitos.") % {"cut": cut[:10]}, code="invalid"
            )
        return comuna


class ProgramarForm(forms.Form):
    periodo = PeriodoField(
        label=gettext_lazy("Periodo"), max_length=7, help_text=gettext_lazy("Semestre, por ejemplo 2026-S1.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "programar_%s")
        super().__init__(*args, **kwargs)


def _pagina(
    request: HttpRequest,
    *,
    solicitar: SolicitarForm | None = None,
    programar: ProgramarForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    filtro = MinutaFilter(request.GET, queryset=scoped(user, minutas_qs()), request=request)
    if user.rol == Rol.MUNICIPAL:
        del filtro.form.fields["comuna"]  # its own comuna only: nothing to choose
    if user.rol != Rol.NACIONAL:
        del filtro.form.fields["region"]
    pagina = Paginator(filtro.qs.order_by("-periodo", "comuna_id", "-version_plantilla"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    inicial = {"periodo": periodo_cerrado().codigo}
    if user.rol == Rol.MUNICIPAL:
        inicial["comuna"] = user.municipalidad.comuna_id
    contexto = {
        "filtro": filtro,
        "page": pagina,
        "query": query.urlencode(),
        "es_sermig": user.rol in SERMIG,
        "refrescar": REFRESCO if any(m.estado in EN_CURSO for m in pagina) else None,
        "solicitar": solicitar or SolicitarForm(comunas=comunas_elegibles(user), initial=inicial),
        "programar": (programar or ProgramarForm(initial=inicial)) if user.rol == Rol.NACIONAL else None,
    }
    return render(request, "estadisticas/minutas/lista.html", contexto, status=status)


@login_required
@require_GET
def lista(request: HttpRequest) -> HttpResponse:
    """The minutas of the user's territory, newest period first, filtered; the page reloads
    itself while one of them is being generated."""
    exigir_rol(request.user, *CON_MINUTAS)
    return _pagina(request)


@login_required
@require_POST
def solicitar(request: HttpRequest) -> HttpResponse:
    """Request (or refresh) the minuta of one comuna of the user's territory and period."""
    user: Any = request.user
    exigir_rol(user, *CON_MINUTAS)
    form = SolicitarForm(request.POST, comunas=comunas_elegibles(user))
    if not form.is_valid():
        return _pagina(request, solicitar=form, status=400)
    comuna: Comuna = form.cleaned_data["comuna"]
    if not puede_solicitar(user, comuna):
        return render(
            request,
            "estadisticas/minutas/error.html",
            {"mensaje": _("Solo puede solicitar minutas de las comunas de su territorio.")},
            status=403,
        )
    periodo: Periodo = form.cleaned_data["periodo"]
    minuta_solicitar(comuna=comuna, periodo=periodo, usuario=user)
    messages.success(
        request,
        _("Se solicitó la minuta de %(comuna)s del %(periodo)s. Esta página se actualizará cuando esté lista.")
        % {"comuna": comuna.nombre, "periodo": periodo.nombre},
    )
    return redirect(f"{reverse('estadisticas:minutas')}?periodo={periodo.codigo}")


@login_required
@require_POST
def programar(request: HttpRequest) -> HttpResponse:
    """National staff: queue the minutas of every comuna for a period (unchanged ones are skipped)."""
    exigir_rol(request.user, Rol.NACIONAL)
    form = ProgramarForm(request.POST)
    if not form.is_valid():
        return _pagina(request, programar=form, status=400)
    periodo: Periodo = form.cleaned_data["periodo"]
    n = minutas_programar(periodo=periodo)
    messages.success(
        request,
        _("Se programó la generación de %(n)d minutas del %(periodo)s.") % {"n": n, "periodo": periodo.nombre},
    )
    return redirect(f"{reverse('estadisticas:minutas')}?periodo={periodo.codigo}")


@login_required
@require_GET
def descargar(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """The minuta's PDF as an attachment; a clear message while it is not ready."""
    exigir_rol(request.user, *CON_MINUTAS)
    minuta = get_scoped_or_404(request.user, minutas_qs(), uuid=uuid)
    if minuta.estado != Minuta.Estado.LISTA or not minuta.archivo:
        return render(
            request,
            "estadisticas/minutas/error.html",
            {"mensaje": mensaje_no_lista(minuta)},
            status=409,
        )
    try:
        contenido = minuta.archivo.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("No encontrado.")) from exc
    response = FileResponse(
        contenido, as_attachment=True, filename=nombre_archivo(minuta), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def mensaje_no_lista(minuta: Minuta) -> str:
    if minuta.estado in EN_CURSO:
        return _("La minuta de %(comuna)s del %(periodo)s se está generando (%(estado)s). Vuelva en unos minutos.") % {
            "comuna": minuta.comuna.nombre,
            "periodo": minuta.periodo,
            "estado": minuta.get_estado_display().lower(),
        }
    return _("La minuta de %(comuna)s del %(periodo)s no está disponible: su generación falló.") % {
        "comuna": minuta.comuna.nombre,
        "periodo": minuta.periodo,
    }


def nombre_archivo(minuta: Minuta) -> str:
    return f"minuta-{slugify(minuta.comuna.nombre)}-{minuta.comuna_id}-{minuta.periodo}.pdf"


urlpatterns: list[URLPattern] = [
    path("", lista, name="minutas"),
    path("solicitar/", solicitar, name="minuta_solicitar"),
    path("programar/", programar, name="minutas_programar"),
    path("<uuid:uuid>/descargar/", descargar, name="minuta_descargar"),
]

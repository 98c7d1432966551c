"""Pages of municipalities: list (SERMIG staff), detail and office data edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .filters import MunicipalidadFilter
from .forms import OficinaForm
from .scoping import get_scoped_or_404, puede_editar
from .selectors import municipalidad_detalle_qs, municipalidades_visibles
from .services import ConflictoDeVersion, municipalidad_actualizar_oficina

PAGE_SIZE = 50


@login_required
def municipalidad_list(request: HttpRequest) -> HttpResponse:
    filtro = MunicipalidadFilter(request.GET, queryset=municipalidades_visibles(usuario=request.user), request=request)
    page = Paginator(filtro.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "municipios/municipalidad_list.html",
        {"filtro": filtro, "page": page, "query": query.urlencode()},
    )


@login_required
def municipalidad_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    municipalidad = get_scoped_or_404(request.user, municipalidad_detalle_qs(), uuid=uuid)
    return render(
        request,
        "municipios/municipalidad_detail.html",
        {
            "municipalidad": municipalidad,
            "puede_editar": puede_editar(request.user, municipalidad),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def municipalidad_editar(request: HttpRequest, uuid: str) -> HttpResponse:
    municipalidad = get_scoped_or_404(request.user, municipalidad_detalle_qs(), uuid=uuid)
    if not puede_editar(request.user, municipalidad):
        raise PermissionDenied
    if request.method == "POST":
        form = OficinaForm(request.POST, instance=municipalidad)
        if form.is_valid():
            try:
                municipalidad_actualizar_oficina(
                    municipalidad=municipalidad,
                    usuario=request.user,
                    datos=form.cleaned_data,
                    version=form.cleaned_data["version"],
                )
            except ConflictoDeVersion as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Datos de la oficina guardados."))
                return redirect("municipios:detail", uuid=municipalidad.uuid)
    else:
        form = OficinaForm(instance=municipalidad, initial={"version": municipalidad.version})
    return render(
        request,
        "municipios/municipalidad_form.html",
        {"municipalidad": municipalidad, "form": form},
        status=400 if request.method == "POST" else 200,
    )

"""The seal state of each comuna for the maps of the statistics dashboards: JSON for
``static/estadisticas/mapa.js`` and the same map as a static SVG (what a browser without
JavaScript shows). SERMIG's only: a municipality never sees the internal seal states of the
others (403, even for its own región); a región outside the person's territory is a 404.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from municipios.models import Rol

from .. import mapa
from .. import selectors as s
from ..periodos import Periodo
from .presentacion import estados_sello
from .tableros import NACIONAL, elegir_periodo, exigir


def mapa_de(request: HttpRequest, ambito: str) -> tuple[str | None, dict[str, str], Periodo]:
    """The región (None for the country) and the seal state of each of its comunas.

    A municipality never sees the internal seal states of the others: 403, even for its own
    región."""
    usuario: Any = request.user
    if getattr(usuario, "rol", "") == Rol.MUNICIPAL:
        raise PermissionDenied
    region_cut = None if ambito == NACIONAL else ambito
    exigir(usuario, s.REGION if region_cut else s.NACIONAL, region_cut or "")
    nivel, codigo = (s.REGION, region_cut) if region_cut else (s.NACIONAL, "")
    cuts = list(s.comunas_qs(nivel=nivel, codigo=codigo).values_list("cut", flat=True))
    if not cuts:
        raise Http404(_("No encontrado."))
    periodo, _aviso = elegir_periodo(request)
    return region_cut, estados_sello(s.sellos(periodo, cuts if region_cut else None), cuts), periodo


@require_GET
@login_required
def mapa_json(request: HttpRequest, ambito: str) -> JsonResponse:
    """The seal state of each comuna, in the format of ``static/estadisticas/mapa.js``."""
    region_cut, estados, _periodo = mapa_de(request, ambito)
    respuesta = JsonResponse(
        {
            "estados": {
                cut: {"estado": e, "etiqueta": mapa.etiqueta(e), "color": mapa.COLORES[e]} for cut, e in estados.items()
            },
            "leyenda": [{"etiqueta": e["etiqueta"], "color": e["color"]} for e in mapa.leyenda(set(estados.values()))],
            "region": region_cut,
        }
    )
    respuesta["Cache-Control"] = "private, max-age=0"
    return respuesta


@require_GET
@login_required
def mapa_svg(request: HttpRequest, ambito: str) -> HttpResponse:
    """The same map as a static SVG (what a browser without JavaScript shows)."""
    region_cut, estados, periodo = mapa_de(request, ambito)
    colores = {cut: mapa.COLORES[e] for cut, e in estados.items()}
    titulo = _("Comunas según el estado del Sello Migrante, %(periodo)s") % {"periodo": periodo.nombre}
    respuesta = HttpResponse(mapa.mapa_svg(colores, region_cut=region_cut, titulo=titulo), "image/svg+xml")
    respuesta["Cache-Control"] = "private, max-age=0"
    return respuesta


urlpatterns: list[URLPattern] = [
    path("mapa/<str:ambito>.json", mapa_json, name="mapa_json"),
    path("mapa/<str:ambito>.svg", mapa_svg, name="mapa_svg"),
]

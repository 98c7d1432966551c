"""Public pages of the seal (no login): certificate verification and the registry of
municipalities with the seal in force, with its map. Mounted at the site root with namespace
"publico".

They read through ``sello.verificacion``, the one place allowed to read certificates without
the scoping helper (see its docstring for why that is safe)."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from estadisticas import mapa
from municipios.models import Comuna, Region

from .. import verificacion
from ..models import EstadoSello

# The public map tells only what the registry tells: whether a comuna's municipality holds a
# seal in force today. Internal states (plan, evaluation, lapsed) never leave SERMIG's pages.
VIGENTE = "vigente"
SIN_SELLO = "sin_sello_vigente"
COLORES_PUBLICOS = {VIGENTE: mapa.COLORES[EstadoSello.CERTIFICADA], SIN_SELLO: mapa.GRIS}


def etiqueta_publica(estado: str) -> str:
    return gettext("Sello vigente") if estado == VIGENTE else gettext("Sin sello vigente")


class VerificarForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de verificación"),
        max_length=300,
        help_text=_("El código impreso bajo el código QR del certificado, o la dirección completa de verificación."),
    )

    def clean_codigo(self) -> str:
        texto = self.cleaned_data["codigo"].strip()
        # People paste the whole verification URL: keep its last path segment.
        if "/" in texto:
            texto = texto.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if not verificacion.codigo_valido(texto):
            raise forms.ValidationError(_("El código solo contiene letras, números, guiones y guiones bajos."))
        return texto


class RegistroFiltroForm(forms.Form):
    region = forms.ChoiceField(label=_("Región"), required=False)

    def __init__(self, *args: Any, regiones: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices from the list the view already loaded: validating costs no extra query.
        campo = self.fields["region"]
        assert isinstance(campo, forms.ChoiceField)
        campo.choices = [("", _("Todas las regiones")), *((r.cut, str(r)) for r in regiones)]


@require_GET
def verificar_form(request: HttpRequest) -> HttpResponse:
    """A person types the code printed on a certificate and is sent to its page."""
    if "codigo" not in request.GET:
        return render(request, "sello/publico/verificar_form.html", {"form": VerificarForm()})
    form = VerificarForm(request.GET)
    if form.is_valid():
        return redirect("publico:verificar", codigo=form.cleaned_data["codigo"])
    return render(request, "sello/publico/verificar_form.html", {"form": form}, status=400)


@never_cache  # a revocation must show at once, never a cached "valid"
@require_GET
def verificar(request: HttpRequest, codigo: str) -> HttpResponse:
    """What a certificate states and whether it is valid, expired or revoked; 404 "no válido"."""
    resultado = verificacion.verificar(codigo)
    return render(
        request,
        "sello/publico/verificar.html",
        {"resultado": resultado, "codigo": codigo, "estados": verificacion.EstadoCertificado},
        status=200 if resultado is not None else 404,
    )


@require_GET
def registro(request: HttpRequest) -> HttpResponse:
    """Municipalities with the seal in force, optionally by región."""
    regiones = list(Region.objects.all())
    filtro = RegistroFiltroForm(request.GET or None, regiones=regiones)
    region_cut = filtro.cleaned_data["region"] if filtro.is_valid() else None
    certificados = list(verificacion.sellos_vigentes(hoy=timezone.localdate(), region_cut=region_cut))
    consulta = f"?region={region_cut}" if region_cut else ""
    titulo = gettext("Comunas con Sello Migrante vigente")
    return render(
        request,
        "sello/publico/registro.html",
        {
            "filtro": filtro,
            "certificados": certificados,
            "mapa_titulo": titulo,
            "mapa_estados_url": reverse("publico:registro_mapa_json") + consulta,
            # Without JavaScript the static map is an image (fetched only then).
            "mapa_svg": format_html(
                '<img src="{}" alt="{}" width="100%">',
                reverse("publico:registro_mapa_svg") + consulta,
                gettext("Mapa de comunas: en verde, las que tienen Sello Migrante vigente; en gris, las demás."),
            ),
        },
        status=400 if filtro.is_bound and not filtro.is_valid() else 200,
    )


def estados_publicos(request: HttpRequest) -> tuple[str | None, dict[str, str]] | None:
    """The región asked for (None: the country) and each of its comunas' public status; None
    when the región does not exist. Two queries."""
    region_cut = request.GET.get("region") or None
    comunas = Comuna.objects.order_by("cut")
    if region_cut:
        comunas = comunas.filter(region_id=region_cut)
    cuts = list(comunas.values_list("cut", flat=True))
    if not cuts:
        return None
    con_sello = set(
        verificacion.sellos_vigentes(hoy=timezone.localdate(), region_cut=region_cut).values_list(
            "adhesion__municipalidad__comuna_id", flat=True
        )
    )
    return region_cut, {cut: VIGENTE if cut in con_sello else SIN_SELLO for cut in cuts}


@require_GET
def registro_mapa_json(request: HttpRequest) -> JsonResponse:
    """The registry's map data (the format of ``static/estadisticas/mapa.js``)."""
    datos = estados_publicos(request)
    if datos is None:
        return JsonResponse({"error": gettext("Región no válida.")}, status=400)
    region_cut, estados = datos
    return JsonResponse(
        {
            "estados": {
                cut: {"estado": e, "etiqueta": etiqueta_publica(e), "color": COLORES_PUBLICOS[e]}
                for cut, e in estados.items()
            },
            "leyenda": [{"etiqueta": etiqueta_publica(e), "color": c} for e, c in COLORES_PUBLICOS.items()],
            "region": region_cut,
        }
    )


@require_GET
def registro_mapa_svg(request: HttpRequest) -> HttpResponse:
    """The registry's map as a static SVG, for browsers without JavaScript."""
    datos = estados_publicos(request)
    if datos is None:
        return HttpResponse(gettext("Región no válida."), status=400, content_type="text/plain; charset=utf-8")
    region_cut, estados = datos
    colores = {cut: COLORES_PUBLICOS[e] for cut, e in estados.items()}
    dibujo = mapa.mapa_svg(
        colores, region_cut=region_cut, titulo=gettext("Comunas con Sello Migrante vigente"), con_leyenda=False
    )
    return HttpResponse(dibujo, content_type="image/svg+xml")


urlpatterns: list[URLPattern] = [
    path("verificar/", verificar_form, name="verificar_form"),
    path("verificar/<str:codigo>/", verificar, name="verificar"),
    path("registro/", registro, name="registro"),
    path("registro/mapa.json", registro_mapa_json, name="registro_mapa_json"),
    path("registro/mapa.svg", registro_mapa_svg, name="registro_mapa_svg"),
]

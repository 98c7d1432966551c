"""Public pages of the seal (no login): certificate verification and the registry of
municipalities with the seal in force. Mounted at the site root with namespace "publico".

They read through ``sello.verificacion``, the one place allowed to read certificates without
the scoping helper (see its docstring for why that is safe)."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from municipios.models import Region

from .. import verificacion


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
    return render(
        request,
        "sello/publico/registro.html",
        {"filtro": filtro, "certificados": certificados},
        status=400 if filtro.is_bound and not filtro.is_valid() else 200,
    )


urlpatterns: list[URLPattern] = [
    path("verificar/", verificar_form, name="verificar_form"),
    path("verificar/<str:codigo>/", verificar, name="verificar"),
    path("registro/", registro, name="registro"),
]

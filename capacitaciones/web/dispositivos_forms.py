"""Forms of the operativos and good-practices pages. They only shape the input: every rule
(territory, future dates, subtotals, years, who publishes) is the service's, so these are plain
forms (a ModelForm would also validate and write onto the instance)."""

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipios.models import Comuna, Region
from sello.models import Linea

from ..models import BuenaPractica, DispositivoTerritorial, Servicio, TipoDispositivo

TEXTO_MAX = 8000
PRIMER_ANIO_SELLO = 2015  # the programme's first seals
PRIMER_ANIO_PRACTICA = 1990
MAX_PERSONAS = 100_000


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def campo(model: type[models.Model], nombre: str, **kwargs: Any) -> forms.Field:
    """The form field of a model field (its label, length and help text), without the model form."""
    field = model._meta.get_field(nombre)
    assert isinstance(field, models.Field)
    formfield = field.formfield(**kwargs)
    assert formfield is not None
    return formfield


def anios(desde: int) -> list[tuple[str, Any]]:
    hasta = timezone.localdate().year
    return [("", _("Todos"))] + [(str(a), str(a)) for a in range(hasta, desde - 1, -1)]


class ConAnios(forms.Form):
    def _opciones(self, nombre: str, opciones: list[tuple[str, Any]]) -> None:
        # Years up to the current one, computed per request (the form lives across new years).
        campo_anio: Any = self.fields[nombre]
        campo_anio.choices = opciones


def _cantidad(nombre: str, **kwargs: Any) -> forms.Field:
    return campo(DispositivoTerritorial, nombre, min_value=0, max_value=MAX_PERSONAS, initial=0, **kwargs)


# --- Operativos -----------------------------------------------------------------------------
class DispositivoForm(forms.Form):
    """An operativo with aggregate counts only: never a name or a document."""

    tipo = forms.ChoiceField(label=_("Tipo de operativo"), choices=TipoDispositivo.choices)
    comuna = forms.ModelChoiceField(
        label=_("Comuna"),
        # Any comuna validates here: one outside the user's territory reaches the service,
        # which refuses it (403), instead of looking like a typo (400).
        queryset=Comuna.objects.all(),
        empty_label=_("Elija la comuna"),
    )
    fecha = forms.DateField(label=_("Fecha"), widget=FechaInput(), help_text=_("No puede ser una fecha futura."))
    lugar = campo(DispositivoTerritorial, "lugar", help_text=_("Por ejemplo: Plaza de Armas, sede vecinal."))
    servicios = forms.MultipleChoiceField(
        label=_("Servicios ofrecidos"), choices=Servicio.choices, widget=forms.CheckboxSelectMultiple
    )
    instituciones = campo(
        DispositivoTerritorial, "instituciones", help_text=_("Por ejemplo: SERMIG, Registro Civil, CESFAM.")
    )
    mujeres = _cantidad("mujeres")
    hombres = _cantidad("hombres")
    otros = _cantidad("otros", help_text=_("Personas que no se identifican como mujer ni como hombre."))
    nna = _cantidad("nna", help_text=_("Niños, niñas y adolescentes, incluidos en el total."))
    mayores_60 = _cantidad("mayores_60", help_text=_("Incluidas en el total."))

    def __init__(
        self, *args: Any, comunas: list[tuple[str, list[tuple[str, str]]]] | None = None, **kwargs: Any
    ) -> None:
        """``comunas``: the comunas the user may choose, grouped by región; ``None`` for a
        municipal officer, whose operativos are always in its own comuna (no field)."""
        super().__init__(*args, **kwargs)
        if comunas is None:
            del self.fields["comuna"]
        else:
            self.fields["comuna"].widget.choices = [("", _("Elija la comuna")), *comunas]


class FiltroDispositivosForm(ConAnios):
    tipo = forms.ChoiceField(label=_("Tipo"), choices=[("", _("Todos")), *TipoDispositivo.choices], required=False)
    anio = forms.TypedChoiceField(label=_("Año"), choices=(), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opciones("anio", anios(PRIMER_ANIO_SELLO))


# --- Good practices -------------------------------------------------------------------------
def _texto(nombre: str, filas: int = 4, **kwargs: Any) -> forms.Field:
    return campo(BuenaPractica, nombre, max_length=TEXTO_MAX, widget=forms.Textarea(attrs={"rows": filas}), **kwargs)


class BuenaPracticaForm(forms.Form):
    """The fields of SERMIG's catalogue of local-governance practices."""

    nombre = campo(BuenaPractica, "nombre")
    anio_inicio = forms.IntegerField(label=_("Año de inicio"), min_value=PRIMER_ANIO_PRACTICA, max_value=9999)
    responsable = campo(
        BuenaPractica, "responsable", help_text=_("Por ejemplo: DIDECO, Oficina de Migrantes y Refugiados.")
    )
    lineas = forms.TypedMultipleChoiceField(
        label=_("Líneas de acción del Sello"),
        choices=Linea.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Indique al menos una línea de acción.")},
    )
    base_legal = _texto("base_legal", 2, help_text=_("Ordenanza, decreto alcaldicio, convenio u otra norma."))
    descripcion = _texto("descripcion")
    objetivos = _texto("objetivos")
    actividades = _texto("actividades")
    indicadores = _texto("indicadores", 3)
    medios_verificacion = _texto("medios_verificacion", 3)
    resultados = _texto("resultados", 3)


class RevisionPracticaForm(forms.Form):
    resultado = forms.ChoiceField(
        label=_("Resultado de la revisión"),
        choices=[("publicar", _("Publicar en el catálogo")), ("observar", _("Observar (la municipalidad la corrige)"))],
        widget=forms.RadioSelect,
    )
    comentario = forms.CharField(
        label=_("Comentario para la municipalidad"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatorio al observar."),
    )


class FiltroPracticasForm(ConAnios):
    q = forms.CharField(label=_("Buscar"), required=False, max_length=200)
    linea = forms.TypedChoiceField(
        label=_("Línea de acción"),
        choices=[("", _("Todas")), *Linea.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    region = forms.ModelChoiceField(
        label=_("Región"), queryset=Region.objects.all(), required=False, empty_label=_("Todas")
    )
    anio = forms.TypedChoiceField(label=_("Año de inicio"), choices=(), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opciones("anio", anios(PRIMER_ANIO_PRACTICA))

"""Forms of the municipal seal pages. They only shape the input: every rule (dates, files,
states, permissions) is checked by the service the view calls, so these are plain forms
(a ModelForm would also run the model's constraints and write onto the instance)."""

from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import AccionPlan, Adhesion, Evidencia, Linea


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def campo(model: type[models.Model], nombre: str, **kwargs: Any) -> forms.Field:
    """The form field of a model field (its label, length and help text), without the model form."""
    field = model._meta.get_field(nombre)
    assert isinstance(field, models.Field)
    if isinstance(field, models.DateField):
        kwargs.setdefault("widget", FechaInput())
    formfield = field.formfield(**kwargs)
    assert formfield is not None
    return formfield


class TransicionForm(forms.Form):
    ACCIONES = ("iniciar_plan", "iniciar_implementacion", "solicitar_evaluacion")

    accion = forms.ChoiceField(choices=[(a, a) for a in ACCIONES], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comentario = forms.CharField(label=_("Comentario (opcional)"), required=False, max_length=2000)


class PlanEnviarForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AdhesionForm(forms.Form):
    fecha_adhesion = campo(Adhesion, "fecha_adhesion", required=True)
    acuerdo_concejo_numero = campo(Adhesion, "acuerdo_concejo_numero", required=True)
    acuerdo_concejo_fecha = campo(Adhesion, "acuerdo_concejo_fecha", required=True)
    encargado_nombre = campo(Adhesion, "encargado_nombre", required=True)
    encargado_cargo = campo(Adhesion, "encargado_cargo", required=True)
    encargado_email = campo(Adhesion, "encargado_email", required=True)
    # Empty files reach the service, which refuses them with its own message: one place
    # decides what an acceptable file is.
    carta_firmada = forms.FileField(
        label=_("Carta de compromiso firmada"),
        allow_empty_file=True,
        help_text=_("Escaneo de la carta firmada por el alcalde/sa (PDF, JPG o PNG)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AccionPlanForm(forms.Form):
    unidad_responsable = campo(AccionPlan, "unidad_responsable")
    fecha_inicio = campo(AccionPlan, "fecha_inicio")
    fecha_termino = campo(AccionPlan, "fecha_termino")
    indicador = campo(AccionPlan, "indicador")
    meta = campo(AccionPlan, "meta")
    no_aplica = campo(AccionPlan, "no_aplica")
    justificacion_no_aplica = campo(AccionPlan, "justificacion_no_aplica", widget=forms.Textarea(attrs={"rows": 3}))


class AccionNuevaForm(forms.Form):
    linea = forms.TypedChoiceField(label=_("Línea de compromiso"), choices=Linea.choices, coerce=int)
    nombre = campo(AccionPlan, "nombre")
    unidad_responsable = campo(AccionPlan, "unidad_responsable")
    fecha_inicio = campo(AccionPlan, "fecha_inicio")
    fecha_termino = campo(AccionPlan, "fecha_termino")
    indicador = campo(AccionPlan, "indicador")
    meta = campo(AccionPlan, "meta")


class EvidenciaForm(forms.Form):
    descripcion = forms.CharField(label=_("Descripción"), max_length=300)
    archivo = forms.FileField(
        label=_("Archivo"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPG, PNG, DOCX, XLSX u ODT. Adjunte un archivo o indique un enlace, no ambos."),
    )
    enlace = forms.CharField(
        label=_("Enlace"),
        required=False,
        max_length=500,
        help_text=_("Dirección web del medio de verificación (http o https)."),
    )
    reemplaza = forms.ModelChoiceField(
        label=_("Vuelve a presentar"),
        queryset=Evidencia.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=_("— No: es una evidencia nueva —"),
        help_text=_("Si esta evidencia corrige una observada, elíjala."),
    )

    def __init__(self, *args: Any, observadas: QuerySet[Evidencia], **kwargs: Any) -> None:
        """``observadas``: the action's observed evidence not yet re-submitted (already scoped)."""
        super().__init__(*args, **kwargs)
        if observadas.exists():
            reemplaza: Any = self.fields["reemplaza"]
            reemplaza.queryset = observadas
        else:
            del self.fields["reemplaza"]  # nothing to re-submit: a new piece of evidence

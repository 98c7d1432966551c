"""Forms of the case pages. They only shape the input: every rule (RUN check digit, subtype of
the type, consent, files, states, permissions) is checked by the service the view calls, so
these are plain forms (a ModelForm would also run the model's constraints and write onto the
instance)."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..flujo import TRANSICIONES
from ..models import CAMPOS_PERSONA, SUBTIPOS, Caso, Persona, TipoCaso

SEPARADOR_SUBTIPO = ":"


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def campo(model: type[models.Model], nombre: str, **kwargs: Any) -> forms.Field:
    """The form field of a model field (label, length, choices), without the model form."""
    field = model._meta.get_field(nombre)
    assert isinstance(field, models.Field)
    if isinstance(field, models.DateField):
        kwargs.setdefault("widget", FechaInput())
    formfield = field.formfield(**kwargs)
    assert formfield is not None
    return formfield


def subtipos_agrupados() -> list[tuple[Any, Any]]:
    """Subtypes grouped by their type. Codes repeat across types ("sexual", "salud"), so the
    option value carries its type: ``"violencia:sexual"``."""
    opciones: list[tuple[Any, Any]] = [("", _("Sin subtipo"))]
    for tipo in TipoCaso:
        opciones.append(
            (tipo.label, [(f"{tipo.value}{SEPARADOR_SUBTIPO}{codigo}", nombre) for codigo, nombre in SUBTIPOS[tipo]])
        )
    return opciones


def subtipo_valor(tipo: str, subtipo: str) -> str:
    return f"{tipo}{SEPARADOR_SUBTIPO}{subtipo}" if subtipo else ""


class DatosCasoForm(forms.Form):
    """The case's own data (shared by registration and draft edition)."""

    CAMPOS_CASO = (
        "tipo",
        "subtipo",
        "prioridad",
        "canal",
        "descripcion",
        "consentimiento",
        "consentimiento_fecha",
        "numero_solicitud_sermig",
    )

    tipo = campo(Caso, "tipo")
    subtipo = forms.ChoiceField(label=_("Subtipo"), required=False, choices=subtipos_agrupados)
    prioridad = campo(Caso, "prioridad")
    canal = campo(Caso, "canal")
    descripcion = campo(Caso, "descripcion", widget=forms.Textarea(attrs={"rows": 5}))
    consentimiento = forms.BooleanField(
        label=_("La persona dio su consentimiento informado"),
        required=False,
        help_text=_("Requerido para derivar el caso al SERMIG."),
    )
    consentimiento_fecha = campo(Caso, "consentimiento_fecha")
    numero_solicitud_sermig = campo(Caso, "numero_solicitud_sermig")

    def clean(self) -> dict[str, Any]:
        datos = super().clean() or {}
        # The option names its type: split it off, and refuse a subtype of another type
        # (the service checks the same rule on the code alone).
        tipo, _sep, codigo = (datos.get("subtipo") or "").partition(SEPARADOR_SUBTIPO)
        if codigo and datos.get("tipo") and tipo != datos["tipo"]:
            self.add_error("subtipo", _("El subtipo no corresponde al tipo de caso."))
        datos["subtipo"] = codigo
        return datos

    def datos_caso(self) -> dict[str, Any]:
        return {nombre: self.cleaned_data[nombre] for nombre in self.CAMPOS_CASO}


class CasoNuevoForm(DatosCasoForm):
    """The person and the case, in one form; the duplicate confirmation when the document is
    already registered in the comuna."""

    CAMPOS_PERSONA = CAMPOS_PERSONA

    nombres = campo(Persona, "nombres")
    apellidos = campo(Persona, "apellidos")
    tipo_documento = campo(Persona, "tipo_documento")
    numero_documento = campo(
        Persona, "numero_documento", help_text=_("RUN con o sin puntos y guion, por ejemplo 12.345.678-5.")
    )
    nacionalidad = campo(Persona, "nacionalidad")
    sexo = campo(Persona, "sexo")
    fecha_nacimiento = campo(Persona, "fecha_nacimiento", help_text=_("Si no se conoce, indique el tramo de edad."))
    tramo_edad = campo(Persona, "tramo_edad")
    telefono = campo(Persona, "telefono")
    email = campo(Persona, "email")
    confirmar_duplicado = forms.BooleanField(
        label=_("Confirmo que es otra persona o deseo usar la existente"), required=False
    )
    persona_existente = forms.UUIDField(label=_("Persona"), required=False)

    def campos_persona(self) -> list[forms.BoundField]:
        return [self[nombre] for nombre in self.CAMPOS_PERSONA]

    def campos_caso(self) -> list[forms.BoundField]:
        return [self[nombre] for nombre in self.CAMPOS_CASO]

    def datos_persona(self) -> dict[str, Any]:
        datos = {nombre: self.cleaned_data[nombre] for nombre in self.CAMPOS_PERSONA}
        datos["nacionalidad"] = str(datos["nacionalidad"] or "")
        return datos


class CasoEditarForm(DatosCasoForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AccionForm(forms.Form):
    """A workflow action, with the version the user saw. For "asignar", ``equipo`` lists the
    people it may be assigned to (empty: the user takes it)."""

    accion = forms.ChoiceField(choices=[(a, a) for a in TRANSICIONES], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comentario = forms.CharField(
        label=_("Comentario"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    asignado_a = forms.TypedChoiceField(label=_("Asignar a"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, equipo: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["asignado_a"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Yo tomo el caso"))] + [(u.pk, u.get_full_name() or u.username) for u in equipo or []]


class MensajeForm(forms.Form):
    texto = forms.CharField(label=_("Mensaje"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    # Empty files reach the service, which refuses them with its own message: one place
    # decides what an acceptable file is.
    adjunto = forms.FileField(
        label=_("Adjunto (opcional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPG, PNG, DOCX, XLSX u ODT."),
    )
    # Always part of the form: a municipal officer posting it is refused by the service
    # (403), not silently turned into a public message.
    interno = forms.BooleanField(label=_("Nota interna (solo visible para el SERMIG)"), required=False)

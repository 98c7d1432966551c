"""Forms of the training pages. They only shape the input: every rule (capacity, who may invite
or register whom, session dates, attendance before the session, the CSV's rows) is checked by
the service the view calls, so these are plain forms (a ModelForm would also run the model's
constraints and write onto the instance)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipios.models import Municipalidad, Rol
from municipios.scoping import scoped

from ..models import Audiencia, Capacitacion, EstadoAsistencia, Inscripcion, Sesion, Tema

MAX_CSV_BYTES = 1024 * 1024


def campo(model: type[models.Model], nombre: str, **kwargs: Any) -> forms.Field:
    """The form field of a model field (label, length, choices), without the model form."""
    field = model._meta.get_field(nombre)
    assert isinstance(field, models.Field)
    formfield = field.formfield(**kwargs)
    assert formfield is not None
    return formfield


class FechaHoraInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (works on phones, no JavaScript of ours)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class Cuando(models.TextChoices):
    PROXIMAS = "proximas", _("Próximas y en curso")
    REALIZADAS = "realizadas", _("Realizadas")


class FiltroForm(forms.Form):
    tema = forms.ChoiceField(label=_("Tema"), choices=[("", _("Todos los temas")), *Tema.choices], required=False)
    cuando = forms.ChoiceField(label=_("Fechas"), choices=[("", _("Todas")), *Cuando.choices], required=False)


class MunicipalidadesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.nombre} ({obj.comuna.region})"


class CapacitacionForm(forms.Form):
    titulo = campo(Capacitacion, "titulo")
    tema = forms.ChoiceField(label=_("Tema"), choices=Tema.choices)
    modalidad = campo(Capacitacion, "modalidad", widget=forms.RadioSelect)
    descripcion = campo(Capacitacion, "descripcion", widget=forms.Textarea(attrs={"rows": 4}))
    audiencias = forms.MultipleChoiceField(
        label=_("Unidades destinatarias"), choices=Audiencia.choices, widget=forms.CheckboxSelectMultiple
    )
    cupo = forms.IntegerField(
        label=_("Cupo"), min_value=1, help_text=_("Cuando se completa, se abre una lista de espera.")
    )
    horas = forms.DecimalField(
        label=_("Duración total (horas)"), max_digits=5, decimal_places=1, min_value=Decimal("0.5")
    )
    asistencia_minima = forms.IntegerField(
        label=_("Asistencia mínima para certificar (%)"),
        min_value=1,
        max_value=100,
        initial=75,
        help_text=_("Porcentaje de las sesiones al que debe asistir cada participante para recibir su certificado."),
    )
    invitadas = MunicipalidadesField(
        label=_("Municipalidades invitadas"),
        queryset=Municipalidad.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Mantenga presionada la tecla Ctrl (Cmd en Mac) para elegir varias."),
    )

    def __init__(self, *args: Any, usuario: Any, **kwargs: Any) -> None:
        """Invited municipalities are limited to the user's territory (a región's staff: its
        municipalities; national staff: all). A municipality organises for its own staff: it is
        invited by the service, there is nothing to choose."""
        super().__init__(*args, **kwargs)
        if getattr(usuario, "rol", "") == Rol.MUNICIPAL:
            del self.fields["invitadas"]
            return
        invitadas: Any = self.fields["invitadas"]
        invitadas.queryset = scoped(
            usuario,
            Municipalidad.objects.select_related("comuna__region").order_by("comuna__region_id", "nombre"),
            write=True,
        )

    def datos(self) -> dict[str, Any]:
        datos = dict(self.cleaned_data)
        datos["invitadas"] = list(datos.get("invitadas") or [])
        return datos


class SesionForm(forms.Form):
    inicio = campo(Sesion, "inicio", widget=FechaHoraInput())
    fin = campo(Sesion, "fin", widget=FechaHoraInput())
    lugar = campo(Sesion, "lugar", help_text=_("Dirección y sala, o el enlace de la videoconferencia."))


class InscripcionForm(forms.Form):
    nombre = campo(Inscripcion, "nombre")
    email = campo(Inscripcion, "email")
    run = campo(Inscripcion, "run", required=False, help_text=_("Opcional. Por ejemplo: 12.345.678-5."))
    institucion = campo(Inscripcion, "institucion")
    unidad = campo(Inscripcion, "unidad", required=False, help_text=_("Por ejemplo: DIDECO, OMIL, CESFAM."))
    municipalidad = forms.ChoiceField(label=_("Municipalidad"), required=False)

    def __init__(self, *args: Any, municipalidades: list[Municipalidad] | None, **kwargs: Any) -> None:
        """``municipalidades``: the invited ones, for the organiser to choose among; ``None`` when
        the municipality is forced (an invited municipality registers its own staff)."""
        super().__init__(*args, **kwargs)
        self._por_uuid = {str(m.uuid): m for m in municipalidades or []}
        if municipalidades is None:
            del self.fields["municipalidad"]
            return
        municipalidad: Any = self.fields["municipalidad"]
        municipalidad.choices = [("", _("— Ninguna (otra institución) —"))] + [
            (str(m.uuid), m.nombre) for m in municipalidades
        ]

    def clean_municipalidad(self) -> Municipalidad | None:
        return self._por_uuid.get(self.cleaned_data.get("municipalidad") or "")


class AsistenciaForm(forms.Form):
    """One radio group per registered participant; a participant left unmarked is not sent."""

    PREFIJO = "p"

    def __init__(self, *args: Any, participantes: list[Inscripcion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for inscripcion in participantes:
            self.fields[f"{self.PREFIJO}{inscripcion.pk}"] = forms.ChoiceField(
                label=inscripcion.nombre,
                choices=EstadoAsistencia.choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def campo_de(self, inscripcion: Inscripcion) -> forms.BoundField:
        return self[f"{self.PREFIJO}{inscripcion.pk}"]

    def marcas(self) -> dict[int, str]:
        return {int(nombre[len(self.PREFIJO) :]): estado for nombre, estado in self.cleaned_data.items() if estado}


class ImportarCsvForm(forms.Form):
    archivo = forms.FileField(
        label=_("Archivo CSV"),
        allow_empty_file=True,
        help_text=_("Columnas «correo» y «estado», separadas por punto y coma, en UTF-8 (máximo 1 MB)."),
    )

    def clean_archivo(self) -> Any:
        archivo = self.cleaned_data["archivo"]
        if archivo.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("El archivo supera 1 MB."))
        return archivo

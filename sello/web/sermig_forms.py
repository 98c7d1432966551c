"""Forms of the SERMIG seal pages (regional review, national decisions, the Comité Evaluador).

They only shape the input; every rule (who, which state, which version) is the service's.
"""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from municipios.models import Rol, Usuario

from ..models import Decision, EstadoEvidencia, Evaluacion, Linea

COMENTARIO_MAX = 4000


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RevisionEvidenciaForm(forms.Form):
    estado = forms.ChoiceField(
        label=_("Resultado de la revisión"),
        choices=[
            (EstadoEvidencia.ACEPTADA, _("Aceptar")),
            (EstadoEvidencia.OBSERVADA, _("Observar (la municipalidad la corrige)")),
            (EstadoEvidencia.RECHAZADA, _("Rechazar")),
        ],
        widget=forms.RadioSelect,
    )
    comentario = forms.CharField(
        label=_("Comentario para la municipalidad"),
        required=False,
        max_length=COMENTARIO_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatorio al observar o rechazar."),
    )
    version = _version()


class RevisionPlanForm(forms.Form):
    resultado = forms.ChoiceField(
        label=_("Resultado de la revisión"),
        choices=[("aprobar", _("Aprobar el plan")), ("observar", _("Observar el plan"))],
        widget=forms.RadioSelect,
    )
    comentario = forms.CharField(
        label=_("Comentario"),
        required=False,
        max_length=COMENTARIO_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatorio al observar."),
    )
    version = _version()


class EvaluadorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class AsignarEvaluadoresForm(forms.Form):
    evaluadores = EvaluadorChoiceField(
        label=_("Integrantes del Comité Evaluador"),
        queryset=Usuario.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Asigne al menos un evaluador/a.")},
    )
    version = _version()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campo: Any = self.fields["evaluadores"]
        # Members of the committee are national, not territorial: any active evaluador.
        campo.queryset = Usuario.objects.filter(is_active=True, rol=Rol.EVALUADOR).order_by(
            "last_name", "first_name", "username"
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decisión"), choices=Decision.choices, widget=forms.RadioSelect)
    resolucion_numero = forms.CharField(label=_("N° de resolución"), max_length=40)
    resolucion_fecha = forms.DateField(label=_("Fecha de la resolución"), widget=FechaInput())
    fundamento = forms.CharField(
        label=_("Fundamento"),
        required=False,
        max_length=COMENTARIO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatorio al observar o rechazar; la municipalidad lo verá como observaciones."),
    )
    version = _version()


class MotivoForm(forms.Form):
    motivo = forms.CharField(label=_("Motivo"), max_length=COMENTARIO_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class RetirarForm(MotivoForm):
    version = _version()


class EvaluacionForm(forms.Form):
    """A score 0-100 and a comment per line, a general comment, and "save draft" or "submit"."""

    ACCIONES = [("borrador", _("Guardar borrador")), ("enviar", _("Enviar evaluación"))]

    comentario_general = forms.CharField(
        label=_("Comentario general"),
        required=False,
        max_length=COMENTARIO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    accion = forms.ChoiceField(choices=ACCIONES, widget=forms.HiddenInput, initial="borrador")

    def __init__(self, *args: Any, evaluacion: Evaluacion, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                **{f"puntaje_{k}": v for k, v in evaluacion.puntajes.items()},
                **{f"comentario_{k}": v for k, v in evaluacion.comentarios.items()},
                "comentario_general": evaluacion.comentario_general,
            },
        )
        super().__init__(*args, **kwargs)
        for linea in Linea:
            self.fields[f"puntaje_{linea.value}"] = forms.DecimalField(
                label=_("Puntaje (0 a 100)"),
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                help_text=_("Obligatorio al enviar."),
            )
            self.fields[f"comentario_{linea.value}"] = forms.CharField(
                label=_("Comentario"),
                required=False,
                max_length=COMENTARIO_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def lineas(self) -> Iterator[tuple[str, forms.BoundField, forms.BoundField]]:
        """(line name, score field, comment field) for each of the five lines, for the template."""
        for linea in Linea:
            yield f"{linea.value}. {linea.label}", self[f"puntaje_{linea.value}"], self[f"comentario_{linea.value}"]

    def datos(self) -> dict[str, Any]:
        """The cleaned input in the shape ``evaluacion_registrar`` takes."""
        d = self.cleaned_data
        puntajes = {str(li.value): d[f"puntaje_{li.value}"] for li in Linea}
        comentarios = {str(li.value): d[f"comentario_{li.value}"] for li in Linea}
        return {
            "puntajes": {k: v for k, v in puntajes.items() if v is not None},
            "comentarios": {k: v for k, v in comentarios.items() if v},
            "comentario_general": d["comentario_general"],
            "enviar": d["accion"] == "enviar",
        }

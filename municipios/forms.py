from django import forms

from .models import Municipalidad
from .services import OFICINA_CAMPOS


class OficinaForm(forms.ModelForm[Municipalidad]):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Municipalidad
        fields = list(OFICINA_CAMPOS)

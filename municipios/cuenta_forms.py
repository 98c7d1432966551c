"""Forms of the account pages (second factor)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CodigoForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, ayuda: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codigo"].help_text = ayuda

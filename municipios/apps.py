from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipiosConfig(AppConfig):
    name = "municipios"
    verbose_name = _("Territorio y municipios")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstadisticasConfig(AppConfig):
    name = "estadisticas"
    verbose_name = _("Estadísticas")

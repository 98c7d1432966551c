from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelloConfig(AppConfig):
    name = "sello"
    verbose_name = _("Sello Migrante")

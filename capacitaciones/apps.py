from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacitacionesConfig(AppConfig):
    name = "capacitaciones"
    verbose_name = _("Capacitaciones")

    def ready(self) -> None:
        from sello import verificacion

        from .certificados import certificado_de_capacitacion

        # /verificar/<codigo>/ also answers for training certificates (after the seal's own).
        verificacion.registrar(certificado_de_capacitacion)

"""Account security wiring: the national admin of lockouts, API tokens and 2FA devices, and the
login signal receivers (session marks, 2FA flag).

An app config of its own, listed after the admin in ``INSTALLED_APPS``: its ``ready()`` runs
after the admin's autodiscovery, so it can replace the registrations django-axes, DRF and
django-otp make (superuser screens, some showing secrets) by national-staff ones.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CuentaConfig(AppConfig):
    name = "municipios.cuenta_apps"
    label = "cuenta"
    verbose_name = _("Seguridad de las cuentas")

    def ready(self) -> None:
        from . import cuenta_admin, cuenta_sesiones, dosfactores  # noqa: F401 - registrations, receivers

        cuenta_admin.registrar()

from typing import Any

from django.apps import AppConfig
from django.contrib.admin import AdminSite
from django.contrib.admin import apps as admin_apps
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


class SelloConfig(AppConfig):
    name = "sello"
    verbose_name = _("Sello Migrante")


class SitioAdmin(AdminSite):
    """The admin site of SERMIG staff: its landing page opens with their work queues, KPIs and
    charts (``sello.admin.sitio``) above the list of models.

    Defined here, not in ``sello.admin``: Django builds the default site while it autodiscovers
    the admin modules, and importing that package from here would register its models on a
    site that is then replaced."""

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from .admin.sitio import panel

        return super().index(request, {**(extra_context or {}), "panel": panel(request.user)})


class AdminSermigConfig(admin_apps.AdminConfig):
    """Django's admin with ``SitioAdmin`` as its default site."""

    default = False
    default_site = "sello.apps.SitioAdmin"

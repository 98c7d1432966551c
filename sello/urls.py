from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from capacitaciones import api as capacitaciones_api
from casos import api as casos_api
from estadisticas import api as estadisticas_api
from municipios import api as municipios_api
from municipios import cuenta

from . import views
from .api import sello as sello_api
from .api.auth import ObtainTokenView
from .web import publico as publico_urls

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("regiones", municipios_api.RegionViewSet, basename="region")
router.register("comunas", municipios_api.ComunaViewSet, basename="comuna")
router.register("municipios", municipios_api.MunicipalidadViewSet, basename="municipalidad")
router.register("adhesiones", sello_api.AdhesionViewSet, basename="adhesion")
router.register("evidencias", sello_api.EvidenciaViewSet, basename="evidencia")
router.register("casos", casos_api.CasoViewSet, basename="caso")
router.register("capacitaciones", capacitaciones_api.CapacitacionViewSet, basename="capacitacion")
router.register("dispositivos", capacitaciones_api.DispositivoViewSet, basename="dispositivo")
router.register("buenas-practicas", capacitaciones_api.BuenaPracticaViewSet, basename="buena-practica")
router.register("minutas", estadisticas_api.MinutaViewSet, basename="minuta")
router.register("estadisticas", estadisticas_api.EstadisticasViewSet, basename="estadisticas")

admin.site.site_header = "Sello Migrante · SERMIG"
admin.site.site_title = "Sello Migrante"
admin.site.index_title = "Administración"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("cuenta/2fa/", cuenta.dos_factores, name="dos_factores"),
    path("municipios/", include("municipios.urls")),
    path("sello/", include("sello.web.urls")),
    path("casos/", include("casos.urls")),
    path("capacitaciones/", include("capacitaciones.urls")),
    path("estadisticas/", include("estadisticas.urls")),
    path("", include((publico_urls.urlpatterns, "publico"))),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "sello.errors.handler404"
handler500 = "sello.errors.handler500"

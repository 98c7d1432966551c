"""URLs of the seal's pages: /sello/... (municipal and SERMIG sides). Public pages
(/verificar/, /registro/) are mounted at the root by ``sello.urls``."""

from . import certificados, municipal, notificaciones, sermig

app_name = "sello"

urlpatterns = [*municipal.urlpatterns, *sermig.urlpatterns, *notificaciones.urlpatterns, *certificados.urlpatterns]

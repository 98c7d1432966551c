"""URLs of trainings, operativos and good practices (/capacitaciones/...)."""

from .web import capacitaciones, certificados, dispositivos

app_name = "capacitaciones"

urlpatterns = [*capacitaciones.urlpatterns, *certificados.urlpatterns, *dispositivos.urlpatterns]

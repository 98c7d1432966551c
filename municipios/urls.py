from django.urls import path

from . import views

app_name = "municipios"

urlpatterns = [
    path("", views.municipalidad_list, name="list"),
    path("<uuid:uuid>/", views.municipalidad_detail, name="detail"),
    path("<uuid:uuid>/editar/", views.municipalidad_editar, name="editar"),
]

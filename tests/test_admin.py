"""The admin for SERMIG staff is region-scoped."""

import pytest

from municipios.models import Municipalidad

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_regional_changelist_is_scoped(regional) -> None:
    response = client_for(regional).get("/admin/municipios/municipalidad/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 52
    assert "Municipalidad de Valparaíso" not in response.content.decode()


def test_nacional_changelist_sees_all_and_searches(nacional) -> None:
    client = client_for(nacional)
    assert client.get("/admin/municipios/municipalidad/").context["cl"].result_count == 346
    response = client.get("/admin/municipios/municipalidad/", {"q": "13108"})
    assert response.context["cl"].result_count == 1


def test_changelist_queries_do_not_grow_with_rows(nacional, regional, django_assert_num_queries) -> None:
    client = client_for(nacional)
    with django_assert_num_queries(8):
        client.get("/admin/municipios/municipalidad/", {"comuna__region__cut__exact": "15"})
    with django_assert_num_queries(8):
        client.get("/admin/municipios/municipalidad/", {"comuna__region__cut__exact": "13"})


def test_regional_edits_in_its_region_with_history(regional, independencia) -> None:
    url = f"/admin/municipios/municipalidad/{independencia.pk}/change/"
    response = client_for(regional).post(
        url,
        {
            "contacto_regional": "",
            "alcalde_tratamiento": "alcalde",
            "alcalde_nombre": "Gonzalo Durán",
            "oficina_nombre": "Oficina Municipal de Migrantes",
            "oficina_dependencia": "DIDECO",
            "oficina_direccion": "",
            "oficina_telefono": "",
            "oficina_email": "",
            "encargado_nombre": "",
            "encargado_email": "",
            "encargado_telefono": "",
        },
    )
    assert response.status_code == 302
    independencia.refresh_from_db()
    assert independencia.oficina_nombre == "Oficina Municipal de Migrantes"
    assert independencia.version == 2
    assert independencia.history.latest().history_user == regional


@pytest.mark.parametrize("nombre", ["regional_otra", "evaluador"])
def test_others_cannot_edit_in_the_admin(nombre, persona, independencia) -> None:
    url = f"/admin/municipios/municipalidad/{independencia.pk}/change/"
    response = client_for(persona(nombre)).post(url, {"oficina_nombre": "Intrusa", "alcalde_tratamiento": ""})
    assert response.status_code in (302, 403)
    assert Municipalidad.objects.get(pk=independencia.pk).oficina_nombre == ""


def test_autocomplete_results_are_scoped(regional) -> None:
    response = client_for(regional).get(
        "/admin/autocomplete/",
        {"app_label": "municipios", "model_name": "usuario", "field_name": "municipalidad", "term": "val"},
    )
    assert response.status_code == 200
    textos = [r["text"] for r in response.json()["results"]]
    assert "Municipalidad de Valparaíso" not in textos


@pytest.mark.parametrize("nombre", ["evaluador", "regional", "nacional"])
def test_history_is_read_only_in_the_admin(nombre, persona, independencia) -> None:
    """A POST to simple-history's version page would revert the record, bypassing services."""
    independencia.oficina_nombre = "Primera"
    independencia.save()
    version = independencia.history.earliest()
    independencia.oficina_nombre = "Segunda"
    independencia.save()
    url = f"/admin/municipios/municipalidad/{independencia.pk}/history/{version.pk}/"
    response = client_for(persona(nombre)).post(url, {"oficina_nombre": "Primera", "alcalde_tratamiento": ""})
    assert response.status_code == 403
    assert Municipalidad.objects.get(pk=independencia.pk).oficina_nombre == "Segunda"

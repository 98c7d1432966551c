"""HTML pages of municipalities: list, detail and office edit, for every persona."""

import pytest
from django.urls import reverse

from municipios.models import Municipalidad

from .conftest import INDEPENDENCIA, client_for

pytestmark = pytest.mark.django_db

DATOS_VALIDOS = {
    "alcalde_nombre": "Gonzalo Durán",
    "alcalde_tratamiento": "alcalde",
    "oficina_nombre": "Oficina de Migrantes",
    "oficina_dependencia": "DIDECO",
    "oficina_direccion": "Av. Independencia 753",
    "oficina_telefono": "+56 2 2599 5000",
    "oficina_email": "migrantes@independencia.cl",
    "encargado_nombre": "Ignacio Pérez",
    "encargado_email": "ipérez@independencia.cl".replace("é", "e"),
    "encargado_telefono": "",
}


def snapshot(m: Municipalidad) -> dict[str, object]:
    m.refresh_from_db()
    return {f: getattr(m, f) for f in [*DATOS_VALIDOS, "version"]}


class TestList:
    def test_regional_sees_the_52_municipalities_of_its_region(self, regional) -> None:
        response = client_for(regional).get(reverse("municipios:list"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 52
        assert "Municipalidad de Independencia" in response.content.decode()
        assert "Municipalidad de Valparaíso" not in response.content.decode()

    def test_nacional_sees_all_and_filters(self, nacional) -> None:
        client = client_for(nacional)
        assert client.get(reverse("municipios:list")).context["page"].paginator.count == 346
        response = client.get(reverse("municipios:list"), {"region": "05"})
        assert response.context["page"].paginator.count == 38
        response = client.get(reverse("municipios:list"), {"q": "quilicura"})
        assert [m.comuna_id for m in response.context["page"]] == ["13125"]
        response = client.get(reverse("municipios:list"), {"provincia": "135"})
        assert response.context["page"].paginator.count == 5  # Melipilla

    def test_municipal_sees_only_its_own(self, municipal) -> None:
        response = client_for(municipal).get(reverse("municipios:list"))
        assert [m.comuna_id for m in response.context["page"]] == [INDEPENDENCIA]

    def test_bad_filter_values_are_not_a_500(self, nacional) -> None:
        response = client_for(nacional).get(reverse("municipios:list"), {"region": "99", "page": "x"})
        assert response.status_code == 200

    def test_anonymous_is_sent_to_login(self) -> None:
        response = client_for(None).get(reverse("municipios:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_query_count_does_not_grow_with_rows(self, nacional, django_assert_num_queries) -> None:
        client = client_for(nacional)
        url = reverse("municipios:list")
        # 1 session, 2 user (with municipalidad and región), 3 the región chosen in the filter,
        # 4 COUNT for the paginator, 5 región options and 6 provincia options of the filter
        # form, 7 the page of rows with comuna, provincia and región joined, 8 the unread
        # notifications shown in the navigation.
        with django_assert_num_queries(8):
            response = client.get(url, {"region": "15"})
        assert len(response.context["page"]) == 4
        with django_assert_num_queries(8):
            response = client.get(url, {"region": "13"})
        assert len(response.context["page"]) == 50
        with django_assert_num_queries(7):  # no región to look up
            response = client.get(url)
        assert len(response.context["page"]) == 50


class TestDetail:
    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional", "evaluador"])
    def test_it_shows_the_municipality(self, nombre, persona, independencia) -> None:
        response = client_for(persona(nombre)).get(reverse("municipios:detail", args=[independencia.uuid]))
        assert response.status_code == 200
        assert "Municipalidad de Independencia" in response.content.decode()

    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional_otra"])
    def test_it_hides_other_territories(self, nombre, persona, independencia) -> None:
        response = client_for(persona(nombre)).get(reverse("municipios:detail", args=[independencia.uuid]))
        assert response.status_code == 404
        assert "Independencia" not in response.content.decode()

    def test_edit_link_only_for_editors(self, municipal, evaluador, independencia) -> None:
        url = reverse("municipios:detail", args=[independencia.uuid])
        editar = reverse("municipios:editar", args=[independencia.uuid])
        assert editar in client_for(municipal).get(url).content.decode()
        assert editar not in client_for(evaluador).get(url).content.decode()

    def test_office_data_is_escaped(self, municipal, independencia) -> None:
        Municipalidad.objects.filter(pk=independencia.pk).update(oficina_nombre="<script>alert(1)</script>")
        body = client_for(municipal).get(reverse("municipios:detail", args=[independencia.uuid])).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


class TestEditar:
    @pytest.mark.parametrize("nombre", ["municipal", "regional", "nacional"])
    def test_it_works(self, nombre, persona, independencia) -> None:
        user = persona(nombre)
        url = reverse("municipios:editar", args=[independencia.uuid])
        response = client_for(user).post(url, {**DATOS_VALIDOS, "version": independencia.version})
        assert response.status_code == 302
        independencia.refresh_from_db()
        assert independencia.oficina_email == "migrantes@independencia.cl"
        assert independencia.version == 2
        ultimo = independencia.history.latest()
        assert ultimo.history_user == user
        assert ultimo.history_change_reason == "Actualización de datos de la oficina"

    @pytest.mark.parametrize(
        ("nombre", "status"), [("municipal_otra", 404), ("regional_otra", 404), ("evaluador", 403)]
    )
    def test_it_validates_ownership(self, nombre, status, persona, independencia) -> None:
        antes = snapshot(independencia)
        url = reverse("municipios:editar", args=[independencia.uuid])
        client = client_for(persona(nombre))
        assert client.get(url).status_code == status
        assert client.post(url, {**DATOS_VALIDOS, "version": 1}).status_code == status
        assert snapshot(independencia) == antes

    def test_anonymous_is_sent_to_login_and_nothing_changes(self, independencia) -> None:
        antes = snapshot(independencia)
        response = client_for(None).post(
            reverse("municipios:editar", args=[independencia.uuid]), {**DATOS_VALIDOS, "version": 1}
        )
        assert response.status_code == 302
        assert snapshot(independencia) == antes

    def test_it_refuses_bad_input_with_a_clear_message(self, municipal, independencia) -> None:
        antes = snapshot(independencia)
        response = client_for(municipal).post(
            reverse("municipios:editar", args=[independencia.uuid]),
            {**DATOS_VALIDOS, "oficina_email": "no-es-correo", "version": independencia.version},
        )
        assert response.status_code == 400
        assert "Introduzca una dirección de correo electrónico válida." in response.content.decode()
        assert snapshot(independencia) == antes

    def test_a_stale_edit_is_refused(self, municipal, regional, independencia) -> None:
        url = reverse("municipios:editar", args=[independencia.uuid])
        cargada = independencia.version
        assert client_for(regional).post(url, {**DATOS_VALIDOS, "version": cargada}).status_code == 302
        despues = snapshot(independencia)
        response = client_for(municipal).post(url, {**DATOS_VALIDOS, "oficina_nombre": "Otra", "version": cargada})
        assert response.status_code == 400
        assert "Otra persona modificó estos datos" in response.content.decode()
        assert snapshot(independencia) == despues

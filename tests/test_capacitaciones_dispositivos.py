"""Operativos (dispositivos territoriales): the list with totals and filters, recording one, its
page, what it contributes to the seal's line 4, and the admin of trainings and operativos.

Every page x persona (allowed, denied and nothing changed), the service's validations shown in
Spanish (subtotals above the total, a future date, a comuna outside the territory: 403), and
query counts that do not grow with the rows."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from capacitaciones.models import Capacitacion, DispositivoTerritorial, Sesion
from municipios.models import Municipalidad
from sello.models import Linea
from sello.puntaje import calcular

from .capacitaciones_fixtures import asistir, capacitacion, dispositivo, inscripcion
from .conftest import client_for

pytestmark = pytest.mark.django_db

LISTA = reverse("capacitaciones:dispositivos")
NUEVO = reverse("capacitaciones:dispositivo_nuevo")


def url_de(d: DispositivoTerritorial) -> str:
    return reverse("capacitaciones:dispositivo", kwargs={"uuid": d.uuid})


def al_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def estado() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return tuple(DispositivoTerritorial.objects.order_by("pk").values_list("pk", "comuna_id", "tipo", "mujeres", "nna"))


def datos(**extra: Any) -> dict[str, Any]:
    valores = {
        "tipo": "migraciones_en_tu_barrio",
        "fecha": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "lugar": "Sede vecinal Villa Los Héroes",
        "servicios": ["orientacion", "enrolamiento"],
        "instituciones": "SERMIG, Registro Civil",
        "mujeres": "30",
        "hombres": "25",
        "otros": "1",
        "nna": "10",
        "mayores_60": "5",
    }
    valores.update(extra)
    return {k: v for k, v in valores.items() if v is not None}


@pytest.fixture
def operativos(municipal, municipal_otra, municipal_valparaiso) -> dict[str, DispositivoTerritorial]:
    """One operativo in Independencia, Quilicura (same región) and Valparaíso."""
    return {
        "13108": dispositivo(municipal, "13108"),
        "13125": dispositivo(municipal_otra, "13125", tipo="apoya_mujer_migrante", mujeres=20, hombres=0, otros=0),
        "05101": dispositivo(municipal_valparaiso, "05101", lugar="Cerro Alegre"),
    }


# --- List -------------------------------------------------------------------------------------
class TestLista:
    @pytest.mark.parametrize(
        ("nombre", "comunas"),
        [
            ("municipal", ["13108"]),
            ("municipal_otra", ["13125"]),
            ("regional", ["13108", "13125"]),
            ("regional_otra", ["05101"]),
            ("nacional", ["05101", "13108", "13125"]),
        ],
    )
    def test_it_lists_the_territory_only(self, nombre, comunas, persona, operativos) -> None:
        response = client_for(persona(nombre)).get(LISTA)
        assert response.status_code == 200
        assert sorted(d.comuna_id for d in response.context["page"]) == comunas
        assert response.context["totales"]["operativos"] == len(comunas)

    def test_the_evaluador_and_users_without_a_role_are_refused(self, evaluador, sin_rol, operativos) -> None:
        for user in (evaluador, sin_rol):
            response = client_for(user).get(LISTA)
            assert response.status_code == 403
            assert "Plaza de armas" not in response.content.decode()
        assert al_login(client_for(None).get(LISTA))

    def test_totals_and_filters_by_type_and_year(self, municipal, regional) -> None:
        hoy = timezone.localdate()
        dispositivo(municipal, "13108", mujeres=10, hombres=5, otros=0, nna=3, mayores_60=1)
        dispositivo(municipal, "13108", tipo="apoya_mujer_migrante", mujeres=7, hombres=0, otros=1, nna=2, mayores_60=0)
        dispositivo(
            municipal, "13108", fecha=hoy.replace(year=hoy.year - 2), mujeres=1, hombres=1, otros=0, nna=0, mayores_60=0
        )
        client = client_for(regional)
        totales = client.get(LISTA).context["totales"]
        assert totales == {
            "operativos": 3,
            "mujeres": 18,
            "hombres": 6,
            "otros": 1,
            "nna": 5,
            "mayores_60": 1,
            "personas": 25,
        }
        por_tipo = client.get(LISTA, {"tipo": "apoya_mujer_migrante"}).context
        assert [d.tipo for d in por_tipo["page"]] == ["apoya_mujer_migrante"]
        assert por_tipo["totales"]["personas"] == 8
        por_anio = client.get(LISTA, {"anio": hoy.year - 2}).context
        assert por_anio["totales"]["operativos"] == 1
        assert por_anio["totales"]["personas"] == 2
        body = client.get(LISTA, {"anio": hoy.year - 2}).content.decode()
        assert '<dd data-total="personas">2</dd>' in body

    def test_a_bad_filter_is_shown_not_a_500(self, municipal, operativos) -> None:
        response = client_for(municipal).get(LISTA, {"anio": "dos mil", "tipo": "inexistente"})
        assert response.status_code == 200
        assert response.context["form"].errors.keys() == {"anio", "tipo"}
        assert response.context["totales"]["operativos"] == 1  # invalid filters are ignored

    def test_the_register_button_only_for_who_may_register(self, municipal, nacional) -> None:
        assert NUEVO in client_for(municipal).get(LISTA).content.decode()
        assert NUEVO in client_for(nacional).get(LISTA).content.decode()

    def test_query_count_does_not_grow_with_operativos(self, municipal, regional, django_assert_num_queries) -> None:
        dispositivo(municipal, "13108")
        clientes = [client_for(municipal), client_for(regional)]
        for client in clientes:
            # 1 session, 2 user (with its territory), 3 totals (aggregate), 4 paginator count,
            # 5 unread notifications (nav), 6 the page (comuna and región joined).
            with django_assert_num_queries(6):
                response = client.get(LISTA)
            assert len(response.context["page"]) == 1
        for n in range(30):
            dispositivo(municipal, "13108" if n % 2 else "13125", lugar=f"Lugar {n}")
        for client, filas in zip(clientes, (16, 25), strict=True):
            with django_assert_num_queries(6):
                response = client.get(LISTA)
            assert len(response.context["page"]) == filas


# --- Registration -----------------------------------------------------------------------------
class TestNuevo:
    def test_a_municipal_officer_records_in_its_own_comuna(self, municipal) -> None:
        client = client_for(municipal)
        form = client.get(NUEVO)
        assert form.status_code == 200
        assert "comuna" not in form.context["form"].fields  # its own comuna: nothing to choose
        # A posted comuna is ignored: its operativos are always in its comuna.
        response = client.post(NUEVO, datos(comuna="13125"))
        d = DispositivoTerritorial.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url_de(d)
        assert (d.comuna_id, d.tipo, d.total, d.nna, d.mayores_60) == ("13108", "migraciones_en_tu_barrio", 56, 10, 5)
        assert d.servicios == ["orientacion", "enrolamiento"]
        assert d.registrado_por == municipal
        page = client.get(response["Location"]).content.decode()
        assert "Operativo registrado." in page
        assert "Orientación, Enrolamiento biométrico" in page

    def test_regional_staff_choose_a_comuna_of_their_region(self, regional) -> None:
        client = client_for(regional)
        form = client.get(NUEVO)
        opciones = [
            v for grupo, valores in form.context["form"].fields["comuna"].widget.choices[1:] for v, _ in valores
        ]
        assert "13125" in opciones
        assert "05101" not in opciones
        assert len(opciones) == 52  # the 52 comunas of the Región Metropolitana
        response = client.post(NUEVO, datos(comuna="13125"))
        assert response.status_code == 302
        assert DispositivoTerritorial.objects.get().comuna_id == "13125"

    def test_a_comuna_outside_the_territory_is_forbidden(self, regional, operativos) -> None:
        antes = estado()
        response = client_for(regional).post(NUEVO, datos(comuna="05101"))
        assert response.status_code == 403
        assert "Solo puede registrar operativos en su territorio." in response.content.decode()
        assert estado() == antes

    def test_national_staff_record_anywhere(self, nacional) -> None:
        response = client_for(nacional).post(NUEVO, datos(comuna="05101", tipo="apoya_mujer_migrante"))
        assert response.status_code == 302
        assert DispositivoTerritorial.objects.get().comuna_id == "05101"

    def test_a_comuna_is_required_for_sermig_staff(self, nacional) -> None:
        response = client_for(nacional).post(NUEVO, datos())
        assert response.status_code == 400
        assert response.context["form"].errors.keys() == {"comuna"}
        assert not DispositivoTerritorial.objects.exists()

    @pytest.mark.parametrize(
        ("extra", "mensaje"),
        [
            (
                {"nna": "57"},
                "Los subtotales (NNA, 60 años o más) no pueden superar el total de personas atendidas.",
            ),
            (
                {"mayores_60": "100"},
                "Los subtotales (NNA, 60 años o más) no pueden superar el total de personas atendidas.",
            ),
            (
                {"fecha": (timezone.localdate() + timedelta(days=1)).isoformat()},
                "La fecha del operativo no puede ser futura.",
            ),
        ],
    )
    def test_the_services_rules_are_shown_and_nothing_is_written(self, extra, mensaje, municipal) -> None:
        response = client_for(municipal).post(NUEVO, datos(**extra))
        assert response.status_code == 400
        assert mensaje in response.content.decode()
        assert not DispositivoTerritorial.objects.exists()

    @pytest.mark.parametrize(
        ("extra", "campo"),
        [
            ({"mujeres": "-1"}, "mujeres"),
            ({"servicios": None}, "servicios"),
            ({"servicios": ["teletransporte"]}, "servicios"),
            ({"tipo": "otro_tipo"}, "tipo"),
            ({"lugar": ""}, "lugar"),
            ({"fecha": "31/02/2025"}, "fecha"),
            ({"hombres": "mil"}, "hombres"),
        ],
    )
    def test_bad_input_is_a_400_with_the_fields_error(self, extra, campo, municipal) -> None:
        response = client_for(municipal).post(NUEVO, datos(**extra))
        assert response.status_code == 400
        assert campo in response.context["form"].errors
        assert not DispositivoTerritorial.objects.exists()

    @pytest.mark.parametrize("nombre", ["evaluador", "sin_rol"])
    def test_the_evaluador_and_users_without_a_role_cannot(self, nombre, persona, regional) -> None:
        client = client_for(persona(nombre))
        assert client.get(NUEVO).status_code == 403
        assert client.post(NUEVO, datos(comuna="13108")).status_code == 403
        assert not DispositivoTerritorial.objects.exists()

    def test_anonymous_is_sent_to_login(self) -> None:
        assert al_login(client_for(None).post(NUEVO, datos(comuna="13108")))
        assert not DispositivoTerritorial.objects.exists()

    def test_a_regional_without_region_records_nothing(self, regional) -> None:
        regional.region = None
        regional.save()
        assert client_for(regional).post(NUEVO, datos(comuna="13108")).status_code == 403
        assert not DispositivoTerritorial.objects.exists()

    def test_text_is_escaped(self, municipal) -> None:
        client_for(municipal).post(NUEVO, datos(lugar="<script>alert(1)</script>"))
        body = client_for(municipal).get(url_de(DispositivoTerritorial.objects.get())).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body


# --- Detail -----------------------------------------------------------------------------------
class TestDetalle:
    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("municipal", 200),
            ("municipal_otra", 404),
            ("regional", 200),
            ("regional_otra", 404),
            ("nacional", 200),
            ("evaluador", 403),
        ],
    )
    def test_every_persona(self, nombre, status, persona, operativos) -> None:
        response = client_for(persona(nombre)).get(url_de(operativos["13108"]))
        assert response.status_code == status
        body = response.content.decode()
        assert ("Plaza de armas" in body) == (status == 200)
        if status == 200:
            assert "SERMIG, Registro Civil" in body
            assert "<strong>76</strong>" in body  # 40 + 35 + 1

    def test_anonymous_is_sent_to_login(self, operativos) -> None:
        assert al_login(client_for(None).get(url_de(operativos["13108"])))

    def test_an_unknown_uuid_is_a_404(self, municipal) -> None:
        url = reverse("capacitaciones:dispositivo", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
        assert client_for(municipal).get(url).status_code == 404


# --- The seal's line 4 ------------------------------------------------------------------------
class TestLinea4:
    def accion_41(self, resultado: Any) -> tuple[bool, list[str]]:
        linea = next(r for r in resultado.lineas if r.linea == Linea.REGULARIDAD)
        pendiente = any("Migraciones en tu barrio" in f.accion for f in linea.faltantes)
        return pendiente, linea.por_plataforma

    def test_an_operativo_in_the_comuna_makes_action_4_1_count(
        self, sello_independencia, municipal, municipal_otra, regional
    ) -> None:
        adhesion = sello_independencia.adhesion
        antes = calcular(adhesion)
        assert self.accion_41(antes) == (True, [])
        # Neither another type of operativo nor one in another comuna counts.
        dispositivo(municipal, "13108", tipo="apoya_mujer_migrante")
        dispositivo(municipal_otra, "13125")
        assert self.accion_41(calcular(adhesion)) == (True, [])
        # Given an operativo «Migraciones en tu barrio» recorded in Independencia through the page.
        response = client_for(regional).post(NUEVO, datos(comuna="13108"))
        assert response.status_code == 302
        despues = calcular(adhesion)
        pendiente, por_plataforma = self.accion_41(despues)
        assert not pendiente
        assert len(por_plataforma) == 1
        assert "1 operativo(s) «Migraciones en tu barrio» registrado(s) en la plataforma" in por_plataforma[0]
        linea_antes = next(r for r in antes.lineas if r.linea == Linea.REGULARIDAD)
        linea_despues = next(r for r in despues.lineas if r.linea == Linea.REGULARIDAD)
        assert linea_despues.cumplidas == linea_antes.cumplidas + 1
        assert despues.total > antes.total


# --- Admin ------------------------------------------------------------------------------------
ADMIN_DISPOSITIVOS = "/admin/capacitaciones/dispositivoterritorial/"
ADMIN_CAPACITACIONES = "/admin/capacitaciones/capacitacion/"


class TestAdminDispositivos:
    def test_the_changelist_is_region_scoped(self, operativos, regional, regional_otra, nacional, evaluador) -> None:
        def comunas(user: Any) -> list[str]:
            response = client_for(user).get(ADMIN_DISPOSITIVOS)
            assert response.status_code == 200
            return sorted(d.comuna_id for d in response.context["cl"].result_list)

        assert comunas(regional) == ["13108", "13125"]
        assert comunas(regional_otra) == ["05101"]
        assert comunas(nacional) == ["05101", "13108", "13125"]
        assert client_for(evaluador).get(ADMIN_DISPOSITIVOS).status_code == 403

    def test_search_and_filters(self, operativos, nacional) -> None:
        client = client_for(nacional)
        response = client.get(ADMIN_DISPOSITIVOS, {"q": "cerro alegre"})
        assert [d.comuna_id for d in response.context["cl"].result_list] == ["05101"]
        response = client.get(ADMIN_DISPOSITIVOS, {"tipo__exact": "apoya_mujer_migrante"})
        assert [d.comuna_id for d in response.context["cl"].result_list] == ["13125"]
        response = client.get(ADMIN_DISPOSITIVOS, {"comuna__region__cut__exact": "05"})
        assert [d.comuna_id for d in response.context["cl"].result_list] == ["05101"]

    def test_it_is_read_only(self, operativos, regional, nacional) -> None:
        d = operativos["13108"]
        url = f"{ADMIN_DISPOSITIVOS}{d.pk}/change/"
        page = client_for(regional).get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert url_de(d) in page.content.decode()
        antes = estado()
        for user in (regional, nacional):
            assert client_for(user).post(url, {"mujeres": 0, "nna": 0}).status_code == 403
            version = d.history.latest().pk
            assert client_for(user).post(f"{ADMIN_DISPOSITIVOS}{d.pk}/history/{version}/", {}).status_code == 403
        assert estado() == antes

    def test_changelist_queries_do_not_grow_with_rows(self, municipal, nacional, django_assert_num_queries) -> None:
        dispositivo(municipal, "13108")
        client = client_for(nacional)
        # 1 session, 2 user, 3 the región filter's choices, 4 COUNT filtered, 5 COUNT total,
        # 6-7 the user's and its groups' permissions (sidebar), 8 the page (comuna, región).
        with django_assert_num_queries(8):
            response = client.get(ADMIN_DISPOSITIVOS)
        assert response.context["cl"].result_count == 1
        for n in range(20):
            dispositivo(municipal, "13108", lugar=f"Lugar {n}")
        with django_assert_num_queries(8):
            response = client.get(ADMIN_DISPOSITIVOS)
        assert response.context["cl"].result_count == 21


class TestAdminCapacitaciones:
    @pytest.fixture
    def capacitaciones(self, regional, regional_otra, municipal, independencia) -> dict[str, Capacitacion]:
        rm = capacitacion(regional, invitadas=[independencia], titulo="Regional RM", sesiones_futuras=1)
        ana = inscripcion(rm, "Ana Pérez", "ana@independencia.cl", municipalidad=independencia)
        asistir(rm, ana, regional)
        return {
            "rm": rm,
            "municipal": capacitacion(municipal, titulo="Municipal Independencia"),
            "valpo": capacitacion(regional_otra, titulo="Regional Valparaíso"),
        }

    def test_the_changelist_is_scoped_like_the_pages(
        self, capacitaciones, regional, regional_otra, nacional, evaluador, municipal
    ) -> None:
        def titulos(user: Any) -> list[str]:
            response = client_for(user).get(ADMIN_CAPACITACIONES)
            assert response.status_code == 200
            return sorted(c.titulo for c in response.context["cl"].result_list)

        assert titulos(regional) == ["Municipal Independencia", "Regional RM"]
        assert titulos(regional_otra) == ["Regional Valparaíso"]
        assert titulos(nacional) == ["Municipal Independencia", "Regional RM", "Regional Valparaíso"]
        assert client_for(evaluador).get(ADMIN_CAPACITACIONES).status_code == 403
        assert client_for(municipal).get(ADMIN_CAPACITACIONES)["Location"].startswith("/admin/login/")

    def test_the_change_page_is_read_only_with_sessions_and_participants(self, capacitaciones, regional) -> None:
        rm = capacitaciones["rm"]
        response = client_for(regional).get(f"{ADMIN_CAPACITACIONES}{rm.pk}/change/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="_save"' not in body
        assert "ana@independencia.cl" in body
        assert "Salón municipal" in body
        assert "Independencia" in body  # the invited municipality
        antes = (Capacitacion.objects.get(pk=rm.pk).titulo, Sesion.objects.count())
        assert client_for(regional).post(f"{ADMIN_CAPACITACIONES}{rm.pk}/change/", {"titulo": "x"}).status_code == 403
        assert (Capacitacion.objects.get(pk=rm.pk).titulo, Sesion.objects.count()) == antes

    def test_another_region_gets_neither_the_object_nor_its_history(self, capacitaciones, regional_otra) -> None:
        rm = capacitaciones["rm"]
        client = client_for(regional_otra)
        assert client.get(f"{ADMIN_CAPACITACIONES}{rm.pk}/change/").status_code == 302
        for url in (
            f"{ADMIN_CAPACITACIONES}{rm.pk}/history/",
            f"{ADMIN_CAPACITACIONES}{rm.pk}/history/{rm.history.latest().pk}/",
        ):
            response = client.get(url)
            assert response.status_code == 403
            assert "Regional RM" not in response.content.decode()

    def test_search_by_invited_municipality_lists_each_training_once(self, capacitaciones, nacional) -> None:
        rm = capacitaciones["rm"]
        otra = Municipalidad.objects.get(comuna_id="13125")
        rm.invitaciones.create(municipalidad=otra)
        response = client_for(nacional).get(ADMIN_CAPACITACIONES, {"q": "Quilicura"})
        assert [c.titulo for c in response.context["cl"].result_list] == ["Regional RM"]

    def test_changelist_queries_do_not_grow_with_rows(
        self, capacitaciones, regional, independencia, django_assert_num_queries
    ) -> None:
        client = client_for(regional)
        # 1 session, 2 user, 3 the región filter's choices, 4 COUNT filtered, 5 COUNT total,
        # 6-7 the user's and its groups' permissions (sidebar), 8 the page (with counts).
        with django_assert_num_queries(8):
            response = client.get(ADMIN_CAPACITACIONES)
        assert response.context["cl"].result_count == 2
        for n in range(10):
            cap = capacitacion(regional, invitadas=[independencia], titulo=f"Otra {n}")
            inscripcion(cap, "Luis", f"luis{n}@independencia.cl", municipalidad=independencia)
        with django_assert_num_queries(8):
            response = client.get(ADMIN_CAPACITACIONES)
        assert response.context["cl"].result_count == 12

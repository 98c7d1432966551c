"""Good practices: the catalogue of published practices (full-text search in Spanish, filters by
line, región and year), a practice's page with SERMIG's catalogue fields, submission by a
municipality, "Mis prácticas", and SERMIG national's review (publish / observe), plus the admin.

Every page x persona (allowed, denied and nothing changed) and query counts that do not grow
with the rows."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from capacitaciones import selectors
from capacitaciones.models import BuenaPractica, EstadoPractica

from .capacitaciones_fixtures import practica
from .conftest import client_for

pytestmark = pytest.mark.django_db

CATALOGO = reverse("capacitaciones:practicas")
NUEVA = reverse("capacitaciones:practica_nueva")
MIAS = reverse("capacitaciones:practicas_mias")
REVISION = reverse("capacitaciones:practicas_revision")
CONSULTA = "Primera consulta ciudadana a personas migrantes y refugiadas"
MEDIADORES = "Programa de mediadores sociales interculturales"
PERSONAS_CON_ROL = ("municipal", "municipal_otra", "regional", "regional_otra", "nacional", "evaluador")


def url_de(p: BuenaPractica, suffix: str = "") -> str:
    return reverse("capacitaciones:practica", kwargs={"uuid": p.uuid}) + suffix


def al_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def estado() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return tuple(
        BuenaPractica.objects.order_by("pk").values_list(
            "pk", "estado", "publicada_en", "comentario_revision", "nombre", "comuna_id"
        )
    )


def nombres(response: Any) -> list[str]:
    return [fila.practica.nombre for fila in response.context["filas"]]


def datos(**extra: Any) -> dict[str, Any]:
    valores = {
        "nombre": "Mesa comunal intercultural",
        "anio_inicio": "2019",
        "responsable": "DIDECO",
        "lineas": ["1", "5"],
        "base_legal": "Decreto alcaldicio 1234",
        "descripcion": "Instancia de coordinación con organizaciones de migrantes.",
        "objetivos": "Coordinar la oferta municipal.",
        "actividades": "Sesiones mensuales.",
        "indicadores": "Sesiones realizadas.",
        "medios_verificacion": "Actas.",
        "resultados": "Plan comunal intercultural aprobado.",
    }
    valores.update(extra)
    return {k: v for k, v in valores.items() if v is not None}


@pytest.fixture
def catalogo(municipal, municipal_otra, municipal_valparaiso) -> dict[str, BuenaPractica]:
    """Published practices of Quilicura (two) and Valparaíso; Independencia's submitted, observed
    and draft ones are not in the catalogue."""
    consulta = practica(municipal_otra, "13125", nombre=CONSULTA)
    mediadores = practica(municipal_otra, "13125", nombre=MEDIADORES)
    BuenaPractica.objects.filter(pk=mediadores.pk).update(
        anio_inicio=2017,
        lineas=[1, 3],
        descripcion="Mediadores hablantes de creole acompañan a las familias en consultorios y escuelas.",
        objetivos="Reducir barreras idiomáticas.",
        actividades="Turnos en CESFAM.",
    )
    mediadores.refresh_from_db()
    valpo = practica(municipal_valparaiso, "05101", nombre="Oficina Municipal de Migrantes de Valparaíso")
    BuenaPractica.objects.filter(pk=valpo.pk).update(anio_inicio=2018, lineas=[1])
    return {
        "consulta": consulta,
        "mediadores": mediadores,
        "valpo": valpo,
        "enviada": practica(municipal, "13108", nombre="Ferias libres con orientación", estado="enviada"),
        "observada": practica(municipal, "13108", nombre="Escuela de español", estado="observada"),
        "borrador": practica(municipal, "13108", nombre="Borrador de Independencia", estado="borrador"),
    }


# --- Catalogue --------------------------------------------------------------------------------
class TestCatalogo:
    @pytest.mark.parametrize("nombre", PERSONAS_CON_ROL)
    def test_every_role_sees_only_published_practices(self, nombre, persona, catalogo) -> None:
        response = client_for(persona(nombre)).get(CATALOGO)
        assert response.status_code == 200
        assert sorted(nombres(response)) == sorted(
            [CONSULTA, MEDIADORES, "Oficina Municipal de Migrantes de Valparaíso"]
        )
        body = response.content.decode()
        assert "Ferias libres" not in body
        assert "Escuela de español" not in body

    def test_anonymous_and_users_without_a_role(self, sin_rol, catalogo) -> None:
        assert al_login(client_for(None).get(CATALOGO))
        response = client_for(sin_rol).get(CATALOGO)
        assert response.status_code == 403
        assert CONSULTA not in response.content.decode()

    def test_the_spanish_full_text_search(self, catalogo) -> None:
        encontradas = selectors.buenas_practicas_publicadas(texto="consulta migrantes")
        assert [p.nombre for p in encontradas] == [CONSULTA]
        # Stemming: "mediador" finds "mediadores"; accents as typed by users.
        assert [p.nombre for p in selectors.buenas_practicas_publicadas(texto="mediador")] == [MEDIADORES]

    def test_the_search_on_the_page(self, municipal, catalogo) -> None:
        client = client_for(municipal)
        # (Several words, stemmed, on PostgreSQL: test above; a substring elsewhere.)
        assert nombres(client.get(CATALOGO, {"q": "consulta"})) == [CONSULTA]
        # A submitted practice is never found, even by its exact name.
        response = client.get(CATALOGO, {"q": "Ferias libres"})
        assert nombres(response) == []
        assert "No hay prácticas publicadas que coincidan con la búsqueda." in response.content.decode()

    def test_filters_by_line_region_and_year(self, regional_otra, catalogo) -> None:
        client = client_for(regional_otra)
        assert sorted(nombres(client.get(CATALOGO, {"linea": 1}))) == [
            "Oficina Municipal de Migrantes de Valparaíso",
            MEDIADORES,
        ]
        assert nombres(client.get(CATALOGO, {"linea": 5})) == [CONSULTA]
        assert nombres(client.get(CATALOGO, {"region": "05"})) == ["Oficina Municipal de Migrantes de Valparaíso"]
        assert nombres(client.get(CATALOGO, {"anio": 2017})) == [MEDIADORES]
        assert nombres(client.get(CATALOGO, {"region": "13", "linea": 3, "q": "creole"})) == [MEDIADORES]

    def test_bad_filters_are_shown_not_a_500(self, municipal, catalogo) -> None:
        response = client_for(municipal).get(CATALOGO, {"linea": "9", "region": "99", "anio": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors.keys() == {"linea", "region", "anio"}
        assert len(nombres(response)) == 3

    def test_query_count_does_not_grow_with_practices(
        self, municipal_otra, evaluador, catalogo, django_assert_num_queries
    ) -> None:
        client = client_for(evaluador)
        # 1 session, 2 user, 3 paginator count, 4 the page (comuna and región joined),
        # 5 unread notifications (nav), 6 the región filter's choices.
        with django_assert_num_queries(6):
            response = client.get(CATALOGO, {"q": "migrantes"})
        assert len(nombres(response)) >= 1
        for n in range(30):
            practica(municipal_otra, "13125", nombre=f"Práctica de migrantes {n}")
        with django_assert_num_queries(6):
            response = client.get(CATALOGO, {"q": "migrantes"})
        assert len(nombres(response)) == 25


# --- A practice's page ------------------------------------------------------------------------
class TestDetalle:
    @pytest.mark.parametrize("nombre", PERSONAS_CON_ROL)
    def test_a_published_practice_for_every_role_with_all_its_fields(self, nombre, persona, catalogo) -> None:
        p = catalogo["consulta"]
        BuenaPractica.objects.filter(pk=p.pk).update(
            base_legal="Ley 18.695", indicadores="Participantes", medios_verificacion="Actas", resultados="Informe"
        )
        response = client_for(persona(nombre)).get(url_de(p))
        assert response.status_code == 200
        body = response.content.decode()
        for texto in (
            CONSULTA,
            "2016",
            "Oficina de Migrantes y Refugiados",
            "Ley 18.695",
            "Proceso participativo con personas migrantes",
            "Conocer las necesidades",
            "Mesas territoriales",
            "Participantes",
            "Actas",
            "Informe",
            "Asociatividad y participación",
            "Quilicura",
        ):
            assert texto in body, texto
        assert "Revisión de la coordinación nacional" not in body

    @pytest.mark.parametrize(
        ("nombre", "status"),
        [
            ("municipal", 200),
            ("municipal_otra", 404),
            ("regional", 200),
            ("regional_otra", 404),
            ("nacional", 200),
            ("evaluador", 404),
        ],
    )
    def test_an_unpublished_practice_only_within_the_territory(self, nombre, status, persona, catalogo) -> None:
        response = client_for(persona(nombre)).get(url_de(catalogo["enviada"]))
        assert response.status_code == status
        assert ("Ferias libres con orientación" in response.content.decode()) == (status == 200)
        # National staff get the review form; nobody else does.
        assert ("Revisión de la coordinación nacional" in response.content.decode()) == (nombre == "nacional")

    def test_anonymous_is_sent_to_login(self, catalogo) -> None:
        assert al_login(client_for(None).get(url_de(catalogo["consulta"])))


# --- Submission -------------------------------------------------------------------------------
class TestNueva:
    def test_a_municipal_officer_submits_for_review(self, municipal, nacional) -> None:
        client = client_for(municipal)
        assert client.get(NUEVA).status_code == 200
        response = client.post(NUEVA, datos())
        assert response.status_code == 302
        assert response["Location"] == MIAS
        p = BuenaPractica.objects.get()
        assert (p.estado, p.comuna_id, p.lineas, p.anio_inicio, p.enviada_por) == (
            EstadoPractica.ENVIADA,
            "13108",
            [1, 5],
            2019,
            municipal,
        )
        assert p.resultados == "Plan comunal intercultural aprobado."
        mias = client.get(MIAS)
        assert nombres(mias) == ["Mesa comunal intercultural"]
        assert "Enviada a revisión" in mias.content.decode()
        # Not in the catalogue until published; in the national queue.
        assert nombres(client.get(CATALOGO)) == []
        assert nombres(client_for(nacional).get(REVISION)) == ["Mesa comunal intercultural"]

    def test_the_services_rules_are_shown(self, municipal) -> None:
        response = client_for(municipal).post(NUEVA, datos(anio_inicio=str(timezone.localdate().year + 1)))
        assert response.status_code == 400
        assert "El año de inicio no es válido." in response.content.decode()
        assert not BuenaPractica.objects.exists()

    @pytest.mark.parametrize(
        ("extra", "campo"),
        [
            ({"lineas": None}, "lineas"),
            ({"lineas": ["7"]}, "lineas"),
            ({"anio_inicio": "1800"}, "anio_inicio"),
            ({"descripcion": ""}, "descripcion"),
            ({"objetivos": "x" * 9000}, "objetivos"),
        ],
    )
    def test_bad_input_is_a_400(self, extra, campo, municipal) -> None:
        response = client_for(municipal).post(NUEVA, datos(**extra))
        assert response.status_code == 400
        assert campo in response.context["form"].errors
        assert not BuenaPractica.objects.exists()

    @pytest.mark.parametrize("nombre", ["regional", "regional_otra", "nacional", "evaluador", "sin_rol"])
    def test_only_municipalities_submit(self, nombre, persona) -> None:
        client = client_for(persona(nombre))
        assert client.get(NUEVA).status_code == 403
        assert client.post(NUEVA, datos()).status_code == 403
        assert not BuenaPractica.objects.exists()

    def test_anonymous_is_sent_to_login(self) -> None:
        assert al_login(client_for(None).post(NUEVA, datos()))
        assert not BuenaPractica.objects.exists()

    def test_an_observed_practice_is_corrected_and_submitted_again(self, municipal, catalogo) -> None:
        observada = catalogo["observada"]
        BuenaPractica.objects.filter(pk=observada.pk).update(comentario_revision="Agregue los indicadores.")
        client = client_for(municipal)
        page = client.get(url_de(observada)).content.decode()
        assert "Agregue los indicadores." in page
        enlace = f"{NUEVA}?desde={observada.uuid}"
        assert enlace in page
        form = client.get(enlace).context["form"]
        assert form.initial["nombre"] == "Escuela de español"
        assert form.initial["lineas"] == [5]
        assert client.post(NUEVA, datos(nombre="Escuela de español", indicadores="Alumnos")).status_code == 302
        assert BuenaPractica.objects.filter(nombre="Escuela de español", estado="enviada").count() == 1

    def test_starting_from_another_municipalitys_practice_is_a_404(self, municipal_otra, catalogo) -> None:
        client = client_for(municipal_otra)
        assert client.get(f"{NUEVA}?desde={catalogo['observada'].uuid}").status_code == 404
        assert client.get(f"{NUEVA}?desde=no-es-un-uuid").status_code == 404


# --- Mis prácticas ----------------------------------------------------------------------------
class TestMias:
    def test_the_municipalitys_practices_in_every_state(self, municipal, municipal_otra, catalogo) -> None:
        assert sorted(nombres(client_for(municipal).get(MIAS))) == [
            "Borrador de Independencia",
            "Escuela de español",
            "Ferias libres con orientación",
        ]
        assert sorted(nombres(client_for(municipal_otra).get(MIAS))) == [CONSULTA, MEDIADORES]

    @pytest.mark.parametrize("nombre", ["regional", "regional_otra", "nacional", "evaluador", "sin_rol"])
    def test_only_for_municipal_officers(self, nombre, persona, catalogo) -> None:
        response = client_for(persona(nombre)).get(MIAS)
        assert response.status_code == 403
        assert "Ferias libres" not in response.content.decode()

    def test_query_count_does_not_grow(self, municipal, django_assert_num_queries) -> None:
        practica(municipal, "13108", nombre="Primera", estado="enviada")
        client = client_for(municipal)
        # 1 session, 2 user (with its municipality), 3 paginator count, 4 the page, 5 notifications.
        with django_assert_num_queries(5):
            response = client.get(MIAS)
        assert len(nombres(response)) == 1
        for n in range(30):
            practica(municipal, "13108", nombre=f"Práctica {n}", estado="enviada")
        with django_assert_num_queries(5):
            response = client.get(MIAS)
        assert len(nombres(response)) == 25


# --- National review --------------------------------------------------------------------------
class TestRevision:
    def test_the_queue_lists_submitted_practices_oldest_first(self, nacional, municipal_otra, catalogo) -> None:
        otra = practica(municipal_otra, "13125", nombre="Huertos comunitarios", estado="enviada")
        response = client_for(nacional).get(REVISION)
        assert response.status_code == 200
        assert nombres(response) == ["Ferias libres con orientación", otra.nombre]

    @pytest.mark.parametrize("nombre", ["municipal", "municipal_otra", "regional", "regional_otra", "evaluador"])
    def test_the_queue_is_national_only(self, nombre, persona, catalogo) -> None:
        response = client_for(persona(nombre)).get(REVISION)
        assert response.status_code == 403
        assert "Ferias libres" not in response.content.decode()

    def test_publish(self, nacional, municipal, catalogo) -> None:
        enviada = catalogo["enviada"]
        response = client_for(nacional).post(url_de(enviada, "revisar/"), {"resultado": "publicar"})
        assert response.status_code == 302
        assert response["Location"] == REVISION
        enviada.refresh_from_db()
        assert enviada.estado == EstadoPractica.PUBLICADA
        assert enviada.publicada_en is not None
        assert "Ferias libres con orientación" in nombres(client_for(municipal).get(CATALOGO))
        assert nombres(client_for(nacional).get(REVISION)) == []

    def test_observe(self, nacional, municipal, catalogo) -> None:
        enviada = catalogo["enviada"]
        client = client_for(nacional)
        response = client.post(
            url_de(enviada, "revisar/"), {"resultado": "observar", "comentario": "Falta la base legal."}
        )
        assert response.status_code == 302
        enviada.refresh_from_db()
        assert (enviada.estado, enviada.comentario_revision) == (EstadoPractica.OBSERVADA, "Falta la base legal.")
        page = client_for(municipal).get(url_de(enviada)).content.decode()
        assert "Falta la base legal." in page
        assert "Corregir y volver a enviar" in page

    def test_observing_needs_a_comment_and_nothing_changes(self, nacional, catalogo) -> None:
        antes = estado()
        response = client_for(nacional).post(url_de(catalogo["enviada"], "revisar/"), {"resultado": "observar"})
        assert response.status_code == 400
        assert "Indique las observaciones." in response.content.decode()
        assert estado() == antes

    def test_a_bad_form_is_a_400(self, nacional, catalogo) -> None:
        antes = estado()
        response = client_for(nacional).post(url_de(catalogo["enviada"], "revisar/"), {"resultado": "borrar"})
        assert response.status_code == 400
        assert estado() == antes

    @pytest.mark.parametrize("cual", ["consulta", "observada", "borrador"])
    def test_only_submitted_practices_are_reviewed(self, cual, nacional, catalogo) -> None:
        antes = estado()
        response = client_for(nacional).post(url_de(catalogo[cual], "revisar/"), {"resultado": "publicar"})
        assert response.status_code == 409
        assert "La práctica no está enviada a revisión." in response.content.decode()
        assert estado() == antes

    @pytest.mark.parametrize(
        "nombre", ["municipal", "municipal_otra", "regional", "regional_otra", "evaluador", "sin_rol"]
    )
    def test_nobody_else_publishes(self, nombre, persona, catalogo) -> None:
        antes = estado()
        client = client_for(persona(nombre))
        for resultado in ("publicar", "observar"):
            response = client.post(
                url_de(catalogo["enviada"], "revisar/"), {"resultado": resultado, "comentario": "Bien"}
            )
            assert response.status_code == 403
        assert estado() == antes

    def test_anonymous_and_get(self, nacional, catalogo) -> None:
        antes = estado()
        url = url_de(catalogo["enviada"], "revisar/")
        assert client_for(None).post(url, {"resultado": "publicar"}).status_code == 302
        assert client_for(nacional).get(url).status_code == 405
        assert estado() == antes

    def test_query_count_does_not_grow(self, nacional, municipal, django_assert_num_queries) -> None:
        practica(municipal, "13108", nombre="Primera", estado="enviada")
        client = client_for(nacional)
        # 1 session, 2 user, 3 paginator count, 4 the page (comuna and región), 5 notifications.
        with django_assert_num_queries(5):
            response = client.get(REVISION)
        assert len(nombres(response)) == 1
        for n in range(30):
            practica(municipal, "13108", nombre=f"Práctica {n}", estado="enviada")
        with django_assert_num_queries(5):
            response = client.get(REVISION)
        assert len(nombres(response)) == 25


# --- Admin ------------------------------------------------------------------------------------
ADMIN = "/admin/capacitaciones/buenapractica/"


class TestAdmin:
    def test_scoped_read_only_with_filters(
        self, catalogo, regional, regional_otra, nacional, evaluador, django_assert_num_queries
    ) -> None:
        def listadas(user: Any, **params: Any) -> list[str]:
            response = client_for(user).get(ADMIN, params)
            assert response.status_code == 200
            return sorted(p.nombre for p in response.context["cl"].result_list)

        assert len(listadas(regional)) == 5
        assert listadas(regional_otra) == ["Oficina Municipal de Migrantes de Valparaíso"]
        assert len(listadas(nacional)) == 6
        assert listadas(nacional, estado__exact="enviada") == ["Ferias libres con orientación"]
        assert listadas(nacional, q="mediadores") == [MEDIADORES]
        assert client_for(evaluador).get(ADMIN).status_code == 403
        enviada = catalogo["enviada"]
        url = f"{ADMIN}{enviada.pk}/change/"
        page = client_for(nacional).get(url).content.decode()
        assert 'name="_save"' not in page
        assert url_de(enviada) in page
        antes = estado()
        assert client_for(nacional).post(url, {"estado": "publicada"}).status_code == 403
        assert client_for(regional_otra).get(url).status_code == 302
        assert estado() == antes

    def test_changelist_queries_do_not_grow_with_rows(self, municipal, regional, django_assert_num_queries) -> None:
        practica(municipal, "13108", nombre="Primera", estado="enviada")
        client = client_for(regional)
        # 1 session, 2 user, 3 the región filter's choices, 4 COUNT filtered, 5 COUNT total,
        # 6-7 the user's and its groups' permissions (sidebar), 8 the page (comuna, región),
        # 9 the years of the year filter (distinct values within the scope).
        with django_assert_num_queries(9):
            response = client.get(ADMIN)
        assert response.context["cl"].result_count == 1
        for n in range(20):
            practica(municipal, "13108", nombre=f"Práctica {n}")
        with django_assert_num_queries(9):
            response = client.get(ADMIN)
        assert response.context["cl"].result_count == 21

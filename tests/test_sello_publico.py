"""Public pages (certificate verification, registry of seals in force), the certificate PDF
download and the user's notifications, for every persona."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from municipios.models import Municipalidad
from sello import verificacion
from sello.models import Archivo, Certificado, EstadoSello, Notificacion

from .conftest import PERSONAS, client_for
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db


@pytest.fixture
def todas_las_personas(municipal, municipal_otra, regional, regional_otra, nacional, evaluador) -> None:
    return None


def url_verificar(certificado: Certificado) -> str:
    return reverse("publico:verificar", kwargs={"codigo": certificado.codigo})


class TestVerificar:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_it_shows_a_valid_certificate_and_only_what_it_states(
        self, nombre, persona, todas_las_personas, sello_quilicura
    ) -> None:
        certificado = sello_quilicura.certificado

        response = client_for(persona(nombre)).get(url_verificar(certificado))

        assert response.status_code == 200
        body = response.content.decode()
        assert "Certificado válido y vigente." in body
        assert "Municipalidad de Quilicura" in body
        assert "Región Metropolitana de Santiago" in body
        assert "REX 1234" in body
        assert f"{certificado.vigente_hasta:%-d/%m/%Y}" in body
        # Nothing of the adhesion beyond the certificate: no officer, no plan, no evidence.
        assert "Encargada de prueba" not in body
        assert "123/2025" not in body
        assert "DIDECO" not in body

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_a_bogus_code_is_a_404_that_says_not_valid(self, nombre, persona, todas_las_personas) -> None:
        response = client_for(persona(nombre)).get("/verificar/no-existe-este-codigo/")

        assert response.status_code == 404
        assert "no es válido" in response.content.decode()
        assert "Certificado no válido" in response.content.decode()

    @pytest.mark.parametrize("codigo", ["x" * 41, "a.b", "%3Cscript%3E", "ñandú"])
    def test_malformed_codes_are_not_looked_up(self, codigo, django_assert_num_queries) -> None:
        with django_assert_num_queries(0):
            response = client_for(None).get(f"/verificar/{codigo}/")
        assert response.status_code == 404
        assert "no es válido" in response.content.decode()

    def test_a_revoked_certificate_says_revoked_with_its_date(self, sello_quilicura) -> None:
        certificado = sello_quilicura.certificado
        certificado.revocado_en = timezone.now() - timedelta(days=3)
        certificado.save()

        response = client_for(None).get(url_verificar(certificado))

        assert response.status_code == 200
        body = response.content.decode()
        fecha = timezone.localtime(certificado.revocado_en)
        assert f"Certificado revocado el {fecha:%-d/%m/%Y}" in body
        assert "Certificado válido" not in body

    def test_a_certificate_past_its_date_says_expired(self, sello_quilicura) -> None:
        certificado = sello_quilicura.certificado
        certificado.vigente_hasta = timezone.localdate() - timedelta(days=1)
        certificado.save()

        body = client_for(None).get(url_verificar(certificado)).content.decode()

        assert "Certificado vencido" in body
        assert "Certificado válido" not in body

    @pytest.mark.parametrize("estado", [EstadoSello.VENCIDA, EstadoSello.RETIRADA])
    def test_a_closed_seal_says_expired_even_before_the_date(self, estado, sello_quilicura) -> None:
        sello_quilicura.adhesion.estado = estado
        sello_quilicura.adhesion.save()

        body = client_for(None).get(url_verificar(sello_quilicura.certificado)).content.decode()

        assert "Certificado vencido" in body

    def test_it_costs_one_query_and_is_never_cached(self, sello_quilicura, django_assert_num_queries) -> None:
        with django_assert_num_queries(1):  # the certificate with its adhesion's state
            response = client_for(None).get(url_verificar(sello_quilicura.certificado))
        assert "no-cache" in response["Cache-Control"]
        assert "max-age=0" in response["Cache-Control"]

    def test_other_kinds_of_certificate_plug_in(self) -> None:
        hoy = timezone.localdate()

        def capacitacion(codigo: str) -> verificacion.Verificacion | None:
            if codigo != "CAP-0001":
                return None
            return verificacion.Verificacion(
                tipo="Capacitación en gestión migratoria",
                titular="Ana Pruebas",
                region="Región de Valparaíso",
                resolucion_numero="Curso 7",
                vigente_hasta=hoy,
                estado=verificacion.EstadoCertificado.VALIDO,
            )

        verificacion.registrar(capacitacion)
        verificacion.registrar(capacitacion)  # registering twice is harmless
        try:
            body = client_for(None).get("/verificar/CAP-0001/").content.decode()
        finally:
            verificacion._buscadores.remove(capacitacion)

        assert "Capacitación en gestión migratoria" in body
        assert "Ana Pruebas" in body
        assert capacitacion not in verificacion._buscadores


class TestVerificarForm:
    def test_it_shows_the_form(self) -> None:
        response = client_for(None).get(reverse("publico:verificar_form"))

        assert response.status_code == 200
        assert 'name="codigo"' in response.content.decode()

    def test_a_code_redirects_to_its_page(self) -> None:
        response = client_for(None).get(reverse("publico:verificar_form"), {"codigo": "  abc_DEF-123 "})

        assert response.status_code == 302
        assert response["Location"] == "/verificar/abc_DEF-123/"

    def test_a_pasted_verification_url_is_understood(self) -> None:
        response = client_for(None).get(
            reverse("publico:verificar_form"), {"codigo": "https://sello.example.cl/verificar/abc123/?x=1"}
        )

        assert response["Location"] == "/verificar/abc123/"

    @pytest.mark.parametrize("codigo", ["", "<script>", "a b"])
    def test_an_invalid_code_is_refused_with_a_message(self, codigo) -> None:
        response = client_for(None).get(reverse("publico:verificar_form"), {"codigo": codigo})

        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()


def certificar(cut: str, municipal) -> Certificado:
    municipalidad = Municipalidad.objects.select_related("comuna__region").get(comuna_id=cut)
    sello = construir(municipalidad, EstadoSello.CERTIFICADA, municipal=municipal)
    assert sello.certificado is not None
    return sello.certificado


class TestRegistro:
    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_it_lists_seals_in_force_to_everybody(
        self, nombre, persona, todas_las_personas, sello_quilicura, sello_independencia
    ) -> None:
        response = client_for(persona(nombre)).get(reverse("publico:registro"))

        assert response.status_code == 200
        assert [c.codigo for c in response.context["certificados"]] == [sello_quilicura.certificado.codigo]
        body = response.content.decode()
        assert url_verificar(sello_quilicura.certificado) in body
        assert "Municipalidad de Independencia" not in body  # in implementation: no seal yet
        assert "próximamente" not in body

    def test_revoked_expired_and_closed_seals_are_not_listed(self, municipal) -> None:
        revocado = certificar("13101", municipal)
        revocado.revocado_en = timezone.now()
        revocado.save()
        vencido = certificar("13120", municipal)
        vencido.vigente_hasta = timezone.localdate() - timedelta(days=1)
        vencido.save()
        cerrado = certificar("13501", municipal)
        cerrado.adhesion.estado = EstadoSello.VENCIDA
        cerrado.adhesion.save()
        pendiente = certificar("13502", municipal)
        pendiente.adhesion.estado = EstadoSello.REVALIDACION_PENDIENTE
        pendiente.adhesion.save()

        response = client_for(None).get(reverse("publico:registro"))

        assert [c.codigo for c in response.context["certificados"]] == [pendiente.codigo]

    def test_it_filters_by_region(self, municipal, municipal_valparaiso, sello_quilicura) -> None:
        valparaiso = certificar("05101", municipal_valparaiso)
        client = client_for(None)

        assert [c.codigo for c in client.get("/registro/", {"region": "05"}).context["certificados"]] == [
            valparaiso.codigo
        ]
        assert [c.codigo for c in client.get("/registro/", {"region": "13"}).context["certificados"]] == [
            sello_quilicura.certificado.codigo
        ]
        # North to south: Valparaíso (V) before the Región Metropolitana.
        assert [c.codigo for c in client.get("/registro/", {"region": ""}).context["certificados"]] == [
            valparaiso.codigo,
            sello_quilicura.certificado.codigo,
        ]

    def test_an_unknown_region_is_refused_and_the_whole_list_shown(self, sello_quilicura) -> None:
        response = client_for(None).get("/registro/", {"region": "99"})

        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert len(response.context["certificados"]) == 1

    def test_query_count_does_not_grow_with_rows(self, municipal, django_assert_num_queries) -> None:
        client = client_for(None)
        certificar("13101", municipal)
        # 1 the regiones (filter options and validation), 2 the certificates with municipality,
        # comuna and región joined. Anonymous: no session, no user, no notifications.
        with django_assert_num_queries(2):
            response = client.get("/registro/", {"region": "13"})
        assert len(response.context["certificados"]) == 1
        for cut in ("13120", "13501", "13502", "13125"):
            certificar(cut, municipal)
        with django_assert_num_queries(2):
            response = client.get("/registro/", {"region": "13"})
        assert len(response.context["certificados"]) == 5

    def test_logged_in_it_adds_session_user_and_unread_count(
        self, regional, sello_quilicura, django_assert_num_queries
    ) -> None:
        client = client_for(regional)
        # 1 session, 2 user, 3 regiones, 4 certificates, 5 unread notifications in the nav.
        with django_assert_num_queries(5):
            client.get("/registro/")


class TestCertificadoPdf:
    @pytest.mark.parametrize("nombre", ["municipal_otra", "regional", "nacional", "evaluador"])
    def test_people_who_see_the_municipality_download_it(
        self, nombre, persona, todas_las_personas, sello_quilicura
    ) -> None:
        url = reverse("sello:certificado_pdf", kwargs={"codigo": sello_quilicura.certificado.codigo})

        response = client_for(persona(nombre)).get(url)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "certificado-sello-13125-" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    @pytest.mark.parametrize(("nombre", "status"), [("anonimo", 302), ("municipal", 404), ("regional_otra", 404)])
    def test_others_are_refused_and_nothing_is_generated(
        self, nombre, status, persona, todas_las_personas, sello_quilicura
    ) -> None:
        url = reverse("sello:certificado_pdf", kwargs={"codigo": sello_quilicura.certificado.codigo})

        response = client_for(persona(nombre)).get(url)

        assert response.status_code == status
        assert Archivo.objects.count() == 0
        sello_quilicura.certificado.refresh_from_db()
        assert sello_quilicura.certificado.pdf is None

    def test_it_renders_once_then_serves_the_stored_file(self, municipal_otra, sello_quilicura) -> None:
        url = reverse("sello:certificado_pdf", kwargs={"codigo": sello_quilicura.certificado.codigo})
        client = client_for(municipal_otra)

        primero = b"".join(client.get(url).streaming_content)
        segundo = b"".join(client.get(url).streaming_content)

        assert primero == segundo
        assert Archivo.objects.count() == 1
        sello_quilicura.certificado.refresh_from_db()
        assert sello_quilicura.certificado.pdf is not None
        assert sello_quilicura.certificado.pdf.subido_por == municipal_otra

    def test_an_unknown_code_is_a_404(self, nacional) -> None:
        assert client_for(nacional).get("/sello/certificados/no-existe/pdf/").status_code == 404


def notificar(usuario, n: int = 1, **kwargs) -> list[Notificacion]:
    return [Notificacion.objects.create(usuario=usuario, titulo=f"Aviso {i}", **kwargs) for i in range(n)]


class TestNotificaciones:
    def test_it_lists_only_the_users_own_newest_first_unread_highlighted(self, municipal, municipal_otra) -> None:
        (vieja,) = notificar(municipal, leida_en=timezone.now())
        Notificacion.objects.filter(pk=vieja.pk).update(creada_en=timezone.now() - timedelta(days=2))
        nueva = Notificacion.objects.create(usuario=municipal, titulo="Nueva", url="/sello/")
        notificar(municipal_otra)  # "Aviso 0" too, of somebody else

        response = client_for(municipal).get(reverse("sello:notificaciones"))

        assert response.status_code == 200
        assert [n.pk for n in response.context["page"]] == [nueva.pk, vieja.pk]
        body = response.content.decode()
        assert "<strong>Nueva</strong>" in body
        assert "<strong>Aviso 0</strong>" not in body
        assert "Sin leer" in body
        assert "Notificaciones <strong>(1 sin leer)</strong>" in body
        assert reverse("sello:notificacion_leida", kwargs={"pk": nueva.pk}) in body
        assert reverse("sello:notificacion_leida", kwargs={"pk": vieja.pk}) not in body

    def test_it_is_paginated(self, municipal) -> None:
        notificar(municipal, 30)

        response = client_for(municipal).get(reverse("sello:notificaciones"), {"page": 2})

        assert len(response.context["page"]) == 5
        assert "Página 2 de 2" in response.content.decode()

    def test_query_count_does_not_grow_with_rows(self, municipal, django_assert_num_queries) -> None:
        client = client_for(municipal)
        notificar(municipal)
        # 1 session, 2 user, 3 COUNT of the paginator, 4 the page, 5 unread count (nav and button).
        with django_assert_num_queries(5):
            response = client.get(reverse("sello:notificaciones"))
        assert len(response.context["page"]) == 1
        notificar(municipal, 40)
        with django_assert_num_queries(5):
            response = client.get(reverse("sello:notificaciones"))
        assert len(response.context["page"]) == 25

    def test_anonymous_is_sent_to_login(self) -> None:
        response = client_for(None).get(reverse("sello:notificaciones"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("nombre", [p for p in PERSONAS if p != "anonimo"])
    def test_each_persona_marks_its_own_read(self, nombre, persona, todas_las_personas) -> None:
        usuario = persona(nombre)
        (propia,) = notificar(usuario)

        response = client_for(usuario).post(reverse("sello:notificacion_leida", kwargs={"pk": propia.pk}))

        assert response.status_code == 302
        assert response["Location"] == reverse("sello:notificaciones")
        propia.refresh_from_db()
        assert propia.leida_en is not None

    @pytest.mark.parametrize("nombre", PERSONAS)
    def test_nobody_marks_somebody_elses(self, nombre, persona, todas_las_personas, sin_rol) -> None:
        (ajena,) = notificar(sin_rol)

        response = client_for(persona(nombre)).post(reverse("sello:notificacion_leida", kwargs={"pk": ajena.pk}))

        assert response.status_code == (302 if nombre == "anonimo" else 404)
        ajena.refresh_from_db()
        assert ajena.leida_en is None

    def test_marking_read_twice_keeps_the_first_time(self, municipal) -> None:
        (propia,) = notificar(municipal)
        client = client_for(municipal)
        url = reverse("sello:notificacion_leida", kwargs={"pk": propia.pk})
        client.post(url)
        propia.refresh_from_db()
        primera = propia.leida_en

        client.post(url)

        propia.refresh_from_db()
        assert propia.leida_en == primera

    @pytest.mark.parametrize("nombre", [p for p in PERSONAS if p != "anonimo"])
    def test_mark_all_read_touches_only_the_users_own(self, nombre, persona, todas_las_personas, sin_rol) -> None:
        usuario = persona(nombre)
        notificar(usuario, 3)
        ajenas = notificar(sin_rol, 2)

        response = client_for(usuario).post(reverse("sello:notificaciones_leidas"), follow=True)

        assert "Se marcaron 3 notificaciones como leídas." in response.content.decode()
        assert not Notificacion.objects.filter(usuario=usuario, leida_en__isnull=True).exists()
        assert Notificacion.objects.filter(pk__in=[n.pk for n in ajenas], leida_en__isnull=True).count() == 2

    def test_anonymous_cannot_mark_all_read(self, sin_rol) -> None:
        notificar(sin_rol, 2)

        response = client_for(None).post(reverse("sello:notificaciones_leidas"))

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert Notificacion.objects.filter(leida_en__isnull=True).count() == 2

    def test_get_does_not_mark_anything(self, municipal) -> None:
        (propia,) = notificar(municipal)
        client = client_for(municipal)

        assert client.get(reverse("sello:notificaciones_leidas")).status_code == 405
        assert client.get(reverse("sello:notificacion_leida", kwargs={"pk": propia.pk})).status_code == 405
        propia.refresh_from_db()
        assert propia.leida_en is None


class TestContextProcessor:
    def test_anonymous_costs_no_query(self, rf, django_assert_num_queries) -> None:
        from django.contrib.auth.models import AnonymousUser

        from sello.context_processors import notificaciones

        request = rf.get("/")
        request.user = AnonymousUser()
        with django_assert_num_queries(0):
            assert notificaciones(request) == {}

    def test_a_user_costs_one_query_only_when_shown(self, rf, municipal, django_assert_num_queries) -> None:
        from sello.context_processors import notificaciones

        notificar(municipal, 2)
        notificar(municipal, 1, leida_en=timezone.now())
        request = rf.get("/")
        request.user = municipal
        with django_assert_num_queries(0):
            contexto = notificaciones(request)
        with django_assert_num_queries(1):
            assert str(contexto["notificaciones_sin_leer"]) == "2"
            assert contexto["notificaciones_sin_leer"]


class TestHomeAndNav:
    def test_the_public_home_links_to_the_registry_and_verification(self) -> None:
        body = client_for(None).get("/").content.decode()

        assert 'href="/registro/"' in body
        assert 'href="/verificar/"' in body

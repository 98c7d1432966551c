"""Authentication (issue 8, item 2): login lockout (form, admin and API token endpoint), password
policy, session lifetime and logout, two-factor authentication, API token expiry and revocation.

Logins here go through the real form (``/accounts/login/``) or the real token endpoint, not
``force_login``, unless the test is about what happens after a login.
"""

import time
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from municipios.cuenta_sesiones import ACTIVIDAD, INICIO, ip_cliente
from municipios.dosfactores import respaldo_emitir
from municipios.models import Rol, Usuario

from .conftest import api_client_for, client_for, codigo_totp, dispositivo_totp
from .factories import UsuarioFactory

pytestmark = pytest.mark.django_db

CLAVE = "clave-de-prueba-1"  # tests/factories.py
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
BLOQUEO = "Acceso bloqueado temporalmente"


def entrar(client: Client, username: str, password: str = CLAVE, ip: str = "198.51.100.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def pedir_token(username: str, password: str = CLAVE, ip: str = "198.51.100.1", **extra: str):
    return APIClient().post(TOKEN, {"username": username, "password": password, **extra}, format="json", REMOTE_ADDR=ip)


def autenticado(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- Lockout ------------------------------------------------------------------------------------


class TestBloqueo:
    def test_five_failures_lock_the_form_and_the_right_password_is_then_refused(self, municipal) -> None:
        client = Client()
        for _ in range(4):
            response = entrar(client, "p.municipal", "no-es-la-clave")
            assert response.status_code == 200
            assert "introduzca un nombre de usuario y clave correctos" in response.content.decode()

        quinto = entrar(client, "p.municipal", "no-es-la-clave")
        sexto = entrar(client, "p.municipal", CLAVE)

        for response in (quinto, sexto):
            assert response.status_code == 429
            body = response.content.decode()
            assert f"<h1>{BLOQUEO}</h1>" in body
            assert "Hubo 5 intentos fallidos de inicio de sesión con este usuario desde esta dirección." in body
            assert "el acceso queda bloqueado durante 15 minutos." in body
            assert response["Retry-After"] == "900"
        assert not autenticado(client)
        intento = AccessAttempt.objects.get()
        assert (intento.username, intento.ip_address, intento.failures_since_start) == (
            "p.municipal",
            "198.51.100.1",
            6,
        )
        # Nothing of the password is kept with the counter.
        assert CLAVE not in intento.post_data
        assert "no-es-la-clave" not in intento.post_data

    def test_the_lock_holds_one_username_from_one_address(self, municipal, municipal_otra) -> None:
        for _ in range(5):
            entrar(Client(), "p.municipal", "no-es-la-clave", ip="198.51.100.1")

        # The same user from another address, and another user from the same address, get in.
        assert entrar(Client(), "p.municipal", ip="198.51.100.2").status_code == 302
        assert entrar(Client(), "p.municipal.otra", ip="198.51.100.1").status_code == 302
        assert entrar(Client(), "p.municipal", ip="198.51.100.1").status_code == 429

    def test_the_lock_ends_after_the_cool_off(self, municipal) -> None:
        for _ in range(5):
            entrar(Client(), "p.municipal", "no-es-la-clave")
        assert entrar(Client(), "p.municipal").status_code == 429

        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        client = Client()
        response = entrar(client, "p.municipal")

        assert response.status_code == 302
        assert autenticado(client)
        assert not AccessAttempt.objects.exists()  # a successful login clears the counter

    def test_failures_on_the_form_and_the_api_add_up(self, municipal) -> None:
        for _ in range(3):
            entrar(Client(), "p.municipal", "no-es-la-clave")
        for _ in range(2):
            pedir_token("p.municipal", "no-es-la-clave")

        assert entrar(Client(), "p.municipal").status_code == 429

    def test_the_api_token_endpoint_locks_with_a_clear_error(self, municipal) -> None:
        for _ in range(4):
            response = pedir_token("p.municipal", "no-es-la-clave")
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "invalid"

        quinto = pedir_token("p.municipal", "no-es-la-clave")
        sexto = pedir_token("p.municipal")

        for response in (quinto, sexto):
            assert response.status_code == 429
            assert response.json() == {
                "error": {
                    "code": "locked_out",
                    "message": "Acceso bloqueado temporalmente por demasiados intentos fallidos. "
                    "Intente nuevamente en 15 minutos.",
                }
            }
            assert response["Retry-After"] == "900"
        assert not Token.objects.exists()

    def test_the_admin_login_is_locked_too(self, nacional) -> None:
        client = Client()
        for _ in range(5):
            response = client.post(
                "/admin/login/", {"username": "p.nacional", "password": "mala"}, REMOTE_ADDR="10.1.1.1"
            )
        assert response.status_code == 429
        assert BLOQUEO in response.content.decode()

    def test_national_staff_see_and_lift_a_lockout_in_the_admin(self, municipal, nacional, regional) -> None:
        for _ in range(5):
            entrar(Client(), "p.municipal", "no-es-la-clave")
        intento = AccessAttempt.objects.get()
        lista = "/admin/axes/accessattempt/"

        assert client_for(regional).get(lista).status_code == 403
        assert client_for(regional).post(f"{lista}{intento.pk}/delete/", {"post": "yes"}).status_code == 403
        assert AccessAttempt.objects.count() == 1

        admin = client_for(nacional)
        response = admin.get(lista)
        assert response.status_code == 200
        assert "p.municipal" in response.content.decode()
        assert admin.post(f"{lista}{intento.pk}/delete/", {"post": "yes"}).status_code == 302

        assert not AccessAttempt.objects.exists()
        assert entrar(Client(), "p.municipal").status_code == 302


class TestDireccionCliente:
    def request(self, **meta: str) -> mock.Mock:
        return mock.Mock(META={"REMOTE_ADDR": "10.0.0.5", **meta})

    def test_without_proxies_the_peer_address_counts(self, settings) -> None:
        settings.SELLO_PROXIES = 0
        assert ip_cliente(self.request(HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.5"

    def test_behind_one_proxy_the_address_it_appended_counts_not_a_forged_one(self, settings) -> None:
        settings.SELLO_PROXIES = 1
        assert ip_cliente(self.request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")) == "203.0.113.9"
        assert ip_cliente(self.request()) == "10.0.0.5"


# --- Password policy ----------------------------------------------------------------------------


class TestContrasenas:
    @pytest.mark.parametrize(
        ("nueva", "mensaje"),
        [
            ("Corta-1x", "La contraseña es demasiado corta. Debe contener por lo menos 12 caracteres."),
            ("password1234", "Esta contraseña es demasiado común."),
            ("938475610293", "Esta contraseña es completamente numérica."),
            ("p.municipal.cl", "La contraseña es demasiado similar a la de nombre de usuario."),
        ],
    )
    def test_weak_passwords_are_refused_in_spanish(self, municipal, nueva: str, mensaje: str) -> None:
        client = client_for(municipal)
        response = client.post(
            reverse("password_change"),
            {"old_password": CLAVE, "new_password1": nueva, "new_password2": nueva},
        )

        assert response.status_code == 200
        assert mensaje in response.context["form"].errors["new_password2"]
        municipal.refresh_from_db()
        assert municipal.check_password(CLAVE)

    def test_a_strong_password_is_accepted(self, municipal) -> None:
        client = client_for(municipal)
        response = client.post(
            reverse("password_change"),
            {"old_password": CLAVE, "new_password1": "río-cordillera-47", "new_password2": "río-cordillera-47"},
        )

        assert response.status_code == 302
        municipal.refresh_from_db()
        assert municipal.check_password("río-cordillera-47")

    def test_changing_the_password_keeps_this_session_and_ends_the_others(self, municipal) -> None:
        este, otro = client_for(municipal), client_for(municipal)
        nueva = "río-cordillera-47"

        este.post(reverse("password_change"), {"old_password": CLAVE, "new_password1": nueva, "new_password2": nueva})

        assert este.get(reverse("municipios:detail", args=[municipal.municipalidad.uuid])).status_code == 200
        response = otro.get(reverse("municipios:detail", args=[municipal.municipalidad.uuid]))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


# --- Sessions -----------------------------------------------------------------------------------


def marcar(client: Client, **claves: int) -> None:
    session = client.session
    session.update(claves)
    session.save()


class TestSesiones:
    def url(self, municipal: Usuario) -> str:
        return reverse("municipios:detail", args=[municipal.municipalidad.uuid])

    def test_a_login_is_stamped_with_its_start(self, municipal) -> None:
        client = Client()
        antes = int(time.time())
        entrar(client, "p.municipal")
        assert antes <= client.session[INICIO] == client.session[ACTIVIDAD] <= int(time.time())

    def test_an_idle_session_is_closed(self, municipal) -> None:
        client = client_for(municipal)
        hace = int(time.time()) - settings.SELLO_SESION_INACTIVIDAD_SEGUNDOS - 1
        marcar(client, **{ACTIVIDAD: hace})

        response = client.get(self.url(municipal))

        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={self.url(municipal)}"
        assert not autenticado(client)
        pagina = client.get(response["Location"]).content.decode()
        assert "Su sesión se cerró por inactividad. Inicie sesión nuevamente." in pagina

    def test_an_active_session_goes_on_and_its_activity_is_renewed(self, municipal) -> None:
        client = client_for(municipal)
        hace = int(time.time()) - settings.SELLO_SESION_INACTIVIDAD_SEGUNDOS + 120
        marcar(client, **{ACTIVIDAD: hace})

        assert client.get(self.url(municipal)).status_code == 200
        assert client.session[ACTIVIDAD] >= int(time.time()) - 5

    def test_a_session_past_its_absolute_lifetime_is_closed_even_if_active(self, municipal) -> None:
        client = client_for(municipal)
        marcar(client, **{INICIO: int(time.time()) - settings.SESSION_COOKIE_AGE - 1, ACTIVIDAD: int(time.time())})

        response = client.get(self.url(municipal))

        assert response.status_code == 302
        assert not autenticado(client)
        pagina = client.get(response["Location"]).content.decode()
        assert "Su sesión duró el máximo permitido y se cerró." in pagina

    def test_logout_is_post_only_and_the_old_cookie_no_longer_works(self, municipal) -> None:
        client = client_for(municipal)
        clave = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(self.url(municipal)).status_code == 200

        assert client.post(reverse("logout")).status_code == 302

        assert not Session.objects.filter(session_key=clave).exists()
        robada = Client()
        robada.cookies[settings.SESSION_COOKIE_NAME] = clave
        response = robada.get(self.url(municipal))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


# --- Two-factor authentication ------------------------------------------------------------------


def pendiente(usuario: Usuario) -> TOTPDevice:
    return TOTPDevice.objects.get(user=usuario, confirmed=False)


class TestDosFactores:
    def test_enrolment_qr_confirmation_and_backup_codes(self, regional) -> None:
        client = Client()
        assert entrar(client, "p.regional").status_code == 302
        response = client.get("/municipios/")
        assert response.status_code == 302
        assert response["Location"] == "/cuenta/2fa/?next=%2Fmunicipios%2F"

        pagina = client.get(response["Location"])
        assert pagina.status_code == 200
        body = pagina.content.decode()
        assert "<h1>Activar la verificación en dos pasos</h1>" in body
        assert "<svg" in body
        assert "<script" not in body
        dispositivo = pendiente(regional)
        assert pagina.context["secreto"].replace(" ", "") in body.replace(" ", "")

        mal = client.post("/cuenta/2fa/", {"codigo": "000000", "next": "/municipios/"})
        assert mal.status_code == 400
        assert "El código no es correcto." in mal.content.decode()
        assert client.get("/municipios/").status_code == 302
        dispositivo.throttle_reset()

        hecho = client.post("/cuenta/2fa/", {"codigo": codigo_totp(dispositivo), "next": "/municipios/"})

        assert hecho.status_code == 200
        codigos = hecho.context["codigos"]
        assert len(codigos) == 10 == len(set(codigos))
        assert all(c in hecho.content.decode() for c in codigos)
        dispositivo.refresh_from_db()
        assert dispositivo.confirmed
        assert sorted(StaticToken.objects.filter(device__user=regional).values_list("token", flat=True)) == sorted(
            codigos
        )
        assert client.get("/municipios/").status_code == 200
        # Once verified, the 2FA page sends on (and the codes are never shown again).
        assert client.get("/cuenta/2fa/?next=/municipios/")["Location"] == "/municipios/"

    def test_a_second_login_verifies_with_the_app(self, regional) -> None:
        dispositivo = dispositivo_totp(regional)
        client = Client()
        entrar(client, "p.regional")
        pagina = client.get("/cuenta/2fa/?next=/casos/cola/")
        assert "<h1>Verificación en dos pasos</h1>" in pagina.content.decode()

        response = client.post("/cuenta/2fa/", {"codigo": codigo_totp(dispositivo), "next": "/casos/cola/"})

        assert response.status_code == 302
        assert response["Location"] == "/casos/cola/"
        assert client.session[DEVICE_ID_SESSION_KEY] == dispositivo.persistent_id
        assert client.get("/casos/cola/").status_code == 200

    def test_a_code_is_accepted_once(self, regional) -> None:
        dispositivo = dispositivo_totp(regional)
        codigo = codigo_totp(dispositivo)
        primero, segundo = Client(), Client()
        entrar(primero, "p.regional")
        entrar(segundo, "p.regional")

        assert primero.post("/cuenta/2fa/", {"codigo": codigo}).status_code == 302
        assert segundo.post("/cuenta/2fa/", {"codigo": codigo}).status_code == 400

    def test_a_backup_code_works_once(self, nacional) -> None:
        dispositivo_totp(nacional)
        codigos = respaldo_emitir(usuario=nacional)
        primero, segundo = Client(), Client()
        entrar(primero, "p.nacional")
        entrar(segundo, "p.nacional")

        assert primero.post("/cuenta/2fa/", {"codigo": codigos[0].upper()}).status_code == 302
        response = segundo.post("/cuenta/2fa/", {"codigo": codigos[0]})

        assert response.status_code == 400
        assert "El código no es correcto." in response.content.decode()
        assert StaticToken.objects.filter(device__user=nacional).count() == 9
        assert not autenticado(segundo) or DEVICE_ID_SESSION_KEY not in segundo.session

    def test_wrong_codes_are_throttled(self, regional, settings) -> None:
        settings.OTP_TOTP_THROTTLE_FACTOR = 600
        settings.OTP_STATIC_THROTTLE_FACTOR = 600
        dispositivo = dispositivo_totp(regional)
        client = Client()
        entrar(client, "p.regional")
        assert client.post("/cuenta/2fa/", {"codigo": "123456"}).status_code == 400

        response = client.post("/cuenta/2fa/", {"codigo": codigo_totp(dispositivo)})

        assert response.status_code == 400
        assert "Demasiados códigos incorrectos. Espere" in response.content.decode()
        assert DEVICE_ID_SESSION_KEY not in client.session

    @pytest.mark.parametrize("rol", [Rol.REGIONAL, Rol.NACIONAL, Rol.EVALUADOR, "admin"])
    def test_sermig_staff_and_admins_reach_nothing_until_verified(self, rol: str, independencia) -> None:
        if rol == "admin":
            usuario = UsuarioFactory(username="p.admin", is_staff=True, is_superuser=True)
        elif rol == Rol.REGIONAL:
            usuario = UsuarioFactory.regional("13", username="p.staff")
        else:
            usuario = UsuarioFactory(username="p.staff", rol=rol, is_staff=True)
        client = Client()
        client.force_login(usuario)

        for url in ("/", "/municipios/", f"/municipios/{independencia.uuid}/", "/admin/", "/estadisticas/"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/cuenta/2fa/?next="), url
        api = client.get("/api/v1/municipios/")
        assert api.status_code == 403
        assert api.json()["error"]["code"] == "otp_required"
        # What stays reachable: the 2FA page itself, health, static files, logging out.
        assert client.get("/cuenta/2fa/").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.post(reverse("logout")).status_code == 302

    def test_a_municipal_officer_is_not_asked_for_a_code(self, municipal) -> None:
        client = Client()
        entrar(client, "p.municipal")
        assert client.get(f"/municipios/{municipal.municipalidad.uuid}/").status_code == 200

    def test_a_municipal_officer_who_enrolled_is_asked_for_a_code(self, municipal) -> None:
        dispositivo_totp(municipal)
        client = Client()
        entrar(client, "p.municipal")
        url = f"/municipios/{municipal.municipalidad.uuid}/"

        assert client.get(url)["Location"].startswith("/cuenta/2fa/")
        client.post("/cuenta/2fa/", {"codigo": codigo_totp(dispositivo_totp(municipal))})
        assert client.get(url).status_code == 200

    def test_a_municipal_officer_may_enrol(self, municipal) -> None:
        client = client_for(municipal)
        pagina = client.get("/cuenta/2fa/")
        assert "Opcional para su cuenta" in pagina.content.decode()

        response = client.post("/cuenta/2fa/", {"codigo": codigo_totp(pendiente(municipal))})

        assert response.status_code == 200
        assert TOTPDevice.objects.get(user=municipal).confirmed

    def test_off_when_the_setting_says_so(self, regional, settings) -> None:
        settings.SELLO_2FA_OBLIGATORIO = False
        client = Client()
        entrar(client, "p.regional")
        assert client.get("/municipios/").status_code == 200

    def test_the_next_address_cannot_leave_the_site(self, regional) -> None:
        dispositivo = dispositivo_totp(regional)
        client = Client()
        entrar(client, "p.regional")
        response = client.post("/cuenta/2fa/", {"codigo": codigo_totp(dispositivo), "next": "https://malo.example/"})
        assert response["Location"] == "/"

    def test_national_staff_reset_someones_2fa_and_their_sessions_end(self, regional, nacional) -> None:
        dispositivo = dispositivo_totp(regional)
        sesion = client_for(regional)
        assert sesion.get("/municipios/").status_code == 200
        url = f"/admin/otp_totp/totpdevice/{dispositivo.pk}/delete/"
        assert client_for(regional).post(url, {"post": "yes"}).status_code == 403

        assert client_for(nacional).post(url, {"post": "yes"}).status_code == 302

        assert not TOTPDevice.objects.filter(user=regional).exists()
        assert not StaticDevice.objects.filter(user=regional).exists()
        assert sesion.get("/municipios/")["Location"].startswith(LOGIN)

    def test_the_admin_never_shows_the_secrets(self, regional, nacional) -> None:
        dispositivo = dispositivo_totp(regional)
        codigos = respaldo_emitir(usuario=regional)
        token = Token.objects.create(user=regional)
        admin = client_for(nacional)
        paginas = [
            "/admin/otp_totp/totpdevice/",
            f"/admin/otp_totp/totpdevice/{dispositivo.pk}/change/",
            "/admin/otp_static/staticdevice/",
            f"/admin/otp_static/staticdevice/{StaticDevice.objects.get(user=regional).pk}/change/",
            "/admin/authtoken/tokenproxy/",
            f"/admin/authtoken/tokenproxy/{regional.pk}/change/",
        ]
        for url in paginas:
            response = admin.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "p.regional" in body, url
            for secreto in (dispositivo.key, token.key, *codigos):
                assert secreto not in body, url


# --- API tokens ---------------------------------------------------------------------------------


class TestTokens:
    def test_an_expired_token_is_refused_and_deleted(self, municipal) -> None:
        client = api_client_for(municipal)
        Token.objects.filter(user=municipal).update(created=timezone.now() - timedelta(days=30, seconds=1))

        response = client.get("/api/v1/regiones/")

        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": "token_expired",
                "message": "El token expiró. Solicite uno nuevo en POST /api/v1/auth/token/.",
            }
        }
        assert not Token.objects.filter(user=municipal).exists()

    def test_a_token_within_its_lifetime_works(self, municipal) -> None:
        client = api_client_for(municipal)
        Token.objects.filter(user=municipal).update(created=timezone.now() - timedelta(days=29))
        assert client.get("/api/v1/regiones/").status_code == 200

    def test_obtaining_again_returns_the_same_token_or_a_new_one_once_expired(self, municipal) -> None:
        primero = pedir_token("p.municipal").json()["token"]
        assert pedir_token("p.municipal").json()["token"] == primero

        Token.objects.filter(user=municipal).update(created=timezone.now() - timedelta(days=31))
        # A stale token in the header does not stop its owner from getting a new one.
        response = APIClient().post(
            TOKEN,
            {"username": "p.municipal", "password": CLAVE},
            format="json",
            HTTP_AUTHORIZATION=f"Token {primero}",
        )

        assert response.status_code == 200
        assert response.json()["token"] != primero
        assert Token.objects.get(user=municipal).key == response.json()["token"]

    def test_delete_revokes_the_callers_own_token(self, municipal, municipal_otra) -> None:
        client, otra = api_client_for(municipal), api_client_for(municipal_otra)

        assert client.delete(TOKEN).status_code == 204

        assert not Token.objects.filter(user=municipal).exists()
        assert Token.objects.filter(user=municipal_otra).exists()
        assert client.get("/api/v1/regiones/").status_code == 401
        assert otra.get("/api/v1/regiones/").status_code == 200

    def test_delete_needs_authentication(self, municipal) -> None:
        api_client_for(municipal)
        response = APIClient().delete(TOKEN)
        assert response.status_code == 401
        assert Token.objects.filter(user=municipal).exists()

    def test_staff_need_the_second_factor_for_a_token(self, regional) -> None:
        dispositivo = dispositivo_totp(regional)

        sin = pedir_token("p.regional")
        assert sin.status_code == 400
        assert sin.json()["error"]["fields"] == {
            "otp": ["Esta cuenta usa verificación en dos pasos: envíe el código en el campo «otp»."]
        }
        mal = pedir_token("p.regional", otp="000000")
        assert mal.status_code == 400
        assert mal.json()["error"]["fields"] == {"otp": ["El código no es correcto."]}
        assert not Token.objects.exists()
        dispositivo.throttle_reset()

        bien = pedir_token("p.regional", otp=codigo_totp(dispositivo))

        assert bien.status_code == 200
        assert bien.json() == {"token": Token.objects.get(user=regional).key}

    def test_staff_without_a_device_must_enrol_first(self, evaluador) -> None:
        response = pedir_token("p.evaluador", otp="123456")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {
            "otp": ["Active primero la verificación en dos pasos en la web, en /cuenta/2fa/."]
        }
        assert not Token.objects.exists()

    def test_wrong_codes_on_the_api_are_throttled(self, regional, settings) -> None:
        settings.OTP_TOTP_THROTTLE_FACTOR = 600
        dispositivo = dispositivo_totp(regional)
        pedir_token("p.regional", otp="000000")

        response = pedir_token("p.regional", otp=codigo_totp(dispositivo))

        assert response.status_code == 429
        assert response.json()["error"]["code"] == "throttled"
        assert not Token.objects.exists()

    def test_a_municipal_officer_needs_no_code(self, municipal) -> None:
        assert pedir_token("p.municipal").status_code == 200

    def test_national_staff_revoke_any_token_in_the_admin(self, municipal, regional, nacional) -> None:
        api = api_client_for(municipal)
        url = f"/admin/authtoken/tokenproxy/{municipal.pk}/delete/"
        assert client_for(regional).post(url, {"post": "yes"}).status_code == 403
        assert Token.objects.filter(user=municipal).exists()

        assert client_for(nacional).post(url, {"post": "yes"}).status_code == 302

        assert not Token.objects.filter(user=municipal).exists()
        assert api.get("/api/v1/regiones/").status_code == 401

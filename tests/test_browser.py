"""Headless Chromium (Playwright, sync API) against the live server: login, homes per role, logout.

The demo users of ``municipios.demo`` (password ``demo1234``) are seeded in each test. The tests
are transactional (the live server thread reads through its own connection), so the tables are
flushed after each test, territory included: ``conftest`` reloads it before every transactional
test, and this module reloads it once more when it ends so that later tests find it.
"""

import base64
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker

from municipios.demo import DEMO_PASSWORD, sembrar_territorio
from municipios.models import Municipalidad

from .navegador import SCREENSHOTS, iniciar_sesion, lanzar
from .test_accesibilidad import AXE_JS, AXE_URL, BLOCKING, ejecutar_axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TIMEOUT_MS = 10_000

DETAIL_URL = re.compile(r"/municipios/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/$")
LIST_URL = re.compile(r"/municipios/$")
LOGIN_URL = re.compile(r"/accounts/login/(\?.*)?$")

# username -> (expected URL, h1 or None, texts that must appear, texts that must not appear)
HOMES: dict[str, tuple[re.Pattern[str], str | None, tuple[str, ...], tuple[str, ...]]] = {
    "nacional": (LIST_URL, None, ("346 municipalidades",), ()),
    "regional.rm": (
        LIST_URL,
        None,
        ("52 municipalidades", "Municipalidad de Independencia"),
        ("Municipalidad de Valparaíso",),
    ),
    "regional.valparaiso": (
        LIST_URL,
        None,
        ("38 municipalidades", "Municipalidad de Valparaíso"),
        ("Municipalidad de Independencia",),
    ),
    "muni.independencia": (DETAIL_URL, "Municipalidad de Independencia", (), ()),
    "muni.quilicura": (DETAIL_URL, "Municipalidad de Quilicura", (), ()),
    "muni.valparaiso": (DETAIL_URL, "Municipalidad de Valparaíso", (), ()),
    "evaluador": (LIST_URL, None, ("346 municipalidades",), ()),
}


@pytest.fixture(scope="module")
def browser(django_db_blocker: DjangoDbBlocker) -> Iterator[Browser]:
    """One headless Debian Chromium for the whole module (no downloaded browser)."""
    yield from lanzar(django_db_blocker)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (no cookies) and page per test."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def demo() -> None:
    """The demo users and office data, as ``seed_demo`` would create them."""
    sembrar_territorio()


def login(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the login form and submit it (and the second factor, for SERMIG staff)."""
    iniciar_sesion(page, base_url, username, password)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_lands_on_its_home(page: Page, live_server: Any, username: str) -> None:
    """Each demo user, after logging in, lands on the home of its role."""
    url, h1, present, absent = HOMES[username]
    login(page, live_server.url, username)

    expect(page).to_have_url(url)
    if h1 is not None:
        expect(page.locator("h1")).to_have_text(h1)
    else:
        expect(page.locator("h1")).to_have_text(re.compile(r"^Municipalidades"))
    for text in present:
        expect(page.locator("main")).to_contain_text(text)
    main_text = page.locator("main").inner_text()
    for text in absent:
        assert text not in main_text
    assert (page.locator("html").get_attribute("lang") or "").startswith("es")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / f"home-{username}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 0


@pytest.mark.usefixtures("demo")
def test_wrong_password_shows_a_spanish_error(page: Page, live_server: Any) -> None:
    """A wrong password re-renders the login page with Django's Spanish error."""
    login(page, live_server.url, "muni.independencia", "no-es-la-clave")

    alert = page.locator(".errorlist-box")
    expect(alert).to_contain_text(
        "Por favor, introduzca un nombre de usuario y clave correctos. "
        "Observe que ambos campos pueden ser sensibles a mayúsculas."
    )
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("h1")).to_have_text("Iniciar sesión")
    assert page.get_by_role("button", name="Cerrar sesión").count() == 0


@pytest.mark.usefixtures("demo")
def test_municipal_cannot_open_another_municipality(page: Page, live_server: Any) -> None:
    """Another municipality's page is a 404 that does not reveal it."""
    quilicura = Municipalidad.objects.get(comuna_id="13125").uuid
    login(page, live_server.url, "muni.independencia")
    expect(page).to_have_url(DETAIL_URL)

    response = page.goto(f"{live_server.url}/municipios/{quilicura}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Página no encontrada")
    assert "Quilicura" not in page.content()


@pytest.mark.usefixtures("demo")
def test_logout_returns_to_login(page: Page, live_server: Any) -> None:
    """Logging out lands on the login page and the private pages ask for a login again."""
    login(page, live_server.url, "nacional")
    expect(page).to_have_url(LIST_URL)

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("h1")).to_have_text("Iniciar sesión")

    page.goto(f"{live_server.url}/municipios/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/municipios/$"))
    expect(page.locator("#id_username")).to_be_visible()


@pytest.mark.usefixtures("demo")
def test_municipal_edits_its_office_data(page: Page, live_server: Any) -> None:
    """The municipal user edits its office phone through the form and sees it saved."""
    login(page, live_server.url, "muni.independencia")
    expect(page).to_have_url(DETAIL_URL)
    detail_url = page.url

    page.get_by_role("link", name="Editar datos de la oficina").click()
    expect(page).to_have_url(re.compile(r"/editar/$"))
    page.fill("#id_oficina_telefono", "+56 2 2345 6789")
    page.get_by_role("button", name="Guardar").click()

    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("status")).to_have_text("Datos de la oficina guardados.")
    expect(page.locator("main dl.data").first).to_contain_text("+56 2 2345 6789")
    municipalidad = Municipalidad.objects.get(comuna_id="13108")
    assert municipalidad.oficina_telefono == "+56 2 2345 6789"


def graves(page: Page, base: str) -> list[str]:
    """Serious and critical axe-core violations of the open page (the harness of
    test_accesibilidad: axe served from a routed same-origin URL, under the app's CSP)."""
    fuente = AXE_JS.read_text(encoding="utf-8")
    page.context.route(
        f"{base}{AXE_URL}", lambda route: route.fulfill(status=200, content_type="text/javascript", body=fuente)
    )
    return [f"{v['id']}: {v['help']}" for v in ejecutar_axe(page)["violations"] if v["impact"] in BLOCKING]


@pytest.mark.usefixtures("demo")
def test_staff_enrol_the_second_factor_at_their_first_login(page: Page, live_server: Any) -> None:
    """National staff with no app yet: after the password, the enrolment page (QR code and the
    secret); a code computed from the secret shown, as an app would, turns it on and shows the
    backup codes once; the next login asks for a code, and a backup code works."""
    page.goto(f"{live_server.url}/accounts/login/?next=/estadisticas/nacional/")
    page.fill("#id_username", "nacional")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    expect(page).to_have_url(re.compile(r"/cuenta/2fa/\?next=%2Festadisticas%2Fnacional%2F$"))
    expect(page.locator("h1")).to_have_text("Activar la verificación en dos pasos")
    expect(page.locator(".qr svg")).to_be_visible()
    assert graves(page, live_server.url) == []
    secreto = page.locator("#secreto").inner_text().replace(" ", "")
    clave = base64.b32decode(secreto)
    paso = int(time.time()) // 30
    page.fill("#id_codigo", f"{hotp(clave, paso):06d}")
    page.get_by_role("button", name="Confirmar").click()

    expect(page.locator("h1")).to_have_text("Verificación en dos pasos activada")
    codigos = page.locator(".codigos code").all_inner_texts()
    assert len(codigos) == 10
    page.screenshot(path=str(SCREENSHOTS / "2fa-codigos.png"), full_page=True)
    page.get_by_role("link", name="Continuar").click()
    expect(page).to_have_url(re.compile(r"/estadisticas/nacional/$"))

    page.get_by_role("button", name="Cerrar sesión").click()
    page.fill("#id_username", "nacional")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("h1")).to_have_text("Verificación en dos pasos")
    assert graves(page, live_server.url) == []
    page.fill("#id_codigo", codigos[0])
    page.get_by_role("button", name="Verificar").click()
    expect(page).to_have_url(LIST_URL)
    assert StaticToken.objects.filter(device__user__username="nacional").count() == 9

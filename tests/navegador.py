"""Shared pieces of the headless-Chromium tests (Playwright's sync API, Debian's chromium)."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect, sync_playwright

from municipios.demo import DEMO_PASSWORD
from municipios.dosfactores import obligado
from municipios.models import Usuario

from .conftest import asegurar_territorio, codigo_totp, dispositivo_totp

# Playwright's sync API keeps an event loop running in this thread; without this every ORM call
# made afterwards in the session raises SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# No downloaded browser here: Debian's chromium, without background networking (closed network).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def lanzar(django_db_blocker: Any) -> Iterator[Browser]:
    """One browser for a module; afterwards the data-migration seeds are back in place and the
    connection Playwright's context switch left open is closed (or DROP DATABASE would wait)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    with django_db_blocker.unblock():
        from django.db import connection

        asegurar_territorio()
        connection.close()


def entrar(browser: Browser, base: str, usuario: str, password: str = DEMO_PASSWORD) -> Page:
    """A new context logged in as ``usuario`` through the login form (and, for SERMIG staff,
    the second factor)."""
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    iniciar_sesion(page, base, usuario, password)
    return page


def iniciar_sesion(page: Page, base: str, usuario: str, password: str = DEMO_PASSWORD) -> None:
    """The login form; then, for a user who needs the second factor, the 2FA page with the code
    their app would show (computed from the device's secret: ``conftest.codigo_totp``)."""
    cuenta = Usuario.objects.filter(username=usuario).first()
    dispositivo = dispositivo_totp(cuenta) if cuenta is not None and obligado(cuenta) else None
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", usuario)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Entrar").click()
    if dispositivo is not None:
        expect(page.locator("h1")).to_have_text("Verificación en dos pasos")
        page.fill("#id_codigo", codigo_totp(dispositivo))
        page.get_by_role("button", name="Verificar").click()
        expect(page.locator("h1")).not_to_have_text("Verificación en dos pasos")


def captura(page: Page, nombre: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ruta = SCREENSHOTS / f"{nombre}.png"
    page.screenshot(path=str(ruta), full_page=True)
    return ruta

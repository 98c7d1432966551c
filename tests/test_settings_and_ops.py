"""Settings per environment, deploy checks, /healthz and the demo data command."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from municipios.models import Rol, Usuario
from sello.models import Adhesion, Evidencia

ROOT = Path(__file__).resolve().parent.parent
PROD_SECRET = "x" * 20 + "-prod-secret-key-for-tests-only-0123456789abcdef"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_no_environment_it_runs_in_development_mode() -> None:
    result = run_python(
        "import os, json, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sello.settings.dev');"
        "django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER]))"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, "django.db.backends.sqlite3", True]


def test_database_and_broker_urls_switch_backends() -> None:
    result = run_python(
        "import os, json, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sello.settings.dev');"
        "django.setup(); from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], 'pool' in d['OPTIONS'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CELERY_TASK_SERIALIZER, s.CELERY_ACCEPT_CONTENT, s.CELERY_TASK_TIME_LIMIT]))",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/sello",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["django.db.backends.postgresql", True, False, "json", ["json"], 180]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "sello.example.cl"}, "DJANGO_SECRET_KEY is required"),
        ({"DJANGO_SECRET_KEY": PROD_SECRET}, "DJANGO_ALLOWED_HOSTS is required"),
    ],
)
def test_production_refuses_to_start_without_secret_and_hosts(env: dict[str, str], message: str) -> None:
    result = run_manage("check", DJANGO_SETTINGS_MODULE="sello.settings.prod", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="sello.settings.prod",
        DJANGO_SECRET_KEY=PROD_SECRET,
        DJANGO_ALLOWED_HOSTS="sello.example.cl",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
class TestHealthz:
    def test_it_works(self, client) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": {"ok": True, "vendor": "postgresql"},
            "broker": {"ok": True, "mode": "eager"},
            "workers": {"ok": True, "mode": "eager", "count": 0},
        }
        assert "no-cache" in response["Cache-Control"]

    def test_it_answers_503_when_the_database_is_down(self, client) -> None:
        with mock.patch("sello.health.connection.cursor", side_effect=OperationalError("down")):
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == {"ok": False, "error": "OperationalError"}
        assert response.json()["status"] == "degraded"


@pytest.mark.django_db
class TestSeedDemo:
    def test_it_refuses_when_debug_is_off(self, settings) -> None:
        settings.DEBUG = False
        with pytest.raises(CommandError, match="DEBUG"):
            call_command("seed_demo")
        assert not Usuario.objects.filter(username="nacional").exists()

    def test_it_creates_the_demo_users_reproducibly(self, settings) -> None:
        settings.DEBUG = True
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - twice: idempotent
        todos = {u.username: u for u in Usuario.objects.select_related("municipalidad", "region")}
        # Officers of the other demo municipalities exist but cannot log in (no password).
        sin_clave = {n for n, u in todos.items() if not u.has_usable_password()}
        assert sin_clave == {"muni.13501", "muni.13502", "muni.13120", "muni.13101", "muni.05109"}
        usuarios = {n: u for n, u in todos.items() if n not in sin_clave}
        assert set(usuarios) == {
            "nacional",
            "regional.rm",
            "regional.valparaiso",
            "muni.independencia",
            "muni.quilicura",
            "muni.valparaiso",
            "evaluador",
        }
        assert usuarios["regional.rm"].rol == Rol.REGIONAL
        assert usuarios["regional.rm"].region_id == "13"
        assert usuarios["regional.valparaiso"].region_id == "05"
        assert usuarios["muni.independencia"].municipalidad.comuna_id == "13108"
        assert usuarios["muni.quilicura"].municipalidad.comuna_id == "13125"
        assert usuarios["muni.valparaiso"].municipalidad.comuna_id == "05101"
        assert usuarios["evaluador"].rol == Rol.EVALUADOR
        assert all(u.check_password("demo1234") for u in usuarios.values())
        assert usuarios["muni.independencia"].municipalidad.oficina_completa
        estados = dict(
            Adhesion.objects.order_by("municipalidad__comuna_id", "ciclo").values_list(
                "municipalidad__comuna_id", "estado"
            )
        )
        assert estados == {
            "13125": "certificada",
            "05101": "certificada",  # cycle 2; cycle 1 is "revalidada"
            "13108": "en_implementacion",
            "13501": "adherida",
            "13502": "interesada",
            "13120": "plan_en_elaboracion",
            "13101": "evaluacion_solicitada",
            "05109": "plan_aprobado",
        }
        assert Adhesion.objects.get(municipalidad__comuna_id="05101", ciclo=1).estado == "revalidada"
        assert set(
            Evidencia.objects.filter(adhesion__municipalidad__comuna_id="13108").values_list("estado", flat=True)
        ) == {"aceptada", "observada", "rechazada", "enviada"}

"""Erasure that keeps the statistics (Ley 21.719): anonymising a person removes every copy of
her personal data from the database - history tables included - and her attachments from
storage, while the monthly statistics stay identical; and the retention policy run by Celery
anonymises the people whose cases closed long ago, once."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import override_settings
from django.utils import timezone

from casos import privacidad, tasks
from casos.models import Caso, EstadoCaso, Mensaje, OperacionPrivacidad, Persona, TransicionCaso
from estadisticas.models import ResumenMensual
from estadisticas.resumenes import resumenes_refrescar
from sello.errores import TransicionNoPermitida
from sello.models import Archivo

from .casos_fixtures import caso
from .conftest import client_for
from .privacidad_fixtures import NACIMIENTO, OTRA, SUS_DATOS, Titular, otra_persona, titular

pytestmark = pytest.mark.django_db

TEXTO = (models.CharField, models.TextField)


@pytest.fixture
def ella(municipal, regional) -> Titular:
    return titular(municipal, regional)


def apariciones(texto: str) -> list[str]:
    """Every text column of every table (history tables included) holding ``texto``."""
    encontradas = []
    for modelo in apps.get_models():
        if modelo._meta.proxy or not modelo._meta.managed:
            continue
        for campo in modelo._meta.concrete_fields:
            if not isinstance(campo, TEXTO) or campo.is_relation:
                continue
            if modelo._default_manager.filter(**{f"{campo.attname}__icontains": texto}).exists():
                encontradas.append(f"{modelo._meta.db_table}.{campo.column}")
    return encontradas


def resumenes() -> list[tuple[Any, ...]]:
    resumenes_refrescar()
    return list(
        ResumenMensual.objects.order_by("comuna", "anio", "mes", "indicador", "categoria").values_list(
            "comuna", "anio", "mes", "indicador", "categoria", "valor"
        )
    )


# --- Anonymisation --------------------------------------------------------------------------


def test_anonymisation_removes_every_copy_of_her_data(
    ella, municipal, nacional, django_capture_on_commit_callbacks
) -> None:
    otra_persona(municipal)
    client_for(nacional).get(f"/casos/privacidad/personas/{ella.persona.uuid}/datos.json")  # logged, then erased
    uuid_anterior = ella.persona.uuid
    archivo = ella.adjunto.archivo
    almacen, nombre = archivo.storage, archivo.name
    assert almacen.exists(nombre)
    assert set(apariciones("wislandita")) >= {"casos_persona.nombres", "casos_historicalpersona.nombres"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(nacional).post(
            f"/casos/privacidad/personas/{ella.persona.uuid}/anonimizar/", {"confirmar": "on"}
        )
    assert response.status_code == 302
    ella.persona.refresh_from_db()
    assert response["Location"] == f"/casos/privacidad/personas/{ella.persona.uuid}/"
    for dato in SUS_DATOS:
        assert apariciones(dato) == [], dato
    assert apariciones(OTRA) != []  # the search does find data: the other person's is intact
    historicas = Persona.history.filter(id=ella.persona.pk)
    assert not historicas.filter(fecha_nacimiento=NACIMIENTO).exists()
    assert not Persona.objects.filter(uuid=uuid_anterior).exists()
    assert not historicas.filter(uuid=uuid_anterior).exists()
    assert not Archivo.objects.filter(pk=ella.adjunto.pk).exists()
    assert not almacen.exists(nombre)
    assert not Mensaje.history.filter(caso=ella.cerrado, adjunto__isnull=False).exists()
    # What statistics count is kept.
    p = ella.persona
    assert (p.comuna_id, p.sexo, str(p.nacionalidad), p.es_nna, p.tramo_edad) == (
        "13108",
        "mujer",
        "HT",
        False,
        "30-44",
    )
    assert (p.nombres, p.fecha_nacimiento, p.anonimizada_en is not None) == ("Persona anonimizada", None, True)
    assert Caso.objects.filter(persona=p).count() == 2
    ultimo = historicas.latest()
    assert (ultimo.history_user, ultimo.history_change_reason) == (nacional, "Anonimización (solicitud)")
    detalle = OperacionPrivacidad.objects.get(accion="anonimizar").detalle
    assert detalle == "solicitud; casos=2; mensajes=3; adjuntos=1"


def test_anonymisation_keeps_the_statistics_identical(ella, municipal) -> None:
    antes = resumenes()
    assert ("13108", ella.cerrado.creado_en.year, ella.cerrado.creado_en.month, "casos_nacionalidad", "HT", 2) in antes
    privacidad.persona_anonimizar(persona=ella.persona, usuario=None, motivo="retención")
    assert resumenes() == antes


def test_anonymisation_is_refused_with_an_open_case_and_for_other_roles(ella, municipal, regional, nacional) -> None:
    abierto = caso(municipal, estado=EstadoCaso.EN_GESTION, persona_obj=ella.persona)
    antes = list(Persona.objects.values_list().filter(pk=ella.persona.pk))
    response = client_for(nacional).post(
        f"/casos/privacidad/personas/{ella.persona.uuid}/anonimizar/", {"confirmar": "on"}
    )
    assert response.status_code == 409
    assert "casos abiertos" in response.content.decode()
    assert client_for(regional).get(f"/casos/privacidad/personas/{ella.persona.uuid}/anonimizar/").status_code == 403
    abierto.delete()
    assert (
        client_for(nacional).post(f"/casos/privacidad/personas/{ella.persona.uuid}/anonimizar/", {}).status_code == 400
    )
    assert list(Persona.objects.values_list().filter(pk=ella.persona.pk)) == antes
    assert not OperacionPrivacidad.objects.exists()


def test_anonymisation_happens_once(ella, nacional) -> None:
    privacidad.persona_anonimizar(persona=ella.persona, usuario=nacional)
    with pytest.raises(TransicionNoPermitida):
        privacidad.persona_anonimizar(persona=ella.persona, usuario=nacional)
    assert OperacionPrivacidad.objects.count() == 1


# --- Retention ------------------------------------------------------------------------------


def envejecer(c: Caso, dias: int) -> None:
    """The case closed (or, for a draft, last edited) ``dias`` days ago."""
    hace = timezone.now() - timedelta(days=dias)
    TransicionCaso.objects.filter(caso=c, hasta=EstadoCaso.CERRADO).update(fecha=hace)
    Caso.objects.filter(pk=c.pk).update(actualizado_en=hace)


@pytest.fixture
def vencidas(ella, municipal, regional) -> dict[str, Persona]:
    """Her (a case closed six years ago and an old draft) and three people who must be kept: one
    with an old closed case and an open one, one closed last month, one blocked."""
    envejecer(ella.cerrado, 6 * 365)
    envejecer(ella.borrador, 6 * 365)
    personas = {"ella": ella.persona}
    for nombre in ("con_caso_abierto", "cerrado_reciente", "bloqueada"):
        t = titular(municipal, regional)
        envejecer(t.cerrado, 6 * 365 if nombre != "cerrado_reciente" else 30)
        envejecer(t.borrador, 6 * 365)
        personas[nombre] = t.persona
    caso(municipal, estado=EstadoCaso.DERIVADO, persona_obj=personas["con_caso_abierto"])
    privacidad.persona_bloquear(persona=personas["bloqueada"], usuario=municipal, motivo="Juicio")
    return personas


def test_retention_anonymises_old_closed_cases_once(vencidas, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="casos.privacidad"):
        assert tasks.retencion_aplicar() == {"candidatas": 1, "anonimizadas": 1, "omitidas": 0}
    anonimizadas = set(Persona.objects.filter(anonimizada_en__isnull=False).values_list("pk", flat=True))
    assert anonimizadas == {vencidas["ella"].pk}
    operacion = OperacionPrivacidad.objects.get(accion="anonimizar")
    assert (operacion.usuario, operacion.detalle) == (None, "retención; casos=2; mensajes=3; adjuntos=1")
    # Logged with counts only.
    [registro] = [r for r in caplog.records if r.name == "casos.privacidad"]
    assert registro.getMessage().startswith("retencion de casos: corte=")
    assert registro.getMessage().endswith("candidatas=1 anonimizadas=1 omitidas=0")
    assert not any(dato in caplog.text for dato in SUS_DATOS)
    # Idempotent: the second run finds nobody and changes nothing.
    historial = Persona.history.count(), Caso.history.count()
    assert tasks.retencion_aplicar() == {"candidatas": 0, "anonimizadas": 0, "omitidas": 0}
    assert (Persona.history.count(), Caso.history.count()) == historial
    assert OperacionPrivacidad.objects.filter(accion="anonimizar").count() == 1


@override_settings(SELLO_RETENCION_CASOS_DIAS=7 * 365)
def test_the_retention_period_is_a_setting(vencidas) -> None:
    assert tasks.retencion_aplicar() == {"candidatas": 0, "anonimizadas": 0, "omitidas": 0}


def test_a_person_reopened_after_the_selection_is_skipped(vencidas, monkeypatch) -> None:
    # Selected first, then a case of hers reopened before her turn: left alone.
    seleccion = privacidad.personas_para_retencion

    def seleccionar_y_reabrir(*, corte: Any) -> Any:
        candidatas = list(seleccion(corte=corte).values_list("pk", flat=True))
        Caso.objects.filter(persona=vencidas["ella"], estado=EstadoCaso.CERRADO).update(estado=EstadoCaso.REABIERTO)
        monkeypatch.setattr(privacidad, "personas_para_retencion", seleccion)
        return Persona.objects.filter(pk__in=candidatas)

    monkeypatch.setattr(privacidad, "personas_para_retencion", seleccionar_y_reabrir)
    assert privacidad.retencion_aplicar(ahora=timezone.now()) == {"candidatas": 1, "anonimizadas": 0, "omitidas": 1}
    assert not Persona.objects.filter(anonimizada_en__isnull=False).exists()


def test_retention_runs_daily_from_beat(settings) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["casos-retencion"] == {
        "task": "casos.retencion_aplicar",
        "schedule": 24 * 60 * 60,
    }

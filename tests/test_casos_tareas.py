"""The overdue task (``casos.tasks.marcar_vencidos``): idempotent, one notification and one
e-mail per recipient (the assignee and the regional team), nothing for cases not overdue,
waiting for the municipality, or closed."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from casos.models import Caso, EstadoCaso, TipoCaso
from casos.tasks import marcar_vencidos
from sello.models import Notificacion

from .casos_fixtures import caso
from .factories import UsuarioFactory

pytestmark = pytest.mark.django_db


def con_plazo(c: Caso, horas: float) -> Caso:
    """Move the case's deadline ``horas`` from now (negative: already past)."""
    Caso.objects.filter(pk=c.pk).update(plazo=timezone.now() + timedelta(hours=horas), vencido=False)
    c.refresh_from_db()
    return c


@pytest.fixture
def equipo_rm(regional) -> list[Any]:
    """The Región Metropolitana's team: two active members (an inactive one gets nothing)."""
    UsuarioFactory.regional("13", username="p.regional.inactivo", is_active=False)
    return [regional, UsuarioFactory.regional("13", username="p.regional.dos")]


def test_run_twice_marks_once_and_notifies_each_recipient_once(
    municipal, nacional, regional_otra, equipo_rm, django_capture_on_commit_callbacks
) -> None:
    vencido = con_plazo(caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=nacional), -1)
    with django_capture_on_commit_callbacks(execute=True):
        assert marcar_vencidos() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert marcar_vencidos() == 0

    vencido.refresh_from_db()
    assert vencido.vencido is True
    destinatarios = [nacional, *equipo_rm]  # the assignee and the regional team, no one else
    assert sorted(Notificacion.objects.values_list("usuario__username", flat=True)) == sorted(
        u.username for u in destinatarios
    )
    notificacion = Notificacion.objects.first()
    assert notificacion is not None
    assert notificacion.titulo == f"Caso {vencido.folio} vencido: superó su plazo de respuesta"
    assert notificacion.url == f"/casos/{vencido.uuid}/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in destinatarios)
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_an_unassigned_case_notifies_the_regional_team(
    municipal, equipo_rm, django_capture_on_commit_callbacks
) -> None:
    c = con_plazo(caso(municipal, estado=EstadoCaso.DERIVADO, tipo=TipoCaso.VIOLENCIA), -0.1)
    with django_capture_on_commit_callbacks(execute=True):
        assert marcar_vencidos() == 1
        assert marcar_vencidos() == 0
    assert sorted(Notificacion.objects.values_list("usuario", flat=True)) == sorted(u.pk for u in equipo_rm)
    assert len(mail.outbox) == 2
    # Never the person's name: a sensitive case is named by its folio only.
    for m in mail.outbox:
        assert c.folio in m.subject
        assert c.persona.nombres not in m.subject + m.body


def test_cases_not_overdue_waiting_or_closed_are_untouched(
    municipal, regional, equipo_rm, django_capture_on_commit_callbacks
) -> None:
    intactos = {
        "a tiempo": con_plazo(caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional), +1),
        # The clock stops while the municipality is asked for information.
        "esperando": con_plazo(caso(municipal, estado=EstadoCaso.REQUIERE_INFORMACION, asignado_a=regional), -5),
        "resuelto": con_plazo(caso(municipal, estado=EstadoCaso.RESUELTO, asignado_a=regional), -5),
        "cerrado": con_plazo(caso(municipal, estado=EstadoCaso.CERRADO, asignado_a=regional), -5),
        "borrador": con_plazo(caso(municipal), -5),
    }
    ya_marcado = caso(municipal, estado=EstadoCaso.EN_GESTION, asignado_a=regional, vencido=True)
    antes = {c.pk: (c.vencido, c.version, c.actualizado_en) for c in Caso.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        assert marcar_vencidos() == 0
    assert {c.pk: (c.vencido, c.version, c.actualizado_en) for c in Caso.objects.all()} == antes
    assert not Caso.objects.filter(pk__in=[c.pk for c in intactos.values()], vencido=True).exists()
    assert Caso.objects.get(pk=ya_marcado.pk).vencido is True
    assert Notificacion.objects.count() == 0
    assert mail.outbox == []


def test_a_reopened_overdue_case_is_marked_and_a_new_escalation_clears_the_flag(
    municipal, regional, equipo_rm, django_capture_on_commit_callbacks
) -> None:
    from casos.services import caso_transicionar

    c = con_plazo(caso(municipal, estado=EstadoCaso.RESUELTO, asignado_a=regional), -5)
    c = caso_transicionar(caso=c, accion="reabrir", usuario=municipal, version=c.version, comentario="Sigue igual")
    assert (c.estado, c.vencido) == ("reabierto", False)
    Notificacion.objects.all().delete()
    con_plazo(c, -1)
    with django_capture_on_commit_callbacks(execute=True):
        assert marcar_vencidos() == 1
        assert marcar_vencidos() == 0
    assert Caso.objects.get(pk=c.pk).vencido is True
    assert Notificacion.objects.count() == len(equipo_rm)

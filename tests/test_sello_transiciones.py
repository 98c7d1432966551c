"""Every transition of the seal x every role: allowed, denied (nothing changed), wrong state,
stale version. The table in ``sello.transiciones`` is the single source of truth."""

from datetime import date

import pytest

from municipios.models import Rol
from sello.errores import ConflictoDeVersion, SinPermiso, TransicionNoPermitida
from sello.models import Adhesion, EstadoSello, TransicionSello
from sello.transiciones import TRANSICIONES, acciones_disponibles, puede, transicionar

from .conftest import PERSONAS
from .sello_fixtures import construir

pytestmark = pytest.mark.django_db

# Persona -> (role, acts inside Independencia's territory?)
ROLES = {
    "municipal": (Rol.MUNICIPAL, True),
    "municipal_otra": (Rol.MUNICIPAL, False),
    "regional": (Rol.REGIONAL, True),
    "regional_otra": (Rol.REGIONAL, False),
    "nacional": (Rol.NACIONAL, True),
    "evaluador": (Rol.EVALUADOR, False),
    "anonimo": (None, False),
}
CELDAS = [(accion, persona) for accion in TRANSICIONES for persona in PERSONAS]


def permitido(accion: str, persona: str) -> bool:
    rol, en_territorio = ROLES[persona]
    return rol is not None and rol in TRANSICIONES[accion].roles and en_territorio


def estado_de(adhesion: Adhesion) -> tuple[str, int, int]:
    adhesion.refresh_from_db()
    return adhesion.estado, adhesion.version, TransicionSello.objects.filter(adhesion=adhesion).count()


@pytest.mark.parametrize(("accion", "persona_nombre"), CELDAS, ids=[f"{a}|{p}" for a, p in CELDAS])
def test_transition_by_role(accion, persona_nombre, persona, municipal, regional, independencia) -> None:
    t = TRANSICIONES[accion]
    adhesion = construir(independencia, t.desde[0], municipal=municipal, regional=regional).adhesion
    usuario = persona(persona_nombre)
    if usuario is None:  # anonymous: the views never reach the service; the service refuses too
        from django.contrib.auth.models import AnonymousUser

        usuario = AnonymousUser()
    antes = estado_de(adhesion)
    if permitido(accion, persona_nombre):
        assert puede(usuario, adhesion, accion)
        # Certifying requires its validity dates in the same write (a DB constraint enforces it).
        campos = {"vigente_hasta": date(2028, 1, 1)} if t.hasta == EstadoSello.CERTIFICADA else None
        transicionar(
            adhesion=adhesion, accion=accion, usuario=usuario, comentario="ok", version=adhesion.version, campos=campos
        )
        assert estado_de(adhesion) == (t.hasta, antes[1] + 1, antes[2] + 1)
        log = TransicionSello.objects.filter(adhesion=adhesion).latest("fecha")
        assert (log.desde, log.hasta, log.accion, log.usuario, log.comentario) == (
            t.desde[0],
            t.hasta,
            accion,
            usuario,
            "ok",
        )
    else:
        assert not puede(usuario, adhesion, accion)
        with pytest.raises(SinPermiso):
            transicionar(adhesion=adhesion, accion=accion, usuario=usuario, version=adhesion.version)
        assert estado_de(adhesion) == antes


@pytest.mark.parametrize("accion", list(TRANSICIONES))
def test_nobody_jumps_states(accion, municipal, regional, nacional, independencia) -> None:
    """From a state outside the transition's origins it is refused, even for an allowed role."""
    t = TRANSICIONES[accion]
    otro = next(e for e in EstadoSello if e not in t.desde and e not in (EstadoSello.REVALIDADA,))
    adhesion = construir(independencia, otro, municipal=municipal, regional=regional).adhesion
    rol = next((r for r in t.roles if r is not None), None)
    usuario = {Rol.MUNICIPAL: municipal, Rol.REGIONAL: regional, Rol.NACIONAL: nacional, None: None}[rol]
    antes = estado_de(adhesion)
    with pytest.raises(TransicionNoPermitida):
        transicionar(adhesion=adhesion, accion=accion, usuario=usuario, version=adhesion.version)
    assert estado_de(adhesion) == antes


def test_system_transitions_need_no_user_and_people_cannot_make_them(
    nacional, municipal, regional, independencia
) -> None:
    adhesion = construir(independencia, EstadoSello.CERTIFICADA, municipal=municipal, regional=regional).adhesion
    with pytest.raises(SinPermiso):
        transicionar(adhesion=adhesion, accion="vencer", usuario=nacional, version=adhesion.version)
    transicionar(adhesion=adhesion, accion="vencer", usuario=None)
    assert estado_de(adhesion)[0] == EstadoSello.VENCIDA
    assert TransicionSello.objects.get(adhesion=adhesion).usuario is None


def test_a_stale_version_is_refused(municipal, regional, independencia) -> None:
    adhesion = construir(independencia, EstadoSello.PLAN_APROBADO, municipal=municipal, regional=regional).adhesion
    vieja = adhesion.version
    Adhesion.objects.filter(pk=adhesion.pk).update(version=vieja + 1)  # someone else saved
    antes = estado_de(adhesion)
    with pytest.raises(ConflictoDeVersion):
        transicionar(adhesion=adhesion, accion="iniciar_implementacion", usuario=municipal, version=vieja)
    assert estado_de(adhesion) == antes


def test_unknown_action_is_refused(municipal, regional, independencia) -> None:
    adhesion = construir(independencia, EstadoSello.ADHERIDA, municipal=municipal, regional=regional).adhesion
    with pytest.raises(TransicionNoPermitida):
        transicionar(adhesion=adhesion, accion="saltar_a_certificada", usuario=municipal)


def test_available_actions_follow_the_table(municipal, regional, nacional, independencia) -> None:
    adhesion = construir(independencia, EstadoSello.EN_EVALUACION, municipal=municipal, regional=regional).adhesion
    assert [t.accion for t in acciones_disponibles(municipal, adhesion)] == []
    assert {t.accion for t in acciones_disponibles(nacional, adhesion)} == {
        "otorgar",
        "observar",
        "rechazar",
        "retirar",
    }


def test_certifying_without_validity_dates_is_refused_by_the_database(
    nacional, municipal, regional, independencia
) -> None:
    from django.db import IntegrityError

    adhesion = construir(independencia, EstadoSello.EN_EVALUACION, municipal=municipal, regional=regional).adhesion
    with pytest.raises(IntegrityError):
        transicionar(adhesion=adhesion, accion="otorgar", usuario=nacional, version=adhesion.version)

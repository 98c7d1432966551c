"""The seal's whole lifecycle through the services, as the demo drives it."""

import pytest
from django.core import mail

from sello.demo import Actores, llevar_a
from sello.models import Certificado, EstadoSello, TransicionSello
from sello.puntaje import calcular

pytestmark = pytest.mark.django_db


@pytest.fixture
def actores(municipal, regional, nacional, evaluador) -> Actores:
    return Actores(municipal=municipal, regional=regional, nacional=nacional, evaluador=evaluador)


def test_it_certifies_with_a_logged_transition_for_every_step(
    actores, independencia, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        adhesion = llevar_a(municipalidad=independencia, estado=EstadoSello.CERTIFICADA, actores=actores)
    assert adhesion.estado == EstadoSello.CERTIFICADA
    pasos = list(TransicionSello.objects.filter(adhesion=adhesion).values_list("desde", "hasta", "usuario__username"))
    assert pasos == [
        ("interesada", "adherida", "p.municipal"),
        ("adherida", "plan_en_elaboracion", "p.municipal"),
        ("plan_en_elaboracion", "plan_aprobado", "p.regional"),
        ("plan_aprobado", "en_implementacion", "p.municipal"),
        ("en_implementacion", "evaluacion_solicitada", "p.municipal"),
        ("evaluacion_solicitada", "en_evaluacion", "p.nacional"),
        ("en_evaluacion", "certificada", "p.nacional"),
    ]
    resultado = calcular(adhesion)
    assert resultado.total == 100
    assert resultado.cumple
    certificado = Certificado.objects.get(adhesion=adhesion)
    assert certificado.pdf is not None
    assert len(certificado.codigo) >= 20
    assert (certificado.vigente_hasta - certificado.emitido_en).days == 730
    assert mail.outbox  # notifications were e-mailed

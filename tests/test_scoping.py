"""The one scoping helper: who sees which municipalities; it fails closed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from municipios.models import Comuna, Municipalidad, Rol
from municipios.scoping import get_scoped_or_404, puede_editar, scoped

from .conftest import INDEPENDENCIA, VALPARAISO
from .factories import UsuarioFactory

pytestmark = pytest.mark.django_db


def visibles(user: object, *, write: bool = False) -> set[str]:
    return set(scoped(user, Municipalidad.objects.all(), write=write).values_list("comuna_id", flat=True))


def test_municipal_sees_only_its_municipality(municipal) -> None:
    assert visibles(municipal) == {INDEPENDENCIA}
    assert visibles(municipal, write=True) == {INDEPENDENCIA}


def test_regional_sees_its_region_only(regional, regional_otra) -> None:
    rm = visibles(regional)
    assert len(rm) == 52
    assert all(cut.startswith("13") for cut in rm)
    assert VALPARAISO not in rm
    valpo = visibles(regional_otra)
    assert len(valpo) == 38
    assert not rm & valpo


def test_nacional_sees_everything(nacional) -> None:
    assert len(visibles(nacional)) == 346
    assert len(visibles(nacional, write=True)) == 346


def test_evaluador_reads_but_never_writes(evaluador) -> None:
    assert len(visibles(evaluador)) == 346
    assert visibles(evaluador, write=True) == set()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rol": ""},
        {"rol": Rol.REGIONAL},  # no región
        {"rol": Rol.MUNICIPAL},  # no municipalidad
        {"rol": Rol.NACIONAL, "is_active": False},
    ],
)
def test_it_fails_closed(kwargs) -> None:
    user = UsuarioFactory(**kwargs)
    assert visibles(user) == set()
    assert visibles(AnonymousUser()) == set()
    assert visibles(None) == set()


def test_the_evaluador_sees_nothing_of_models_not_opened_to_it(evaluador, monkeypatch) -> None:
    monkeypatch.setattr(Municipalidad, "VISIBLE_A_EVALUADOR", False)
    assert not scoped(evaluador, Municipalidad.objects.all()).exists()


def test_models_without_territory_cannot_be_scoped(nacional) -> None:
    with pytest.raises(ImproperlyConfigured):
        scoped(nacional, Comuna.objects.all())


def test_get_scoped_or_404_hides_other_territories(municipal, independencia, quilicura) -> None:
    assert get_scoped_or_404(municipal, Municipalidad.objects.all(), uuid=independencia.uuid) == independencia
    with pytest.raises(Http404):
        get_scoped_or_404(municipal, Municipalidad.objects.all(), uuid=quilicura.uuid)
    with pytest.raises(Http404):
        get_scoped_or_404(municipal, Municipalidad.objects.all(), uuid="not-a-uuid")


def test_puede_editar(municipal, municipal_otra, regional, regional_otra, nacional, evaluador, independencia) -> None:
    assert puede_editar(municipal, independencia)
    assert not puede_editar(municipal_otra, independencia)
    assert puede_editar(regional, independencia)
    assert not puede_editar(regional_otra, independencia)
    assert puede_editar(nacional, independencia)
    assert not puede_editar(evaluador, independencia)
    assert not puede_editar(AnonymousUser(), independencia)


def test_no_view_or_api_queries_territorial_models_unscoped() -> None:
    """Zulip-style guard: views and APIs read territorial data only through the helper."""
    import ast
    from pathlib import Path

    territoriales = {"Municipalidad"}
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*root.glob("*/views.py"), *root.glob("*/api.py"), *root.glob("*/views/*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id in territoriales
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []

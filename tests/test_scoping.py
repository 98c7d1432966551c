"""The one scoping helper: who sees which municipalities; it fails closed."""

import ast
from pathlib import Path

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


def _nombre(func: ast.expr) -> str | None:
    return getattr(func, "id", getattr(func, "attr", None))


def _dentro(nodos: list[ast.AST]) -> set[int]:
    return {id(hijo) for nodo in nodos for hijo in ast.walk(nodo)}


def infracciones(tree: ast.AST, territoriales: set[str]) -> list[int]:
    """Lines where a territorial model's manager is used outside the scoping helper.

    Allowed: inside the arguments of ``scoped``/``get_scoped_or_404``; inside a ``Prefetch``
    (it refines an already scoped parent); ``.none()``; and inside functions named ``*_qs``,
    which build base querysets: every call to one of those must itself be an argument of the
    scoping helper.
    """
    llamadas = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    alcance = _dentro(
        [
            a
            for c in llamadas
            if _nombre(c.func) in ("scoped", "get_scoped_or_404")
            for a in [*c.args, *(k.value for k in c.keywords)]
        ]
    )
    prefetch = _dentro([c for c in llamadas if _nombre(c.func) == "Prefetch"])
    funciones_qs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.endswith("_qs")]
    en_funciones_qs = _dentro(funciones_qs)
    nombres_qs = {f.name for f in funciones_qs}
    nones = {id(c.func.value) for c in llamadas if isinstance(c.func, ast.Attribute) and c.func.attr == "none"}
    lineas = [c.lineno for c in llamadas if _nombre(c.func) in nombres_qs and id(c) not in alcance]
    for nodo in ast.walk(tree):
        if (
            isinstance(nodo, ast.Attribute)
            and nodo.attr == "objects"
            and isinstance(nodo.value, ast.Name)
            and nodo.value.id in territoriales
            and id(nodo) not in alcance | prefetch | en_funciones_qs | nones
        ):
            lineas.append(nodo.lineno)
    return sorted(lineas)


def test_no_view_or_api_queries_territorial_models_unscoped() -> None:
    """Zulip-style guard: views, APIs and exports read territorial data only through the helper."""
    from django.apps import apps

    # Every model that declares a territory must be read through the scoping helper.
    territoriales = {m.__name__ for m in apps.get_models() if getattr(m, "TERRITORIO", None)}
    assert {"Municipalidad", "Adhesion", "Evidencia", "Caso", "Persona"} <= territoriales
    root = Path(__file__).resolve().parent.parent
    patrones = ["*/views.py", "*/api.py", "*/views/*.py", "*/api/*.py", "*/web/*.py", "*/exports.py"]
    offenders = [
        f"{path.relative_to(root)}:{linea}"
        for path in sorted({p for patron in patrones for p in root.glob(patron) if ".venv" not in p.parts})
        for linea in infracciones(ast.parse(path.read_text()), territoriales)
    ]
    assert offenders == []


def test_the_guard_catches_an_unscoped_read() -> None:
    codigo = """
def vista(request, uuid):
    a = Caso.objects.get(uuid=uuid)
    b = get_scoped_or_404(request.user, Caso.objects.all(), uuid=uuid)
    c = scoped(request.user, base_qs())
    d = base_qs()
    e = Caso.objects.none()

def base_qs():
    return Caso.objects.select_related("persona")
"""
    assert infracciones(ast.parse(codigo), {"Caso"}) == [3, 6]

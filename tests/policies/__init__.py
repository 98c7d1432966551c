"""Declared access policies, one module per area; merged by ``tests/test_access_matrix.py``."""

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType

Policy = dict[str, tuple[Callable[[], str], dict[str, int]]]


def modulos() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]


def politica() -> Policy:
    merged: Policy = {}
    for modulo in modulos():
        repetidas = merged.keys() & modulo.POLICY.keys()
        assert not repetidas, f"URL declared twice: {repetidas}"
        merged.update(modulo.POLICY)
    return merged


def preparar_todo() -> None:
    for modulo in modulos():
        if hasattr(modulo, "preparar"):
            modulo.preparar()

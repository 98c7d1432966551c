"""Small-cell suppression of sensitive counts (PRODUCT.md §6).

A count below the threshold (``SELLO_UMBRAL_SUPRESION``, default 5) in a sensitive category
(cases of NNA, gender violence, trata; cases of children) is published as "< 5" - zero
included, so that "none" and "a few" cannot be told apart.

Suppressing a cell is not enough when totals are published: total - (the other cells) would
give it back. Every published sum is declared as a *relation* (a total and its parts: the
case types of a comuna and its case total, the comunas of a región and the región's figure,
the regiones and the national figure). A relation with exactly one hidden cell leaks it,
and one whose hidden cells are all small sensitive ones leaks their sum, so another cell
is hidden ("reservado"): the smallest non-zero part, or the total when no part can be.
This repeats until no relation leaks. The decision is made once on the whole national
table, so the same cell is hidden in every view (comuna, región, país) and no combination
of views recovers it.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

K = TypeVar("K", bound=Hashable)

PRIMARIA = "primaria"
COMPLEMENTARIA = "complementaria"


def umbral() -> int:
    return int(getattr(settings, "SELLO_UMBRAL_SUPRESION", 5))


@dataclass(frozen=True)
class Celda:
    """A published count. ``publico`` is what may leave the server (None when hidden)."""

    valor: int
    suprimida: str = ""
    umbral: int = 5

    @property
    def publico(self) -> int | None:
        return None if self.suprimida else self.valor

    @property
    def texto(self) -> str:
        if self.suprimida == PRIMARIA:
            return f"< {self.umbral}"
        if self.suprimida == COMPLEMENTARIA:
            return _("reservado")
        return number_format(self.valor, force_grouping=True)

    def __str__(self) -> str:
        return self.texto


@dataclass(frozen=True)
class Relacion(Generic[K]):
    total: K
    partes: tuple[K, ...]


def suprimir(
    valores: Mapping[K, int],
    *,
    sensibles: Iterable[K],
    relaciones: Iterable[Relacion[K]],
    limite: int | None = None,
) -> dict[K, Celda]:
    """Decide which cells of ``valores`` are hidden; returns a ``Celda`` for every key."""
    limite = umbral() if limite is None else limite
    estado: dict[K, str] = {}
    for clave in sensibles:
        if valores.get(clave, 0) < limite:
            estado[clave] = PRIMARIA
    relaciones = list(relaciones)
    por_celda: dict[K, list[Relacion[K]]] = {}
    for relacion in relaciones:
        for clave in (relacion.total, *relacion.partes):
            por_celda.setdefault(clave, []).append(relacion)
    # Only relations touching a hidden cell can leak; check them until none does.
    pendientes = [r for clave in estado for r in por_celda.get(clave, [])]
    while pendientes:
        relacion = pendientes.pop()
        ocultas = [clave for clave in (relacion.total, *relacion.partes) if clave in estado]
        # One hidden cell is recovered by subtraction; several small primary cells alone
        # would give away their sum (e.g. "3 sensitive cases among these types").
        solo_pequenas = all(estado[c] == PRIMARIA for c in ocultas) and sum(valores.get(c, 0) for c in ocultas) < limite
        if not ocultas or (len(ocultas) > 1 and not solo_pequenas):
            continue
        candidatas = [p for p in relacion.partes if p not in estado and valores.get(p, 0) > 0]
        if candidatas:
            elegida = min(candidatas, key=lambda p: (valores.get(p, 0), str(p)))
        elif relacion.total not in estado:
            elegida = relacion.total
        else:
            # Every other part is zero and the total is the hidden cell: hide a zero part.
            ceros = [p for p in relacion.partes if p not in estado]
            if not ceros:
                continue
            elegida = min(ceros, key=str)
        estado[elegida] = COMPLEMENTARIA
        pendientes.extend(por_celda.get(elegida, []))
    claves = set(valores) | set(estado)
    return {clave: Celda(valores.get(clave, 0), estado.get(clave, ""), limite) for clave in claves}

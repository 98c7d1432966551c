"""Small-cell suppression: primary "< 5", and no hidden cell recoverable by subtraction."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from estadisticas.supresion import COMPLEMENTARIA, PRIMARIA, Relacion, suprimir


def _recuperables(valores, celdas, relaciones):
    """Hidden cells an attacker recovers exactly from a published total minus published parts."""
    conocidos = {k: c.publico for k, c in celdas.items() if c.publico is not None}
    recuperados = set()
    cambio = True
    while cambio:
        cambio = False
        for r in relaciones:
            miembros = (r.total, *r.partes)
            ocultos = [m for m in miembros if m not in conocidos]
            if len(ocultos) == 1:
                oculto = ocultos[0]
                if oculto == r.total:
                    conocidos[oculto] = sum(conocidos[p] for p in r.partes)
                else:
                    conocidos[oculto] = conocidos[r.total] - sum(conocidos[p] for p in r.partes if p != oculto)
                recuperados.add(oculto)
                cambio = True
    return recuperados


def test_a_small_sensitive_count_is_shown_as_less_than_five():
    valores = {"total": 23, "trata": 3, "consulta": 12, "regularizacion": 8}
    relaciones = [Relacion("total", ("trata", "consulta", "regularizacion"))]

    celdas = suprimir(valores, sensibles=["trata"], relaciones=relaciones, limite=5)

    assert celdas["trata"].texto == "< 5"
    assert celdas["trata"].publico is None
    assert celdas["trata"].suprimida == PRIMARIA
    # The smallest other part is hidden too, so 23 - 12 - 8 cannot be done.
    assert celdas["regularizacion"].suprimida == COMPLEMENTARIA
    assert celdas["regularizacion"].texto == "reservado"
    assert celdas["consulta"].publico == 12
    assert celdas["total"].publico == 23
    assert _recuperables(valores, celdas, relaciones) == set()


def test_zero_is_hidden_like_any_small_count():
    celdas = suprimir({"total": 10, "nna": 0, "otros": 10}, sensibles=["nna"], relaciones=[], limite=5)

    assert celdas["nna"].texto == "< 5"


def test_counts_at_the_threshold_are_published():
    celdas = suprimir({"nna": 5}, sensibles=["nna"], relaciones=[], limite=5)

    assert celdas["nna"].publico == 5
    assert celdas["nna"].suprimida == ""


def test_when_no_other_part_can_be_hidden_the_total_is():
    valores = {"total": 3, "trata": 3, "consulta": 0}
    relaciones = [Relacion("total", ("trata", "consulta"))]

    celdas = suprimir(valores, sensibles=["trata"], relaciones=relaciones, limite=5)

    assert celdas["total"].suprimida == COMPLEMENTARIA
    assert _recuperables(valores, celdas, relaciones) == set()


def test_suppression_propagates_across_places():
    # Two comunas of a región; the región's figure is published: comuna A's 2 trata cases
    # must not come out as región - comuna B.
    valores = {
        ("A", "total"): 30, ("A", "trata"): 2, ("A", "otros"): 28,
        ("B", "total"): 40, ("B", "trata"): 9, ("B", "otros"): 31,
        ("R", "total"): 70, ("R", "trata"): 11, ("R", "otros"): 59,
    }  # fmt: skip
    relaciones = [Relacion((u, "total"), ((u, "trata"), (u, "otros"))) for u in "ABR"] + [
        Relacion(("R", d), (("A", d), ("B", d))) for d in ("total", "trata", "otros")
    ]
    sensibles = [(u, "trata") for u in "ABR"]

    celdas = suprimir(valores, sensibles=sensibles, relaciones=relaciones, limite=5)

    assert celdas[("A", "trata")].texto == "< 5"
    assert _recuperables(valores, celdas, relaciones) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3), min_size=2, max_size=5))
def test_no_hidden_cell_is_ever_recoverable(filas):
    """Property: for any table of comunas x (2 sensitive + 1 other) categories with comuna,
    región and category totals published, no hidden cell can be recovered by subtraction."""
    categorias = ("trata", "nna", "otros")
    valores = {}
    for i, fila in enumerate(filas):
        for categoria, n in zip(categorias, fila, strict=True):
            valores[(i, categoria)] = n
        valores[(i, "total")] = sum(fila)
    for categoria in (*categorias, "total"):
        valores[("R", categoria)] = sum(valores[(i, categoria)] for i in range(len(filas)))
    unidades = [*range(len(filas)), "R"]
    relaciones = [Relacion((u, "total"), tuple((u, c) for c in categorias)) for u in unidades]
    relaciones += [Relacion(("R", c), tuple((i, c) for i in range(len(filas)))) for c in (*categorias, "total")]
    sensibles = [(u, c) for u, c in itertools.product(unidades, ("trata", "nna"))]

    celdas = suprimir(valores, sensibles=sensibles, relaciones=relaciones, limite=5)

    assert _recuperables(valores, celdas, relaciones) == set()
    for clave in sensibles:
        if valores[clave] < 5:
            assert celdas[clave].texto == "< 5"


def test_several_small_sensitive_cells_do_not_give_away_their_sum():
    # 3 trata, 0 NNA, 0 violencia: with only those hidden, 23 - 20 = 3 sensitive cases.
    valores = {"total": 23, "trata": 3, "nna": 0, "violencia": 0, "regularizacion": 20}
    relaciones = [Relacion("total", ("trata", "nna", "violencia", "regularizacion"))]

    celdas = suprimir(valores, sensibles=["trata", "nna", "violencia"], relaciones=relaciones, limite=5)

    assert [celdas[k].texto for k in ("trata", "nna", "violencia")] == ["< 5", "< 5", "< 5"]
    assert celdas["regularizacion"].texto == "reservado"
    assert celdas["total"].publico == 23

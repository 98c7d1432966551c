"""pytest plugin: the fault-injection summary (issue 8, item 5).

Every test of ``tests/test_fallas_*.py`` is one fault scenario; at the end of the run the
terminal summary reports how many ran and how many passed, per kind of fault:

    Fallas: 44 escenarios, 44 pasan (base_de_datos 5/5, broker 6/6, ...)

Loaded with ``-p tests.fallas_resumen`` (or ``pytest_plugins`` in tests/conftest.py).
"""

import re
from collections import defaultdict
from typing import Any

import pytest

_ARCHIVO = re.compile(r"(?:^|/)test_fallas_(\w+)\.py::")
_resultados: dict[str, dict[str, bool]] = defaultdict(dict)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    encontrado = _ARCHIVO.search(report.nodeid)
    if encontrado is None:
        return
    tipo = encontrado.group(1)
    anterior = _resultados[tipo].get(report.nodeid, True)
    # A scenario passes when its setup, call and teardown all pass.
    fallo = report.failed or (report.when == "call" and report.skipped)
    _resultados[tipo][report.nodeid] = anterior and not fallo


def resumen() -> str:
    total = sum(len(escenarios) for escenarios in _resultados.values())
    pasan = sum(sum(escenarios.values()) for escenarios in _resultados.values())
    detalle = ", ".join(
        f"{tipo} {sum(escenarios.values())}/{len(escenarios)}" for tipo, escenarios in sorted(_resultados.items())
    )
    return f"Fallas: {total} escenarios, {pasan} pasan ({detalle})"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _resultados:
        terminalreporter.write_sep("-", "fault injection")
        terminalreporter.write_line(resumen())

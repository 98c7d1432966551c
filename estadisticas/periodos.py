"""Statistical periods: semesters ("2026-S1" = January-June 2026).

Only semesters are published. Nested periods (a year and one of its semesters, a semester
and its months) would let anyone recover a suppressed small count by subtraction.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

PATRON = re.compile(r"^(?P<anio>\d{4})-S(?P<semestre>[12])$")


class PeriodoInvalido(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Periodo:
    anio: int
    semestre: int

    @classmethod
    def desde_texto(cls, texto: str) -> "Periodo":
        coincidencia = PATRON.match((texto or "").strip().upper())
        if not coincidencia:
            raise PeriodoInvalido(
                _("Periodo no válido: «%(texto)s». Use el formato 2026-S1 o 2026-S2.") % {"texto": texto[:20]}
            )
        anio = int(coincidencia["anio"])
        if not 2015 <= anio <= 2100:
            raise PeriodoInvalido(_("Periodo fuera de rango: %(anio)s.") % {"anio": anio})
        return cls(anio, int(coincidencia["semestre"]))

    @classmethod
    def de_fecha(cls, dia: date) -> "Periodo":
        return cls(dia.year, 1 if dia.month <= 6 else 2)

    @property
    def codigo(self) -> str:
        return f"{self.anio}-S{self.semestre}"

    @property
    def meses(self) -> list[tuple[int, int]]:
        primero = 1 if self.semestre == 1 else 7
        return [(self.anio, mes) for mes in range(primero, primero + 6)]

    @property
    def inicio(self) -> date:
        return date(self.anio, 1 if self.semestre == 1 else 7, 1)

    @property
    def fin(self) -> date:
        """The first day after the period."""
        return date(self.anio, 7, 1) if self.semestre == 1 else date(self.anio + 1, 1, 1)

    @property
    def anterior(self) -> "Periodo":
        return Periodo(self.anio, 1) if self.semestre == 2 else Periodo(self.anio - 1, 2)

    @property
    def nombre(self) -> str:
        if self.semestre == 1:
            return _("primer semestre de %(anio)s") % {"anio": self.anio}
        return _("segundo semestre de %(anio)s") % {"anio": self.anio}

    def __str__(self) -> str:
        return self.codigo


def periodo_actual(hoy: date | None = None) -> Periodo:
    return Periodo.de_fecha(hoy or date.today())


def periodo_cerrado(hoy: date | None = None) -> Periodo:
    """The last complete semester (what the beat generates minutas for)."""
    return periodo_actual(hoy).anterior


def ultimos(n: int, hasta: Periodo) -> list[Periodo]:
    periodos = [hasta]
    while len(periodos) < n:
        periodos.append(periodos[-1].anterior)
    return list(reversed(periodos))

"""Identity documents: RUN validated by its check digit; every document normalised so the same
document typed differently ("12.345.678-5", "123456785") is recognised as a duplicate."""

import re

from stdnum.cl import rut as stdnum_rut
from stdnum.exceptions import ValidationError as StdnumError


class DocumentoInvalido(ValueError):
    pass


# A RUN's number has 7 or 8 digits (1.000.000 and up); zeros typed in front of it are not part
# of it ("01.234.567-4" is 1.234.567-4).
MIN_DIGITOS_RUN = 7


def normalizar(tipo: str, numero: str) -> str:
    """A comparable form: RUN as digits + check digit (upper-case K, no leading zeros); others
    alphanumeric upper."""
    numero = (numero or "").strip()
    if tipo == "run":
        return str(stdnum_rut.compact(numero)).upper().lstrip("0")
    return re.sub(r"[^0-9A-Za-z]", "", numero).upper()


def validar_run(numero: str) -> str:
    """Return the normalised RUN or raise DocumentoInvalido (wrong format or check digit, or a
    number of fewer than 7 digits once the zeros in front are dropped: "00000000-0")."""
    try:
        compacto = str(stdnum_rut.validate(numero)).upper()
    except StdnumError as exc:
        raise DocumentoInvalido(str(exc)) from exc
    cuerpo = compacto[:-1].lstrip("0")
    if len(cuerpo) < MIN_DIGITOS_RUN:
        raise DocumentoInvalido("RUN demasiado corto")
    return cuerpo + compacto[-1]


def formatear_run(normalizado: str) -> str:
    return str(stdnum_rut.format(normalizado))


def digito_verificador(cuerpo: str) -> str:
    return str(stdnum_rut.calc_check_digit(cuerpo))


def enmascarar(normalizado: str) -> str:
    """Document number for lists: only the last three characters."""
    if len(normalizado) <= 3:
        return "•••"
    return "•" * (len(normalizado) - 3) + normalizado[-3:]

"""Identity documents: RUN validated by its check digit; every document normalised so the same
document typed differently ("12.345.678-5", "123456785") is recognised as a duplicate."""

import re

from stdnum.cl import rut as stdnum_rut
from stdnum.exceptions import ValidationError as StdnumError


class DocumentoInvalido(ValueError):
    pass


def normalizar(tipo: str, numero: str) -> str:
    """A comparable form: RUN as digits + check digit (upper-case K); others alphanumeric upper."""
    numero = (numero or "").strip()
    if tipo == "run":
        return stdnum_rut.compact(numero).upper()
    return re.sub(r"[^0-9A-Za-z]", "", numero).upper()


def validar_run(numero: str) -> str:
    """Return the normalised RUN or raise DocumentoInvalido (wrong format or check digit)."""
    try:
        return str(stdnum_rut.validate(numero)).upper()
    except StdnumError as exc:
        raise DocumentoInvalido(str(exc)) from exc


def formatear_run(normalizado: str) -> str:
    return str(stdnum_rut.format(normalizado))


def digito_verificador(cuerpo: str) -> str:
    return str(stdnum_rut.calc_check_digit(cuerpo))


def enmascarar(normalizado: str) -> str:
    """Document number for lists: only the last three characters."""
    if len(normalizado) <= 3:
        return "•••"
    return "•" * (len(normalizado) - 3) + normalizado[-3:]

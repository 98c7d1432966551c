"""Property-based tests of identity documents and ages (hypothesis): every valid RUN is accepted
however it is typed and normalises to one value, every wrong check digit is refused, garbage
never raises anything but a business error; age and NNA at the birthday boundary."""

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from casos.documentos import digito_verificador, formatear_run
from casos.models import TRAMOS_NNA, TipoDocumento, TramoEdad
from casos.services import documento_normalizado, edad, es_nna
from sello.errores import ErrorDeNegocio

CUERPOS = st.integers(min_value=1_000_000, max_value=99_999_999)
DIGITOS = "0123456789K"


def escrituras(cuerpo: int, dv: str) -> list[str]:
    """The ways people type the same RUN: with dots and dash, dash only, bare, lower-case k,
    surrounding spaces."""
    puntos = f"{cuerpo:,}".replace(",", ".")
    formas = [f"{puntos}-{dv}", f"{cuerpo}-{dv}", f"{cuerpo}{dv}", f"  {puntos}-{dv} "]
    if dv == "K":
        formas += [f"{puntos}-k", f"{cuerpo}-k", f"{cuerpo}k"]
    return formas


@given(cuerpo=CUERPOS)
@example(cuerpo=12_345_678)  # 12.345.678-5
@example(cuerpo=10_000_013)  # check digit K
def test_a_valid_run_is_accepted_however_typed_and_normalises_to_one_value(cuerpo: int) -> None:
    dv = digito_verificador(str(cuerpo))
    assert dv in DIGITOS
    esperado = f"{cuerpo}{dv}"
    for escrito in escrituras(cuerpo, dv):
        assert documento_normalizado(TipoDocumento.RUN, escrito) == esperado, escrito
    assert formatear_run(esperado) == f"{cuerpo:,}".replace(",", ".") + f"-{dv}"


def test_the_examples_have_the_check_digits_they_claim() -> None:
    assert digito_verificador("12345678") == "5"
    assert digito_verificador("10000013") == "K"
    assert documento_normalizado(TipoDocumento.RUN, "12.345.678-5") == "123456785"


@given(cuerpo=CUERPOS)
@example(cuerpo=12_345_678)
def test_every_wrong_check_digit_is_refused(cuerpo: int) -> None:
    dv = digito_verificador(str(cuerpo))
    for equivocado in DIGITOS.replace(dv, ""):
        for escrito in escrituras(cuerpo, equivocado):
            with pytest.raises(ErrorDeNegocio, match="El RUN no es válido"):
                documento_normalizado(TipoDocumento.RUN, escrito)


@given(tipo=st.sampled_from(TipoDocumento.values), numero=st.text(max_size=60))
@example(tipo=TipoDocumento.RUN, numero="")
@example(tipo=TipoDocumento.RUN, numero="-")
@example(tipo=TipoDocumento.RUN, numero="\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff15")  # full width
@example(tipo=TipoDocumento.RUN, numero="\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0665")  # Arabic-Indic
@example(tipo=TipoDocumento.RUN, numero="12.345.678-5\x00")
@example(tipo=TipoDocumento.PASAPORTE, numero="<script>")
def test_garbage_never_raises_anything_but_a_business_error(tipo: str, numero: str) -> None:
    try:
        normalizado = documento_normalizado(tipo, numero)
    except ErrorDeNegocio as exc:
        mensaje = exc.mensaje
        assert mensaje  # a message for people
        return
    # What is accepted is a clean, comparable value.
    assert normalizado == normalizado.strip().upper()
    assert normalizado.isalnum() or normalizado == ""
    if tipo == TipoDocumento.SIN_DOCUMENTO:
        assert normalizado == ""
    else:
        assert len(normalizado) >= 3


@given(tipo=st.sampled_from([TipoDocumento.PASAPORTE, TipoDocumento.IPE, TipoDocumento.OTRO]), numero=st.text())
def test_other_documents_normalise_ignoring_punctuation_and_case(tipo: str, numero: str) -> None:
    try:
        normalizado = documento_normalizado(tipo, numero)
    except ErrorDeNegocio:
        return
    otra_forma = "".join(c.lower() if c.isascii() else c for c in numero)
    assert documento_normalizado(tipo, f" {otra_forma}-") == normalizado


# --- Age and NNA --------------------------------------------------------------------------


def cumple(nacimiento: date, anios: int) -> date:
    """The day of the ``anios``-th birthday (someone born on 29 February has it on 1 March in a
    common year, as ``edad`` counts)."""
    try:
        return nacimiento.replace(year=nacimiento.year + anios)
    except ValueError:
        return date(nacimiento.year + anios, 3, 1)


FECHAS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(nacimiento=FECHAS, hoy=FECHAS)
def test_age_is_the_number_of_birthdays_reached(nacimiento: date, hoy: date) -> None:
    if hoy < nacimiento:
        nacimiento, hoy = hoy, nacimiento
    anios = edad(nacimiento, hoy)
    assert anios >= 0
    assert cumple(nacimiento, anios) <= hoy
    if nacimiento.year + anios + 1 <= 9999:
        assert cumple(nacimiento, anios + 1) > hoy


@given(nacimiento=st.dates(min_value=date(1900, 1, 1), max_value=date(2080, 12, 31)))
@example(nacimiento=date(2008, 2, 29))
def test_exactly_eighteen_today_is_no_longer_a_child(nacimiento: date) -> None:
    dieciocho = cumple(nacimiento, 18)
    assert edad(nacimiento, dieciocho) == 18
    assert es_nna(nacimiento, TramoEdad.DESCONOCIDO, dieciocho) is False
    # The day before, still a child.
    assert edad(nacimiento, dieciocho - timedelta(days=1)) == 17
    assert es_nna(nacimiento, TramoEdad.DESCONOCIDO, dieciocho - timedelta(days=1)) is True


@given(tramo=st.sampled_from(TramoEdad.values), hoy=FECHAS)
def test_without_a_birth_date_the_age_band_decides(tramo: str, hoy: date) -> None:
    assert es_nna(None, tramo, hoy) is (tramo in TRAMOS_NNA)


@given(nacimiento=FECHAS, hoy=FECHAS, tramo=st.sampled_from(TramoEdad.values))
def test_a_known_birth_date_wins_over_the_age_band(nacimiento: date, hoy: date, tramo: str) -> None:
    if hoy < nacimiento:
        nacimiento, hoy = hoy, nacimiento
    assert es_nna(nacimiento, tramo, hoy) is (edad(nacimiento, hoy) < 18)


@pytest.mark.django_db
def test_the_birthday_boundary_through_the_service(municipal) -> None:
    """``persona_registrar``: born exactly 18 years ago today is an adult; a day later, a child."""
    from django.utils import timezone

    from casos.services import persona_registrar

    hoy = timezone.localdate()

    def registrar(nacimiento: date) -> bool:
        return persona_registrar(
            usuario=municipal,
            nombres="Jean",
            apellidos="Pierre",
            tipo_documento=TipoDocumento.SIN_DOCUMENTO,
            numero_documento="",
            nacionalidad="HT",
            sexo="hombre",
            fecha_nacimiento=nacimiento,
            tramo_edad="",
        ).es_nna

    try:
        hace_18 = hoy.replace(year=hoy.year - 18)
    except ValueError:  # today is 29 February: 18 years ago there was none
        hace_18 = date(hoy.year - 18, 2, 28)
    assert registrar(hace_18) is False
    assert registrar(hace_18 + timedelta(days=1)) is True

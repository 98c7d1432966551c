"""Property-based tests (hypothesis) of the validators, at the validator and through the
serializer or form that shows the user its Spanish message.

- RUN (``casos/documentos.py``): every valid RUN, however typed (dots, dash, lower-case k,
  spaces, a zero in front), is accepted and normalised to one canonical form (idempotent); any
  wrong check digit, any single changed digit and any swap of two neighbouring digits is
  refused; arbitrary text never raises anything but the validation error.
- Other documents (passport, IPE, other): normalised to upper-case letters and digits (spaces
  and signs dropped), at least 3 of them; "sin documento" is always empty.
- CUT codes: exactly the 346 comunas (and 16 regiones) of ``municipios/data`` are accepted.
- Dates: birth dates and consent dates in the future are refused, by the date of Chile (not of
  UTC); session ranges need the end after the start (time-zone aware instants); operativos
  cannot be in the future; plan actions cannot end before they start; a minuta's semester must
  have started; an imported Excel date raises only the errors the importer reports.

Complements tests/test_casos_propiedades.py (RUN at the service level, ages).
"""

import csv
import re
from datetime import UTC, date, datetime, timedelta
from decimal import InvalidOperation
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from capacitaciones.services import dispositivo_registrar, sesion_agregar
from casos.api import CasoCrearInputSerializer
from casos.documentos import DocumentoInvalido, digito_verificador, formatear_run, normalizar, validar_run
from casos.models import Persona, TipoDocumento
from casos.services import documento_normalizado, edad, persona_registrar
from estadisticas.api.agregados import ParametrosSerializer
from estadisticas.api.minutas import MinutaSolicitarInputSerializer
from estadisticas.filters import periodo_solicitable
from estadisticas.importadores.lectura import fecha_excel
from estadisticas.periodos import Periodo, periodo_actual
from estadisticas.web.minutas import SolicitarForm
from municipios.models import Comuna, Region
from sello.errores import ErrorDeNegocio
from sello.services.plan import _validar_accion

from .capacitaciones_fixtures import capacitacion
from .conftest import INDEPENDENCIA, api_client_for

DATA = Path(__file__).resolve().parent.parent / "municipios" / "data"
SANTIAGO = ZoneInfo("America/Santiago")
CUERPOS = st.integers(min_value=1_000_000, max_value=99_999_999)
DIGITOS = "0123456789K"
CANONICO = re.compile(r"^[1-9][0-9]{6,7}[0-9K]$")
RUN_INVALIDO = "El RUN no es válido: revise el número y el dígito verificador."
VACIO = "Indique el número de documento."
CORTO = "El número de documento es demasiado corto."
OTROS_DOCUMENTOS = [TipoDocumento.PASAPORTE, TipoDocumento.IPE, TipoDocumento.OTRO]
# Generated databases: tests that read or write rows reuse them across examples.
CON_BD = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def dv(cuerpo: int) -> str:
    return digito_verificador(str(cuerpo))


def con_puntos(cuerpo: int) -> str:
    return f"{cuerpo:,}".replace(",", ".")


@st.composite
def escrituras_de_run(draw: st.DrawFn, cuerpo: int, digito: str) -> str:
    """One way people type a RUN: dots or not, dash or not, lower-case k, spaces around, and for
    a 7-digit number sometimes a zero in front."""
    numero = draw(st.sampled_from([con_puntos(cuerpo), str(cuerpo)]))
    if cuerpo < 10_000_000 and draw(st.booleans()):
        numero = "0" + numero
    digito = draw(st.sampled_from([digito, digito.lower()]))
    separador = draw(st.sampled_from(["-", "", " - "]))
    espacios = st.sampled_from(["", " ", "  ", "\t", "\n"])
    return f"{draw(espacios)}{numero}{separador}{digito}{draw(espacios)}"


def caso_api(**cambios: Any) -> dict[str, Any]:
    datos = {
        "nombres": "Ana María",
        "apellidos": "Pérez",
        "tipo_documento": "pasaporte",
        "numero_documento": "HT-1234567",
        "tipo": "regularizacion",
        "descripcion": "Necesita orientación para regularizar su situación migratoria.",
    }
    datos.update(cambios)
    return datos


def persona_de(municipal: Any, **cambios: Any) -> Persona:
    datos = {
        "usuario": municipal,
        "nombres": "Ana",
        "apellidos": "Pérez",
        "tipo_documento": TipoDocumento.PASAPORTE,
        "numero_documento": "HT-1234567",
        "nacionalidad": "HT",
        "sexo": "mujer",
        "fecha_nacimiento": None,
        "tramo_edad": "desconocido",
    }
    datos.update(cambios)
    return persona_registrar(**datos)


# --- RUN ------------------------------------------------------------------------------------


@given(data=st.data(), cuerpo=CUERPOS)
@example(data=None, cuerpo=12_345_678)  # 12.345.678-5
@example(data=None, cuerpo=10_000_013)  # check digit K
@example(data=None, cuerpo=1_234_567)  # 1.234.567-4, also typed 01.234.567-4
def test_un_run_valido_se_acepta_y_normaliza_a_una_sola_forma(data: Any, cuerpo: int) -> None:
    canonico = f"{cuerpo}{dv(cuerpo)}"
    escritos = [con_puntos(cuerpo) + f"-{dv(cuerpo).lower()}"] + ([f"0{cuerpo}-{dv(cuerpo)}"] if cuerpo < 10**7 else [])
    if data is not None:
        escritos = [data.draw(escrituras_de_run(cuerpo, dv(cuerpo)))]
    for escrito in escritos:
        assert validar_run(escrito) == canonico, escrito
        assert normalizar(TipoDocumento.RUN, escrito) == canonico, escrito
        assert documento_normalizado(TipoDocumento.RUN, escrito) == canonico, escrito
    # Idempotent, and the display form reads back to the same value.
    assert CANONICO.match(canonico)
    assert validar_run(canonico) == canonico
    assert normalizar(TipoDocumento.RUN, canonico) == canonico
    assert validar_run(formatear_run(canonico)) == canonico


@given(cuerpo=st.integers(min_value=1_000_000, max_value=9_999_999))
@example(cuerpo=1_234_567)
def test_un_cero_delante_no_cambia_el_run(cuerpo: int) -> None:
    """01.234.567-4 and 1.234.567-4 are one person: the duplicate check must see it."""
    digito = dv(cuerpo)
    assert validar_run(f"0{con_puntos(cuerpo)}-{digito}") == validar_run(f"{con_puntos(cuerpo)}-{digito}")
    assert normalizar(TipoDocumento.RUN, f"0{cuerpo}{digito}") == f"{cuerpo}{digito}"


@given(cuerpo=st.integers(min_value=0, max_value=999_999))
@example(cuerpo=0)  # 00.000.000-0
def test_un_run_de_menos_de_siete_cifras_se_rechaza_aunque_se_rellene_con_ceros(cuerpo: int) -> None:
    relleno = f"{cuerpo:08d}"
    with pytest.raises(DocumentoInvalido):
        validar_run(f"{relleno}-{dv(cuerpo)}")
    with pytest.raises(ErrorDeNegocio, match=RUN_INVALIDO):
        documento_normalizado(TipoDocumento.RUN, f"{relleno}-{dv(cuerpo)}")


@given(cuerpo=CUERPOS, digito=st.sampled_from(DIGITOS))
def test_un_digito_verificador_equivocado_se_rechaza(cuerpo: int, digito: str) -> None:
    if digito == dv(cuerpo):
        return
    for escrito in (f"{con_puntos(cuerpo)}-{digito}", f"{cuerpo}{digito.lower()}"):
        with pytest.raises(DocumentoInvalido):
            validar_run(escrito)


@given(cuerpo=CUERPOS, data=st.data())
def test_un_digito_cambiado_se_rechaza(cuerpo: int, data: Any) -> None:
    """Weights 4..9 and a modulus of 11 (prime): any single changed digit changes the check digit."""
    numero = str(cuerpo)
    posicion = data.draw(st.integers(min_value=0, max_value=len(numero) - 1))
    nuevo = data.draw(st.sampled_from("0123456789".replace(numero[posicion], "")))
    cambiado = numero[:posicion] + nuevo + numero[posicion + 1 :]
    with pytest.raises(DocumentoInvalido):
        validar_run(f"{cambiado}-{dv(cuerpo)}")


@given(cuerpo=CUERPOS, data=st.data())
def test_dos_digitos_vecinos_intercambiados_se_rechazan(cuerpo: int, data: Any) -> None:
    numero = str(cuerpo)
    posicion = data.draw(st.integers(min_value=0, max_value=len(numero) - 2))
    if numero[posicion] == numero[posicion + 1] or (posicion == 0 and numero[1] == "0"):
        return  # the same number (or one with a zero in front)
    cambiado = numero[:posicion] + numero[posicion + 1] + numero[posicion] + numero[posicion + 2 :]
    with pytest.raises(DocumentoInvalido):
        validar_run(f"{cambiado}-{dv(cuerpo)}")


@given(texto=st.text(max_size=40))
@example(texto="\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18-\uff15")  # full-width: 12345678-5
@example(texto="\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668-\u0665")  # Arabic-Indic digits
@example(texto="CL12.345.678-5")
@example(texto="12.345.678-5\x00")
@example(texto="00000000-0")
def test_texto_arbitrario_solo_produce_el_error_de_validacion(texto: str) -> None:
    try:
        canonico = validar_run(texto)
    except DocumentoInvalido:
        return
    assert CANONICO.match(canonico), canonico
    assert validar_run(canonico) == canonico


@given(cuerpo=CUERPOS, data=st.data())
def test_el_serializador_de_casos_acepta_el_run_valido_y_explica_el_invalido(cuerpo: int, data: Any) -> None:
    escrito = data.draw(escrituras_de_run(cuerpo, dv(cuerpo)))
    entrada = CasoCrearInputSerializer(data=caso_api(tipo_documento="run", numero_documento=escrito))
    assert entrada.is_valid(), entrada.errors
    equivocado = DIGITOS[(DIGITOS.index(dv(cuerpo)) + 1) % len(DIGITOS)]
    entrada = CasoCrearInputSerializer(data=caso_api(tipo_documento="run", numero_documento=f"{cuerpo}-{equivocado}"))
    assert not entrada.is_valid()
    assert entrada.errors == {"numero_documento": [RUN_INVALIDO]}


@given(tipo=st.sampled_from(TipoDocumento.values), texto=st.text(max_size=60))
@example(tipo=TipoDocumento.RUN, texto="12.345.678-5\x00")
@example(tipo=TipoDocumento.PASAPORTE, texto=" " * 50 + "AB1")
def test_el_serializador_nunca_falla_con_texto_arbitrario(tipo: str, texto: str) -> None:
    """Whatever is typed, the serializer answers valid or a Spanish message on the field (never
    an exception: no 500), and it is valid exactly when the validator accepts the number."""
    entrada = CasoCrearInputSerializer(data=caso_api(tipo_documento=tipo, numero_documento=texto))
    valido = entrada.is_valid()
    limpio = texto.strip()
    try:
        documento_normalizado(tipo, limpio)
        aceptado = len(limpio) <= 40 and "\x00" not in limpio
    except ErrorDeNegocio:
        aceptado = False
    assert valido == aceptado, entrada.errors
    if not valido:
        assert list(entrada.errors) == ["numero_documento"]
        assert all(isinstance(m, str) and m for m in entrada.errors["numero_documento"])


# --- Other documents ------------------------------------------------------------------------


@given(tipo=st.sampled_from(OTROS_DOCUMENTOS), texto=st.text(max_size=40), relleno=st.sampled_from(["", " ", "\t\n "]))
@example(tipo=TipoDocumento.PASAPORTE, texto="ab-12.345 67", relleno=" ")
def test_un_documento_se_normaliza_a_letras_y_cifras(tipo: str, texto: str, relleno: str) -> None:
    esperado = re.sub(r"[^0-9A-Za-z]", "", texto).upper()
    if len(esperado) < 3:
        with pytest.raises(ErrorDeNegocio) as rechazo:
            documento_normalizado(tipo, f"{relleno}{texto}{relleno}")
        assert rechazo.value.mensaje in (
            "Indique el número de documento.",
            "El número de documento es demasiado corto.",
        )
        return
    normalizado = documento_normalizado(tipo, f"{relleno}{texto}{relleno}")
    assert normalizado == esperado
    assert len(normalizado) >= 3
    # Idempotent, and typed in lower case or with signs it is the same document.
    assert documento_normalizado(tipo, normalizado) == normalizado
    assert documento_normalizado(tipo, texto.lower()) == normalizado


@given(texto=st.text(max_size=40))
def test_sin_documento_siempre_es_vacio(texto: str) -> None:
    assert documento_normalizado(TipoDocumento.SIN_DOCUMENTO, texto) == ""


@pytest.mark.django_db
@CON_BD
@given(
    tipo=st.sampled_from(OTROS_DOCUMENTOS),
    numero=st.from_regex(r"[A-Za-z0-9]{3}[A-Za-z0-9 .\-]{0,18}[A-Za-z0-9]", fullmatch=True),
    relleno=st.sampled_from(["", " ", "  \t"]),
)
def test_la_persona_se_guarda_con_el_numero_sin_espacios_y_normalizado(
    municipal: Any, tipo: str, numero: str, relleno: str
) -> None:
    persona = persona_de(municipal, tipo_documento=tipo, numero_documento=f"{relleno}{numero}{relleno}")
    persona.refresh_from_db()
    assert persona.numero_documento == numero
    assert persona.documento_normalizado == re.sub(r"[^0-9A-Za-z]", "", numero).upper()


# --- CUT codes ------------------------------------------------------------------------------


def cut_conocidos() -> tuple[set[str], set[str]]:
    with (DATA / "comunas.csv").open(encoding="utf-8") as archivo:
        comunas = {fila["cut"] for fila in csv.DictReader(archivo)}
    with (DATA / "regiones.csv").open(encoding="utf-8") as archivo:
        regiones = {fila["region_cut"] for fila in csv.DictReader(archivo)}
    return comunas, regiones


COMUNAS, REGIONES = cut_conocidos()
CUT_CUALQUIERA = st.one_of(
    st.sampled_from(sorted(COMUNAS)),
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.from_regex(r"[0-9]{1,7}", fullmatch=True),
    st.text(max_size=8),
)


@pytest.mark.django_db
def test_los_cut_conocidos_son_las_346_comunas_y_16_regiones_del_territorio() -> None:
    assert len(COMUNAS) == 346
    assert len(REGIONES) == 16
    assert set(Comuna.objects.values_list("cut", flat=True)) == COMUNAS
    assert set(Region.objects.values_list("cut", flat=True)) == REGIONES


@pytest.mark.django_db
@CON_BD
@given(cut=CUT_CUALQUIERA)
@example(cut="13108")
@example(cut="13\x0008")
@example(cut="\uff11\uff13\uff11\uff10\uff18")  # full-width 13108
@example(cut="00000")
@example(cut=" 13108 ")
def test_una_minuta_solo_se_pide_para_una_comuna_conocida(cut: str) -> None:
    entrada = MinutaSolicitarInputSerializer(data={"comuna": cut, "periodo": periodo_actual().codigo})
    valido = entrada.is_valid()
    assert valido == (cut.strip() in COMUNAS), entrada.errors
    if valido:
        assert entrada.validated_data["comuna"].cut == cut.strip()
    else:
        assert list(entrada.errors) == ["comuna"]
        assert all(isinstance(m, str) and m for m in entrada.errors["comuna"])
    if re.fullmatch(r"[0-9]{5}", cut.strip()) and cut.strip() not in COMUNAS:
        assert entrada.errors == {"comuna": ["La comuna no existe: use su código CUT de 5 dígitos."]}


@pytest.mark.django_db
@CON_BD
@given(cut=CUT_CUALQUIERA, nivel=st.sampled_from(["comuna", "region"]))
@example(cut="13", nivel="region")
@example(cut="13108", nivel="comuna")
def test_las_estadisticas_solo_se_piden_para_un_lugar_conocido(cut: str, nivel: str) -> None:
    entrada = ParametrosSerializer(data={"nivel": nivel, "codigo": cut})
    conocidos = COMUNAS if nivel == "comuna" else REGIONES
    assert entrada.is_valid() == (cut.strip() in conocidos), entrada.errors
    if cut.strip() not in conocidos:
        assert list(entrada.errors) == ["codigo"]


@pytest.mark.django_db
@CON_BD
@given(cut=CUT_CUALQUIERA)
def test_el_formulario_de_minutas_solo_acepta_una_comuna_conocida(cut: str) -> None:
    formulario = SolicitarForm(data={"comuna": cut, "periodo": periodo_actual().codigo}, comunas=[])
    valido = formulario.is_valid()
    assert valido == (cut.strip() in COMUNAS), formulario.errors
    if not valido:
        assert list(formulario.errors) == ["comuna"]


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.django_db
@CON_BD
@given(dias=st.integers(min_value=-130 * 366, max_value=5 * 366))
@example(dias=0)
@example(dias=1)
def test_una_fecha_de_nacimiento_futura_o_de_mas_de_120_anios_se_rechaza(municipal: Any, dias: int) -> None:
    hoy = timezone.localdate()
    nacimiento = hoy + timedelta(days=dias)
    antes = Persona.objects.count()
    if nacimiento > hoy:
        with pytest.raises(ErrorDeNegocio, match=re.escape("La fecha de nacimiento no puede ser futura.")):
            persona_de(municipal, fecha_nacimiento=nacimiento)
    elif edad(nacimiento, hoy) > 120:
        with pytest.raises(ErrorDeNegocio, match=re.escape("Revise la fecha de nacimiento.")):
            persona_de(municipal, fecha_nacimiento=nacimiento)
    else:
        assert persona_de(municipal, fecha_nacimiento=nacimiento).fecha_nacimiento == nacimiento
        return
    assert Persona.objects.count() == antes


@pytest.mark.django_db
@CON_BD
@given(instante=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
@example(instante=datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # 1 March, 23:00 in Santiago
def test_el_futuro_se_cuenta_en_la_fecha_de_chile(municipal: Any, instante: datetime) -> None:
    """Late in the evening in Chile it is already tomorrow in UTC: a child born today (Chile) is
    accepted, and one "born" tomorrow in Chile is refused even when it is today in UTC."""
    hoy_en_chile = instante.astimezone(SANTIAGO).date()
    with mock.patch("django.utils.timezone.now", return_value=instante):
        assert persona_de(municipal, fecha_nacimiento=hoy_en_chile).fecha_nacimiento == hoy_en_chile
        with pytest.raises(ErrorDeNegocio, match="no puede ser futura"):
            persona_de(municipal, fecha_nacimiento=hoy_en_chile + timedelta(days=1))


@pytest.mark.django_db
def test_la_api_explica_en_espanol_una_fecha_futura(municipal: Any) -> None:
    manana = (timezone.localdate() + timedelta(days=1)).isoformat()
    cliente = api_client_for(municipal)
    antes = Persona.objects.count()
    for campo, mensaje in (
        ("fecha_nacimiento", "La fecha de nacimiento no puede ser futura."),
        ("consentimiento_fecha", "La fecha del consentimiento no puede ser futura."),
    ):
        response = cliente.post("/api/v1/casos/", caso_api(**{campo: manana, "consentimiento": True}), format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"]["message"] == mensaje
    assert Persona.objects.count() == antes


INSTANTES = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, SANTIAGO]),
    allow_imaginary=False,
)


@pytest.mark.django_db
@CON_BD
@given(inicio=INSTANTES, duracion=st.timedeltas(min_value=timedelta(hours=-48), max_value=timedelta(hours=48)))
@example(inicio=datetime(2026, 3, 2, 12, 0, tzinfo=UTC), duracion=timedelta(0))
def test_una_sesion_termina_despues_de_empezar(regional: Any, inicio: datetime, duracion: timedelta) -> None:
    """Start and end are instants: an end typed in another time zone compares by the instant."""
    cap = capacitacion(regional, sesiones_pasadas=0)
    fin = (inicio.astimezone(UTC) + duracion).astimezone(SANTIAGO if inicio.tzinfo is UTC else UTC)
    if duracion <= timedelta(0):
        with pytest.raises(ErrorDeNegocio, match=re.escape("El término de la sesión debe ser posterior a su inicio.")):
            sesion_agregar(capacitacion=cap, usuario=regional, inicio=inicio, fin=fin, lugar="Sala 1")
        assert not cap.sesiones.exists()
    else:
        sesion = sesion_agregar(capacitacion=cap, usuario=regional, inicio=inicio, fin=fin, lugar="Sala 1")
        assert sesion.fin - sesion.inicio == duracion


@pytest.mark.django_db
@CON_BD
@given(dias=st.integers(min_value=-3 * 366, max_value=366))
@example(dias=0)
@example(dias=1)
def test_un_operativo_no_puede_ser_futuro(municipal: Any, dias: int) -> None:
    fecha = timezone.localdate() + timedelta(days=dias)
    datos = {
        "usuario": municipal,
        "comuna": Comuna.objects.get(cut=INDEPENDENCIA),
        "tipo": "migraciones_en_tu_barrio",
        "fecha": fecha,
        "lugar": "Plaza de armas",
        "servicios": ["orientacion"],
        "instituciones": "SERMIG",
        "mujeres": 3,
        "hombres": 2,
        "otros": 0,
        "nna": 1,
        "mayores_60": 0,
    }
    if dias > 0:
        with pytest.raises(ErrorDeNegocio, match=re.escape("La fecha del operativo no puede ser futura.")):
            dispositivo_registrar(**datos)
    else:
        assert dispositivo_registrar(**datos).fecha == fecha


@given(inicio=st.one_of(st.none(), st.dates()), termino=st.one_of(st.none(), st.dates()))
def test_una_accion_del_plan_no_termina_antes_de_empezar(inicio: date | None, termino: date | None) -> None:
    argumentos = {"obligatoria": True, "no_aplica": False, "justificacion": "", "fecha_inicio": inicio}
    if inicio is not None and termino is not None and termino < inicio:
        with pytest.raises(
            ErrorDeNegocio, match=re.escape("La fecha de término no puede ser anterior a la de inicio.")
        ):
            _validar_accion(**argumentos, fecha_termino=termino)
    else:
        _validar_accion(**argumentos, fecha_termino=termino)


@given(anio=st.integers(min_value=2015, max_value=2100), semestre=st.sampled_from([1, 2]))
def test_una_minuta_no_se_pide_para_un_semestre_que_no_empezo(anio: int, semestre: int) -> None:
    periodo = Periodo(anio, semestre)
    if periodo > periodo_actual():
        with pytest.raises(ValidationError, match="aún no comienza"):
            periodo_solicitable(periodo.codigo)
    else:
        assert periodo_solicitable(periodo.codigo.lower()) == periodo


@given(texto=st.text(max_size=12))
@example(texto="2026-S3")
@example(texto="2014-S1")
def test_un_periodo_arbitrario_solo_produce_el_error_de_validacion(texto: str) -> None:
    error: ValidationError | None = None
    try:
        periodo = periodo_solicitable(texto)
    except ValidationError as exc:
        error = exc
    if error is not None:
        assert error.messages
        assert all(error.messages)
        return
    assert periodo <= periodo_actual()
    assert Periodo.desde_texto(periodo.codigo) == periodo


@given(texto=st.text(max_size=20))
@example(texto="NaN")
@example(texto="Infinity")
@example(texto="1e400")
@example(texto="2026-02-30")
@example(texto="99999999999")
def test_una_fecha_de_excel_solo_produce_los_errores_que_informa_el_importador(texto: str) -> None:
    try:
        fecha = fecha_excel(texto)
    except (ValueError, InvalidOperation, OverflowError):
        return
    assert fecha is None or isinstance(fecha, date)

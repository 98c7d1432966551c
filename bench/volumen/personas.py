"""Rows of ``casos.Persona`` and its simple-history "+" record.

Documents look real and are unique: RUN bodies and passport numbers come from a bijection of
the persona's id (``id * primo mod rango``), RUN check digits are computed (module 11), and
``documento_normalizado`` is what ``casos.documentos.normalizar`` would store.
"""

import random
import unicodedata
import uuid
from datetime import date, timedelta

from casos.models import Sexo, TipoDocumento, TramoEdad

from . import escala, textos
from .copia import NULO, dia, momento

COLUMNAS = [
    "id",
    "uuid",
    "comuna_id",
    "nombres",
    "apellidos",
    "tipo_documento",
    "numero_documento",
    "documento_normalizado",
    "nacionalidad",
    "sexo",
    "fecha_nacimiento",
    "tramo_edad",
    "es_nna",
    "telefono",
    "email",
    "creada_por_id",
    "creada_en",
    # Data-protection state (casos.privacidad): nobody blocked; NOT NULL without a DB default.
    "bloqueada",
    "bloqueo_motivo",
]
COLUMNAS_HISTORIA = [*COLUMNAS, "history_date", "history_change_reason", "history_type", "history_user_id"]

PRIMO = 7919
RANGO_RUN = 9_000_000  # foreigners' RUNs: 20.000.000 - 28.999.999
RANGO_IPE = 900_000
DOCUMENTOS_ADULTO = escala.Urna(
    {TipoDocumento.RUN: 45, TipoDocumento.PASAPORTE: 30, TipoDocumento.OTRO: 10, TipoDocumento.SIN_DOCUMENTO: 15}
)
DOCUMENTOS_NNA = escala.Urna(
    {TipoDocumento.RUN: 30, TipoDocumento.IPE: 35, TipoDocumento.PASAPORTE: 15, TipoDocumento.SIN_DOCUMENTO: 20}
)
SEXOS = escala.Urna(escala.SEXOS)
PAISES = escala.Urna(escala.PAISES)


def digito_verificador(cuerpo: int) -> str:
    """The RUN's check digit (module 11), as ``stdnum.cl.rut`` computes it."""
    suma, factor = 0, 2
    while cuerpo:
        suma += (cuerpo % 10) * factor
        cuerpo //= 10
        factor = factor + 1 if factor < 7 else 2
    resto = 11 - suma % 11
    return "0" if resto == 11 else "K" if resto == 10 else str(resto)


def _run(cuerpo: int) -> tuple[str, str]:
    dv = digito_verificador(cuerpo)
    return f"{cuerpo:,}".replace(",", ".") + f"-{dv}", f"{cuerpo}{dv}"


def documento(tipo: str, persona_id: int, pais: str) -> tuple[str, str]:
    """(número as typed, normalised) for ``tipo``; unique per persona id."""
    if tipo == TipoDocumento.RUN:
        return _run(20_000_000 + (persona_id * PRIMO) % RANGO_RUN)
    if tipo == TipoDocumento.IPE:
        return _run(100_000_000 + (persona_id * PRIMO) % RANGO_IPE)
    if tipo == TipoDocumento.PASAPORTE:
        numero = (persona_id * PRIMO) % 1_000_000_000
        return f"{pais or 'XX'}-{numero:09d}", f"{pais or 'XX'}{numero:09d}"
    if tipo == TipoDocumento.OTRO:
        numero = 10_000_000 + (persona_id * PRIMO) % 89_999_999
        return f"DNI {numero}", f"DNI{numero}"
    return "", ""


def tramo(edad: int) -> str:
    if edad < 6:
        return TramoEdad.NNA_0_5.value
    if edad < 14:
        return TramoEdad.NNA_6_13.value
    if edad < 18:
        return TramoEdad.NNA_14_17.value
    if edad < 30:
        return TramoEdad.ADULTO_18_29.value
    if edad < 45:
        return TramoEdad.ADULTO_30_44.value
    if edad < 60:
        return TramoEdad.ADULTO_45_59.value
    return TramoEdad.ADULTO_60.value


def _ascii(texto: str) -> str:
    sin_tildes = unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode()
    return sin_tildes.lower().replace(" ", "").replace("-", "")


ASCII = {n: _ascii(n) for n in (*textos.NOMBRES_MUJER, *textos.NOMBRES_HOMBRE, *textos.APELLIDOS)}
ASCII.update({n: _ascii(n) for n in (*textos.NOMBRES_MUJER_HT, *textos.NOMBRES_HOMBRE_HT, *textos.APELLIDOS_HT)})
ASCII.update({n: _ascii(n) for n in (*textos.NOMBRES_MUJER_CN, *textos.NOMBRES_HOMBRE_CN)})


def _nombre(rng: random.Random, pais: str, mujer: bool) -> tuple[str, str]:
    if pais == "HT":
        pool = textos.NOMBRES_MUJER_HT if mujer else textos.NOMBRES_HOMBRE_HT
        return rng.choice(pool), rng.choice(textos.APELLIDOS_HT)
    if pais == "CN":
        return rng.choice(textos.NOMBRES_MUJER_CN if mujer else textos.NOMBRES_HOMBRE_CN), ""
    pool = textos.NOMBRES_MUJER if mujer else textos.NOMBRES_HOMBRE
    return rng.choice(pool), f"{rng.choice(textos.APELLIDOS)} {rng.choice(textos.APELLIDOS)}"


def fila(
    rng: random.Random, *, persona_id: int, cut: str, creada_por: int, creada_en: int, nna: bool
) -> tuple[str, str, bool]:
    """(persona line, its history "+" line, es_nna) in the order of ``COLUMNAS`` /
    ``COLUMNAS_HISTORIA``."""
    pais = PAISES.sacar(rng)
    sexo = SEXOS.sacar(rng)
    mujer = sexo == Sexo.MUJER or (sexo != Sexo.HOMBRE and rng.random() < 0.5)
    nombres, apellidos = _nombre(rng, pais, mujer)
    edad = rng.randint(0, 17) if nna else min(85, 18 + int(rng.triangular(0, 60, 12)))
    tipo = (DOCUMENTOS_NNA if nna else DOCUMENTOS_ADULTO).sacar(rng)
    numero, normalizado = documento(tipo, persona_id, pais)
    creada = dia(creada_en - 4 * 3600)  # the Chilean date of registration
    if rng.random() < 0.8:
        nacimiento = date.fromisoformat(creada) - timedelta(days=int(edad * 365.25) + rng.randint(0, 364))
        fecha_nacimiento, tramo_edad = nacimiento.isoformat(), tramo(edad)
    else:
        fecha_nacimiento = NULO
        tramo_edad = tramo(edad) if rng.random() < 0.6 else TramoEdad.DESCONOCIDO.value
        nna = nna and tramo_edad != TramoEdad.DESCONOCIDO  # es_nna: by birth date, else by band
    telefono = f"+56 9 {rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.75 else ""
    email = ""
    if rng.random() < 0.35:
        apellido = apellidos.split(" ")[0] if apellidos else "x"
        email = f"{ASCII[nombres]}.{ASCII.get(apellido, 'x')}{persona_id % 997}@correo.example"
    creada_ts = momento(creada_en)
    linea = (
        f"{persona_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{cut}\t{nombres}\t{apellidos}\t"
        f"{tipo}\t{numero}\t{normalizado}\t{pais}\t{sexo}\t{fecha_nacimiento}\t{tramo_edad}\t"
        f"{'t' if nna else 'f'}\t{telefono}\t{email}\t{creada_por}\t{creada_ts}\tf\t"
    )
    return linea, f"{linea}\t{creada_ts}\t{NULO}\t+\t{creada_por}", nna

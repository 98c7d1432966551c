"""The words of the volume data: names by origin, case descriptions, comments and messages.

Invented, plausible and free of tabs, newlines and backslashes (written as COPY text as is).
"""

from casos.models import TipoCaso

NOMBRES_MUJER = [
    "María José", "Ana Lucía", "Yuliana", "Daniela", "Carolina", "Gabriela", "Valentina", "Andreína",
    "Rosa", "Milagros", "Luz Marina", "Yessenia", "Fernanda", "Paola", "Katherine", "Marisol",
    "Karla", "Sofía", "Camila", "Isabel", "Wendy", "Johana", "Lorena", "Noelia",
]  # fmt: skip
NOMBRES_HOMBRE = [
    "Carlos Andrés", "Luis", "José Gregorio", "Jesús", "Juan Carlos", "Miguel Ángel", "Jorge",
    "Wilmer", "Eduardo", "Ricardo", "Víctor", "Alexis", "Franklin", "Óscar", "Diego", "Kevin",
    "Henry", "Freddy", "Rafael", "Edwin", "Darwin", "Javier", "Pedro", "Manuel",
]  # fmt: skip
APELLIDOS = [
    "Ramírez", "Peña", "Quispe", "Mamani", "Gómez", "Fernández", "Rojas", "Pérez", "Rodríguez",
    "González", "Hernández", "Martínez", "Flores", "Torres", "Vargas", "Castillo", "Mendoza",
    "Gutiérrez", "Chávez", "Suárez", "Díaz", "Morales", "Ortiz", "Silva", "Salazar", "Contreras",
    "Herrera", "Medina", "Aguilar", "Ríos", "Cárdenas", "Condori", "Huamán", "Guzmán",
]  # fmt: skip
NOMBRES_MUJER_HT = ["Wislande", "Nadège", "Rose-Marie", "Guerline", "Magalie", "Esther", "Mirlande", "Roseline"]
NOMBRES_HOMBRE_HT = ["Jean", "Pierre", "Jean-Baptiste", "Wilner", "Frantz", "Jocelyn", "Emmanuel", "Ronel"]
APELLIDOS_HT = ["Joseph", "Louis", "Jean-Pierre", "Charles", "Pierre", "Saint-Fleur", "Dorvil", "Théodore", "Alexis"]
NOMBRES_MUJER_CN = ["Li Na", "Wang Fang", "Zhang Min", "Liu Yan", "Chen Jing"]
NOMBRES_HOMBRE_CN = ["Wang Wei", "Li Qiang", "Zhang Lei", "Liu Yang", "Chen Hao"]

DESCRIPCIONES: dict[str, list[str]] = {
    TipoCaso.CONSULTA: [
        "Consulta por el estado de su solicitud de residencia temporal.",
        "Pregunta qué requisitos necesita para renovar su permiso.",
        "Consulta por una solicitud ingresada hace meses sin respuesta.",
    ],
    TipoCaso.REGULARIZACION: [
        "Ingresó por paso no habilitado y necesita orientación para regularizarse.",
        "Su permiso de residencia venció y requiere orientación para la prórroga.",
        "Solicita apoyo para postular a la residencia definitiva.",
    ],
    TipoCaso.NNA: [
        "Adolescente sin documentos, matriculado en un liceo municipal.",
        "Niño que llegó con un familiar que no tiene su cuidado personal.",
        "Familia con hijos sin RUN que necesitan acceso a salud y educación.",
    ],
    TipoCaso.VIOLENCIA: [
        "Mujer víctima de violencia de pareja; su permiso depende del agresor.",
        "Situación de violencia intrafamiliar informada por el CESFAM.",
    ],
    TipoCaso.TRATA: [
        "Trabajador retenido en un predio agrícola, sin pago ni documentos.",
        "Posible captación con fines de explotación; derivado por la OPD.",
    ],
    TipoCaso.REFUGIO: [
        "Solicita orientación para pedir refugio.",
        "Persona con temor fundado de volver a su país; consulta por protección internacional.",
    ],
    TipoCaso.REUNIFICACION: [
        "Busca reunificarse con sus hijos que están en su país.",
        "Solicita orientación para traer a su cónyuge.",
    ],
    TipoCaso.VULNERACION: [
        "Denuncia discriminación en la atención de un servicio público.",
        "Su empleador no le paga las cotizaciones y retiene su documento.",
    ],
    TipoCaso.HUMANITARIA: [
        "Familia en situación de calle tras un desalojo.",
        "Persona con enfermedad crónica sin acceso a tratamiento.",
        "Familia recién llegada sin redes ni alimentación suficiente.",
    ],
    TipoCaso.SANCIONES: [
        "Consulta por una multa por permanencia irregular.",
        "Tiene una orden de expulsión y pide orientación.",
    ],
}

COMENTARIOS = {
    "solicitar_informacion": [
        "Por favor adjunte copia del certificado de matrícula y de la declaración jurada.",
        "Falta el comprobante de domicilio y la copia del pasaporte.",
        "Indique si la persona cuenta con contrato de trabajo.",
    ],
    "responder": [
        "Se adjuntan los antecedentes solicitados.",
        "La persona no tiene contrato; se adjunta declaración del empleador.",
    ],
    "resolver": [
        "Se orientó a la persona y se ingresó su solicitud en el sistema del SERMIG.",
        "La solicitud fue acogida; se informa a la persona por correo.",
        "Se derivó a la institución competente con los antecedentes del caso.",
    ],
    "reabrir": [
        "La persona volvió a consultar: la situación no se resolvió.",
        "Llegaron nuevos antecedentes que cambian el caso.",
    ],
}

MENSAJES_MUNICIPIO = [
    "La persona quedó atenta a novedades.",
    "Se contactó a la persona por teléfono; confirma sus datos.",
    "Adjuntamos el informe social del caso.",
    "La persona pide saber si debe presentarse en la oficina.",
]
MENSAJES_SERMIG = [
    "Recibido; lo revisamos esta semana.",
    "Se ingresó la solicitud; el número queda en el caso.",
    "Por favor confirme el domicilio actual de la persona.",
]
NOTAS_INTERNAS = [
    "Revisar antecedentes con el equipo jurídico.",
    "Caso similar al de la semana pasada; coordinar respuesta.",
    "Prioridad alta por la situación de los niños.",
]

TEMAS_CAPACITACION = {
    "regularizacion": "Regularización migratoria para equipos municipales",
    "interculturalidad": "Atención con enfoque intercultural",
    "genero": "Género y migración: detección y derivación",
    "nna": "Protección de niños, niñas y adolescentes migrantes",
    "derechos": "Derechos de las personas migrantes",
    "atencion": "Atención de público migrante",
    "otro": "Ley 21.325 de Migración y Extranjería",
}
INSTITUCIONES = ["CESFAM", "OMIL", "DIDECO", "Liceo municipal", "OPD", "Carabineros", "Registro Civil"]
LUGARES = ["Salón municipal", "Sala DIDECO", "Centro cultural", "Sede vecinal", "https://reunion.example.cl/sala"]

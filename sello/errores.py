"""Business errors raised by services; views and the API turn them into clear Spanish messages."""

from django.utils.translation import gettext as _


class ErrorDeNegocio(Exception):
    """A refused operation with a message for people. Nothing was written."""

    codigo = "invalid"

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje

    def __str__(self) -> str:
        return self.mensaje


class ConflictoDeVersion(ErrorDeNegocio):
    """The record changed since the user loaded it (optimistic locking)."""

    codigo = "conflict"

    def __init__(self, mensaje: str | None = None) -> None:
        super().__init__(
            mensaje
            or _(
                "Otra persona modificó estos datos mientras usted editaba. "
                "Revise la versión actual y vuelva a aplicar sus cambios."
            )
        )


class TransicionNoPermitida(ErrorDeNegocio):
    codigo = "transition_not_allowed"


class SinPermiso(ErrorDeNegocio):
    codigo = "permission_denied"


class ArchivoInvalido(ErrorDeNegocio):
    codigo = "invalid_file"

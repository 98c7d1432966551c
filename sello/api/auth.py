"""The endpoint that issues and revokes API tokens."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from municipios.cuenta_sesiones import minutos_bloqueo
from municipios.dosfactores import codigo_api_valido, espera_segundos, obligado

from .authentication import token_vencido
from .errors import error_body


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label=gettext_lazy("Usuario"))
    password = serializers.CharField(label=gettext_lazy("Contraseña"), style={"input_type": "password"})
    otp = serializers.CharField(
        label=gettext_lazy("Código de verificación"),
        required=False,
        help_text=gettext_lazy(
            "Código de la aplicación autenticadora o de respaldo. Obligatorio para el personal "
            "SERMIG, el administrador y quien haya activado la verificación en dos pasos."
        ),
    )


@transaction.atomic
def token_emitir(*, usuario: Any) -> Token:
    """The user's token; a new one if there was none or it had expired."""
    token, creado = Token.objects.select_for_update().get_or_create(user=usuario)
    if not creado and token_vencido(token):
        token.delete()
        token = Token.objects.create(user=usuario)
    return token


class ObtainTokenView(ObtainAuthToken):
    """Exchange username, password (and the second factor when the account uses it) for the
    user's API token (throttled; locked out with the login form after repeated failures), or
    revoke the caller's own token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    metodo = ""

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self.metodo = request.method or ""
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        # POST authenticates with the credentials in the body: a stale token in the header must
        # not stop its owner from getting a new one. DELETE authenticates as every endpoint does.
        return super().get_authenticators() if self.metodo == "DELETE" else []

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self.metodo == "DELETE" else [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        tags=["auth"],
        auth=[],
        description=(
            "Entrega el token del usuario (válido por `SELLO_API_TOKEN_DIAS` días; vencido, se emite "
            "uno nuevo). Tras 5 intentos fallidos de un usuario desde una dirección, responde 429 "
            "`locked_out` durante 15 minutos."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request when this failure locked (or found locked) the
            # username and address: say so, instead of "wrong credentials".
            if getattr(request, "axes_locked_out", False):
                mensaje = _(
                    "Acceso bloqueado temporalmente por demasiados intentos fallidos. "
                    "Intente nuevamente en %(m)d minutos."
                ) % {"m": minutos_bloqueo()}
                return Response(
                    error_body("locked_out", mensaje), status=429, headers={"Retry-After": str(minutos_bloqueo() * 60)}
                )
            raise exceptions.ValidationError(serializer.errors)
        usuario = serializer.validated_data["user"]
        if obligado(usuario) or user_has_device(usuario):
            datos = request.data if isinstance(request.data, dict) else {}
            self.exigir_segundo_factor(usuario, datos.get("otp"))
        return Response({"token": token_emitir(usuario=usuario).key})

    @staticmethod
    def exigir_segundo_factor(usuario: Any, codigo: Any) -> None:
        if isinstance(codigo, int) and not isinstance(codigo, bool):
            codigo = f"{codigo:06d}"
        if not user_has_device(usuario):
            raise exceptions.ValidationError(
                {"otp": [_("Active primero la verificación en dos pasos en la web, en /cuenta/2fa/.")]}
            )
        if not codigo or not isinstance(codigo, str):
            raise exceptions.ValidationError(
                {"otp": [_("Esta cuenta usa verificación en dos pasos: envíe el código en el campo «otp».")]}
            )
        espera = espera_segundos(usuario, codigo)
        if espera:
            raise exceptions.Throttled(wait=espera)
        if not codigo_api_valido(usuario=usuario, codigo=codigo):
            raise exceptions.ValidationError({"otp": [_("El código no es correcto.")]})

    @extend_schema(
        operation_id="auth_token_destroy",
        request=None,
        responses={204: OpenApiResponse(description="Token revocado.")},
        tags=["auth"],
        description="Revoca el token con que se autentica la solicitud (el propio).",
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        Token.objects.filter(user_id=request.user.pk).delete()
        return Response(status=204)

"""Token authentication (kept apart from views: DRF settings import it early)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenExpirado(exceptions.AuthenticationFailed):
    default_detail = _("El token expiró. Solicite uno nuevo en POST /api/v1/auth/token/.")
    default_code = "token_expired"


def token_vencido(token: Token) -> bool:
    """Tokens live ``SELLO_API_TOKEN_DIAS`` days from their creation."""
    return token.created <= timezone.now() - timedelta(days=settings.SELLO_API_TOKEN_DIAS)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token auth, loading the user's municipality in the same query (scoping needs it),
    refusing (and deleting) a token past its lifetime.

    Inactive users are refused by DRF itself.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = Token.objects.select_related("user", "user__municipalidad").get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Token inválido.")) from exc
        if token_vencido(token):
            token.delete()
            raise TokenExpirado()
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Usuario inactivo o eliminado."))
        return (token.user, token)

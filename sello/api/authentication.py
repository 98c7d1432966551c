"""Token authentication (kept apart from views: DRF settings import it early)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token auth, loading the user's municipality in the same query (scoping needs it).

    Inactive users are refused by DRF itself.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = Token.objects.select_related("user", "user__municipalidad").get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed(_("Token inválido.")) from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Usuario inactivo o eliminado."))
        return (token.user, token)

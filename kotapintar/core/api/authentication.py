"""API authentication by personal token: `Authorization: Token <key>`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS

from kotapintar.core.models import ApiToken
from kotapintar.core.selectors import api_token_by_key


class ApiTokenAuthentication(TokenAuthentication):
    """A live token (not expired, issued under the current password) signs its owner in; a read-only
    token cannot change anything."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[1].scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This token may only read."))
        return result

    def authenticate_credentials(self, key):
        token = api_token_by_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

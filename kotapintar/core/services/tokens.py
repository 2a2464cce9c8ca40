"""Personal API tokens: issued after the password (and the second factor), listed and revoked by
their owner, expiring, scoped, and revoked by a password change or reset."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core.models import ApiToken
from kotapintar.core.selectors import api_key_digest, api_token_password_check
from kotapintar.core.services.audit import audit_record

TOKEN_DAYS = 90


def api_token_create(*, user, scope: str = ApiToken.Scope.READ_WRITE, name: str = "",
                     days: int = TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new token and its key (shown to the owner once, never stored)."""
    key = secrets.token_hex(20)
    token = ApiToken(user=user, name=name, prefix=key[:8], digest=api_key_digest(key), scope=scope,
                     password_check=api_token_password_check(user),
                     expires_at=timezone.now() + datetime.timedelta(days=days))
    token.full_clean()
    with transaction.atomic():
        token.save()
        audit_record(city=None, actor=user, action="user.token_create", target=token,
                     data={"prefix": token.prefix, "scope": scope, "expires_at": token.expires_at})
    return token, key


def api_token_revoke(*, token: ApiToken, actor) -> None:
    """Only the owner revokes a token."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("Only the owner of a token can revoke it."))
    with transaction.atomic():
        audit_record(city=None, actor=actor, action="user.token_revoke", target=token,
                     data={"prefix": token.prefix})
        token.delete()

"""Two-factor sign-in everywhere: a session of an account with a confirmed authenticator counts as
signed in only after its code was checked, whichever form opened the session."""

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware


def _unverified(user) -> bool:
    return user.is_authenticated and user.otp_device is None and user_has_device(user, confirmed=True)


def _anonymous():
    user = AnonymousUser()
    OTPMiddleware._init_user_fields(user)
    return user


class TwoFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (`request.user.is_verified()`), stricter: a session that has not passed
    the second factor of a two-factor account is anonymous to every page, the admin and the API's
    session authentication (a password alone, e.g. typed into another login form, opens nothing)."""

    def _verify_user_sync(self, request, user):
        user = super()._verify_user_sync(request, user)
        return _anonymous() if _unverified(user) else user

    async def _verify_user_async_via_auser(self, request, auser):
        from asgiref.sync import sync_to_async

        user = await super()._verify_user_async_via_auser(request, auser)
        return _anonymous() if await sync_to_async(_unverified)(user) else user


class PlatformAdminSite(admin.AdminSite):
    """The Django admin signs people in through the platform's own login (password, then the code of
    the authenticator when the account has one); the admin's own password-only form is not served."""

    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        return redirect_to_login(request.GET.get("next") or reverse("admin:index", current_app=self.name))

"""Sign-in with optional TOTP second step, registration, two-factor setup."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotapintar.core import modules
from kotapintar.core.forms import OtpTokenForm, RegisterForm
from kotapintar.core.selectors import user_api_tokens
from kotapintar.core.services.audit import audit_record
from kotapintar.core.services.tokens import api_token_revoke
from kotapintar.core.services.users import user_register

PENDING = "kotapintar_2fa_user"


def _safe_next(request, fallback="core:landing"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return redirect(fallback).url


class LoginView(auth_views.LoginView):
    """Password first; accounts with a confirmed authenticator are asked for its code next."""

    template_name = "core/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            self.request.session[PENDING] = {"id": user.pk, "backend": user.backend, "next": _safe_next(self.request)}
            return redirect("core:login_verify")
        return super().form_valid(form)


def login_verify(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("core:login")
    user = get_user_model().objects.get(pk=pending["id"])
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device and device.verify_token(form.cleaned_data["token"]):
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(request, "core/login_verify.html", {"form": form})


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(username=data["username"], email=data["email"], password=data["password1"],
                                 full_name=data["full_name"], nik=data.get("nik"), phone=data.get("phone", ""),
                                 language=request.LANGUAGE_CODE, check_password=False)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(_safe_next(request))
    return render(request, "core/register.html", {"form": form})


@login_required
def two_factor(request):
    """Set up (or remove) a TOTP authenticator."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if request.method == "POST" and request.POST.get("disable") and confirmed:
        form = OtpTokenForm(request.POST)
        if form.is_valid() and confirmed.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                confirmed.delete()
                audit_record(city=None, actor=user, action="user.2fa_disable", target=user)
            messages.success(request, _("Two-factor sign-in is switched off."))
            return redirect("core:two_factor")
        messages.error(request, _("The code is wrong or has expired. Try the newest code."))
    if confirmed:
        return render(request, "core/two_factor.html", {"confirmed": True, "form": OtpTokenForm()})
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "authenticator"})
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and not request.POST.get("disable") and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(city=None, actor=user, action="user.2fa_enable", target=user)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code when you sign in."))
            return redirect("core:two_factor")
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
    return render(request, "core/two_factor.html", {
        "confirmed": False, "form": form, "qr_svg": qr_svg, "secret": base64.b32encode(device.bin_key).decode(),
    })


@login_required
def profile(request):
    labels = modules.all_roles()
    memberships = list(request.user.memberships.select_related("city"))
    for membership in memberships:
        membership.role_label = labels.get(membership.role, membership.role)
    return render(request, "core/profile.html", {"memberships": memberships})


@login_required
def api_tokens(request):
    """The person's own API tokens: when each expires, what it may do; revoke one."""
    tokens = user_api_tokens(request.user)
    if request.method == "POST":
        pk = request.POST.get("revoke", "")
        token = get_object_or_404(tokens, pk=pk if pk.isdigit() else 0)
        api_token_revoke(token=token, actor=request.user)
        messages.success(request, _("The token is revoked."))
        return redirect("core:api_tokens")
    return render(request, "core/api_tokens.html", {"tokens": tokens})

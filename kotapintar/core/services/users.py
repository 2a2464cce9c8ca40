"""Accounts and memberships."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.core import modules
from kotapintar.core.models import City, Department, Membership
from kotapintar.core.services.audit import audit_record

User = get_user_model()


def user_register(*, username: str, email: str, password: str, full_name: str = "", nik: str | None = None,
                  phone: str = "", language: str = "id", check_password: bool = True):
    """Register a person (citizen). NIK is optional but, when given, valid and held by one account.

    Registration never tells whether a NIK is registered: when it already belongs to an account, the new
    account is created without it and both people are told by e-mail (the NIK's owner that someone used
    it, the new person that it was not attached and how to claim it)."""
    owner = User.objects.filter(nik=nik).first() if nik else None
    user = User(username=username, email=email, full_name=full_name, nik=None if owner else nik or None,
                phone=phone, language=language)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit_record(city=None, actor=user, action="user.register", target=user,
                     data={"username": username, **({"nik_already_registered": True} if owner else {})})
        if owner:
            _nik_taken_notify(owner=owner, user=user)
    return user


def _nik_taken_notify(*, owner, user) -> None:
    from kotapintar.core.services.notifications import notification_send

    notification_send(user=owner, subject=_("Someone registered with your NIK"), body=_(
        "A new account (%(username)s) was registered with the NIK of your account. The NIK stays with your "
        "account. If this was not you, nothing else is needed; if you keep seeing this, tell the city's "
        "service desk.") % {"username": user.username})
    notification_send(user=user, subject=_("Your NIK was not added to your account"), body=_(
        "The NIK you entered is already registered to another account, so your new account was created "
        "without it. If the NIK is yours, use “Forgot password” with the e-mail address of that account, "
        "or visit the city's service desk with your KTP."))


def membership_create(*, user, city: City, role: str, actor, department: Department | None = None) -> Membership:
    if role not in modules.all_roles():
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if department is not None and department.city_id != city.pk:
        raise ValidationError({"department": _("The department belongs to another city.")})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, city=city, role=role, department=department)
        if created:
            audit_record(city=city, actor=actor, action="membership.create", target=membership,
                         data={"user": user.username, "role": role,
                               "department": department.code if department else None})
    return membership


def membership_delete(*, membership: Membership, actor) -> None:
    with transaction.atomic():
        audit_record(city=membership.city, actor=actor, action="membership.delete", target=membership,
                     data={"user": membership.user.username, "role": membership.role})
        membership.delete()

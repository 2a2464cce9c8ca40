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
    """Register a person (citizen). NIK is optional but, when given, valid and unique."""
    user = User(username=username, email=email, full_name=full_name, nik=nik or None, phone=phone,
                language=language)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit_record(city=None, actor=user, action="user.register", target=user, data={"username": username})
    return user


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

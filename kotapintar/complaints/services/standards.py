"""The city's public service standards (standar pelayanan)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kotapintar.complaints.models import ServiceStandard
from kotapintar.core.models import City, Department
from kotapintar.core.services.audit import audit_record

FIELDS = ("name", "requirements", "procedure", "service_time", "cost", "product", "complaint_channel", "active")


def service_standard_save(*, city: City, actor, code: str, department: Department,
                          instance: ServiceStandard | None = None, **fields) -> ServiceStandard:
    """Create or change one service's standard; every element of PermenPANRB 15/2014 is required."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if department.city_id != city.pk:
        raise ValidationError({"department": [_("Choose a department of this city.")]})
    standard = instance or ServiceStandard(city=city, code=code)
    standard.department = department
    for field, value in fields.items():
        setattr(standard, field, value.strip() if isinstance(value, str) else value)
    standard.full_clean()
    with transaction.atomic():
        standard.save()
        audit_record(city=city, actor=actor, action="service_standard.save", target=standard,
                     data={"code": standard.code, "active": standard.active})
    return standard

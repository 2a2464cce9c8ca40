"""IKM satisfaction survey (PermenPANRB 14/2017): nine elements answered 1-4.

IKM = average of the element averages (equal weights); converted IKM = IKM x 25; grades
A 88.31-100, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kotapintar.core.services.audit import audit_record
from kotapintar.permits.models import PermitApplication, SatisfactionSurvey

ELEMENTS = 9
DONE_STATES = {"issued", "rejected"}


def survey_submit(*, application: PermitApplication, actor, answers: list[int],
                  comment: str = "") -> SatisfactionSurvey:
    if application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant may answer the survey."))
    if application.state not in DONE_STATES:
        raise ValidationError(_("The survey opens when the application is decided."))
    if len(answers) != ELEMENTS or any(a not in (1, 2, 3, 4) for a in answers):
        raise ValidationError(_("Answer all nine questions with a value from 1 to 4."))
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(city=application.city, application=application,
                                                       permit_type=application.permit_type, answers=answers,
                                                       comment=comment)
            audit_record(city=application.city, actor=actor, action="survey.submit", target=survey)
    except IntegrityError:
        raise ValidationError(_("You already answered the survey for this application.")) from None
    return survey


def ikm(surveys) -> dict | None:
    """IKM of a set of surveys: the converted score and its grade."""
    rows = [s.answers for s in surveys]
    if not rows:
        return None
    element_means = [Decimal(sum(r[i] for r in rows)) / len(rows) for i in range(ELEMENTS)]
    index = sum(element_means) / ELEMENTS
    score = (index * 25).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    grade = "A" if score >= Decimal("88.31") else "B" if score >= Decimal("76.61") else \
        "C" if score >= Decimal("65.00") else "D"
    return {"respondents": len(rows), "ikm": index.quantize(Decimal("0.001")), "score": score, "grade": grade}
